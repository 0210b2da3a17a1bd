/*
 * A driver that exposes common/ to tests/common.bats, one verb per module,
 * so the shared code is tested through the same process boundary (exit
 * status, stderr line) as the tools.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "ci.h"
#include "err.h"
#include "fileio.h"
#include "jcs.h"
#include "jsonio.h"
#include "lock.h"
#include "names.h"
#include "record.h"
#include "rule.h"
#include "timefmt.h"
#include "version.h"

static int do_canon(const char *path)
{
	cJSON *root = json_read_file(path);
	size_t len;
	char *text = jcs_string(root, &len);

	stdout_write(text, len);
	stdout_write("\n", 1);
	free(text);
	cJSON_Delete(root);
	return 0;
}

static int do_num(const char *bits)
{
	uint64_t u = strtoull(bits, NULL, 16);
	double v;
	char out[32];

	memcpy(&v, &u, sizeof v);
	jcs_format_number(v, out);
	printf("%s\n", out);
	return 0;
}

static int do_id(const char *path)
{
	cJSON *rec = record_read(path, NULL);

	printf("%s\n", json_get_string(rec, "id"));
	cJSON_Delete(rec);
	return 0;
}

static int do_finish(const char *kind, const char *path)
{
	cJSON *rec = json_read_object(path);

	record_finish(rec, kind);
	record_print(rec, 0);
	cJSON_Delete(rec);
	return 0;
}

/*
 * Finishes the record in a without printing it, frees it, then prints the
 * record in b as read: what record_finish kept for a must not be printed for
 * b, even where b lands at a's addresses.
 */
static int do_finish_then(const char *kind, const char *a, const char *b)
{
	cJSON *rec = json_read_object(a);

	record_finish(rec, kind);
	cJSON_Delete(rec);
	rec = json_read_object(b);
	record_print(rec, 0);
	cJSON_Delete(rec);
	return 0;
}

static int do_rule(const char *text)
{
	struct rule r;
	struct rule_error err;
	static const char *const refs[] = { "abs", "baseline", "baseline+", "baseline-", "baseline*" };

	if (rule_parse(text, &r, &err) < 0)
		die(EXIT_USAGE, "--rule 1:%d: %s", err.col, err.msg);
	printf("%s %s %s %.17g\n", r.metric, rule_op_str(r.op), refs[r.ref], r.n);
	rule_free(&r);
	return 0;
}

static int do_time(const char *s)
{
	time_t t;
	char back[TIME_STR_LEN];

	if (time_parse(s, &t) < 0)
		die(EXIT_USAGE, "invalid time '%s'", s);
	time_format(t, back);
	printf("%lld %s\n", (long long)t, back);
	return 0;
}

static int do_duration(const char *s)
{
	double secs;

	if (duration_parse(s, &secs) < 0)
		die(EXIT_USAGE, "invalid duration '%s'", s);
	printf("%.0f\n", secs);
	return 0;
}

static int do_ci(void)
{
	cJSON *ctx = ci_context();

	record_print(ctx, 0);
	printf("%s\n", ci_actor());
	cJSON_Delete(ctx);
	return 0;
}

static int do_lock(const char *path, const char *secs)
{
	int fd = lock_acquire(path);

	if (fd < 0)
		die_errno("cannot lock '%s'", path);
	printf("locked\n");
	fflush(stdout);
	sleep((unsigned)atoi(secs));
	lock_release(fd);
	return 0;
}

static int do_trylock(const char *path)
{
	int fd = lock_try(path);

	if (fd < 0)
		die(EXIT_NO, "'%s' is locked", path);
	lock_release(fd);
	return 0;
}

/* Writes TEXT atomically, optionally pausing (to be killed) before commit. */
static int do_atomic(const char *path, const char *text, int pause_before_commit)
{
	struct atomicfile af;

	if (atomicfile_open(&af, path, 0644) < 0 || atomicfile_write(&af, text, strlen(text)) < 0)
		die_errno("cannot write '%s'", path);
	if (pause_before_commit) {
		printf("%s\n", af.tmp);
		fflush(stdout);
		sleep(30);
	}
	if (atomicfile_commit(&af) < 0)
		die_errno("cannot write '%s'", path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";

	err_init("common-test");
	atexit(stdout_close);
	if (!strcmp(verb, "canon") && argc == 3) return do_canon(argv[2]);
	if (!strcmp(verb, "num") && argc == 3) return do_num(argv[2]);
	if (!strcmp(verb, "id") && argc == 3) return do_id(argv[2]);
	if (!strcmp(verb, "finish") && argc == 4) return do_finish(argv[2], argv[3]);
	if (!strcmp(verb, "finish-then") && argc == 5) return do_finish_then(argv[2], argv[3], argv[4]);
	if (!strcmp(verb, "rule") && argc == 3) return do_rule(argv[2]);
	if (!strcmp(verb, "time") && argc == 3) return do_time(argv[2]);
	if (!strcmp(verb, "duration") && argc == 3) return do_duration(argv[2]);
	if (!strcmp(verb, "ci") && argc == 2) return do_ci();
	/* version_print closes stdout and so does the atexit handler: must be fine. */
	if (!strcmp(verb, "version") && argc == 2) { version_print(); return 0; }
	/* A string with bytes that are not UTF-8 must not reach a record. */
	if (!strcmp(verb, "canon-string") && argc == 3) {
		cJSON *str = cJSON_CreateString(argv[2]);
		char *text = jcs_string(str, NULL);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(str);
		return 0;
	}
	if (!strcmp(verb, "name") && argc == 3) { name_check("name", argv[2]); return 0; }
	if (!strcmp(verb, "lock") && argc == 4) return do_lock(argv[2], argv[3]);
	if (!strcmp(verb, "trylock") && argc == 3) return do_trylock(argv[2]);
	if (!strcmp(verb, "atomic") && argc == 4) return do_atomic(argv[2], argv[3], 0);
	if (!strcmp(verb, "atomic-pause") && argc == 4) return do_atomic(argv[2], argv[3], 1);
	die(EXIT_USAGE, "usage: common-test canon|num|id|finish|finish-then|rule|time|duration|ci|name|lock|trylock|atomic ARGS");
}
