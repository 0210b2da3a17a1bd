/*
 * mlrun-log ls: every run.json under the given directories, one summary
 * each, filtered with the gate's rule grammar and sorted by a metric.
 * Experiment tracking without a server: the file tree is the database.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "fileio.h"
#include "jcs.h"
#include "jsonio.h"
#include "names.h"
#include "record.h"
#include "rule.h"
#include "runlog.h"
#include "strbuf.h"
#include "xalloc.h"

static const char ls_usage[] =
	"usage: mlrun-log ls [--sort [-]METRIC] [--filter RULE]... [--format json|table|markdown]\n"
	"                 DIR...\n";

struct listing {
	char **paths;
	size_t n, cap;
	int bad;            /* a run.json that could not be read */
};

static void path_add(struct listing *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->paths = xreallocarray(l->paths, l->cap, sizeof *l->paths);
	}
	l->paths[l->n++] = xstrdup(path);
}

/* Symlinks are not followed: a loop must not hang a listing. */
static void walk(struct listing *l, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		warnmsg("cannot read '%s': %s", dir, strerror(errno));
		l->bad = 1;
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		char *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 64)
				walk(l, path, depth + 1);
			else if (S_ISREG(st.st_mode) && strcmp(e->d_name, "run.json") == 0)
				path_add(l, path);
		}
		free(path);
	}
	closedir(d);
}


/* The run record at path, checked (kind, id), or NULL after a warning. */
static cJSON *run_load(const char *path)
{
	struct json_error err;
	char msg[256];
	char *buf;
	size_t len;
	cJSON *rec;
	const char *kind;

	if (file_read(path, &buf, &len) < 0) {
		warnmsg("cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	rec = json_parse_strict(buf, len, &err);
	free(buf);
	if (!rec) {
		warnmsg("%s:%d:%d: %s", path, err.line, err.col, err.msg);
		return NULL;
	}
	kind = json_get_string(rec, "kind");
	if (!kind || strcmp(kind, "run") != 0) {
		warnmsg("%s: not a run record", path);
	} else if (record_verify_id(rec, msg, sizeof msg) < 0) {
		warnmsg("%s: %s", path, msg);
	} else {
		return rec;
	}
	cJSON_Delete(rec);
	return NULL;
}

static cJSON *dup_or_null(const cJSON *item)
{
	cJSON *d = item ? cJSON_Duplicate(item, 1) : NULL;
	return d ? d : cJSON_CreateNull();
}

static cJSON *summary_of(const cJSON *rec, const char *path)
{
	static const char *const keep[] = { "id", "name", "status", "started_at", "params", "metrics" };
	cJSON *s = cJSON_CreateObject();
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");

	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		json_set(s, keep[i], dup_or_null(json_get(rec, keep[i])));
	json_set_string_or_null(s, "dir", dir);
	free(dir);
	return s;
}

static int metric_of(const cJSON *summary, const char *metric, double *v)
{
	return json_get_number(json_get_object(summary, "metrics"), metric, v);
}

static int filters_pass(const cJSON *s, const struct rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double v;
		if (!metric_of(s, rules[i].metric, &v) || !rule_holds(&rules[i], v, rule_threshold(&rules[i], 0)))
			return 0;
	}
	return 1;
}

struct sort_key {
	const char *metric;
	int desc;
};
static struct sort_key sort_by;

/* Runs without the metric go last, either way; ties keep time order. */
static int cmp_runs(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	const char *tx, *ty;
	int c;

	if (sort_by.metric) {
		double vx, vy;
		int hx = metric_of(x, sort_by.metric, &vx), hy = metric_of(y, sort_by.metric, &vy);
		if (hx != hy)
			return hx ? -1 : 1;
		if (hx && vx != vy)
			return (vx < vy) != sort_by.desc ? -1 : 1;
	}
	tx = json_get_string(x, "started_at");
	ty = json_get_string(y, "started_at");
	c = strcmp(tx ? tx : "", ty ? ty : "");
	return c ? c : strcmp(json_get_string(x, "dir"), json_get_string(y, "dir"));
}

static void rule_add(struct rule **rules, size_t *n, const char *text)
{
	struct rule_error err;
	struct rule *r;

	*rules = xreallocarray(*rules, *n + 1, sizeof **rules);
	r = &(*rules)[*n];
	if (rule_parse(text, r, &err) < 0)
		die(EXIT_USAGE, "--filter %d: %s", err.col, err.msg);
	if (rule_is_relative(r))
		die(EXIT_USAGE, "--filter '%s': there is no baseline in a listing (use a number)", text);
	(*n)++;
}

static int term_width(void)
{
	const char *c = getenv("COLUMNS");
	char *end;
	long w = c ? strtol(c, &end, 10) : 0;

	return c && *c && !*end && w >= 20 && w <= 10000 ? (int)w : 80;
}

static void print_json_lines(const cJSON *rows)
{
	const cJSON *row;
	struct strbuf sb = STRBUF_INIT;

	cJSON_ArrayForEach(row, rows) {
		if (jcs_write(&sb, row) < 0)
			die(EXIT_IO, "cannot write a run summary");
		strbuf_addch(&sb, '\n');
	}
	if (sb.len)
		stdout_write(sb.buf, sb.len);
	strbuf_release(&sb);
}

int ls_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "sort", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct listing l = { 0 };
	struct rule *rules = NULL;
	size_t nrules = 0, n;
	const char *format = "json";
	cJSON **runs, *rows;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': rule_add(&rules, &nrules, optarg); break;
		case 'F': format = optarg; break;
		case 'h': fputs(ls_usage, stdout); stdout_close(); return 0;
		case 's':
			sort_by.desc = optarg[0] == '-';
			sort_by.metric = optarg + sort_by.desc;
			if (!*sort_by.metric)
				die(EXIT_USAGE, "--sort: no metric named");
			break;
		case ':': die(EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
		default: die(EXIT_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (strcmp(format, "json") && strcmp(format, "table") && strcmp(format, "markdown"))
		die(EXIT_USAGE, "--format '%s': expected json, table or markdown", format);
	if (optind == argc) {
		fputs(ls_usage, stderr);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0)
			die(EXIT_USAGE, "cannot read '%s': %s", argv[i], strerror(errno));
		if (S_ISDIR(st.st_mode))
			walk(&l, argv[i], 0);
		else
			path_add(&l, argv[i]);
	}
	if (l.n)
		qsort(l.paths, l.n, sizeof *l.paths, name_compare);
	runs = xcalloc(l.n + 1, sizeof *runs);
	n = 0;
	for (size_t i = 0; i < l.n; i++) {
		cJSON *rec;

		/* One run named twice (DIR and DIR/sub) is listed once. */
		if (i && strcmp(l.paths[i], l.paths[i - 1]) == 0)
			continue;
		rec = run_load(l.paths[i]);
		if (!rec) {
			l.bad = 1;
			continue;
		}
		runs[n] = summary_of(rec, l.paths[i]);
		cJSON_Delete(rec);
		if (filters_pass(runs[n], rules, nrules))
			n++;
		else
			cJSON_Delete(runs[n]);
	}
	if (n)
		qsort(runs, n, sizeof *runs, cmp_runs);
	rows = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(rows, runs[i]);
	if (strcmp(format, "json") == 0)
		print_json_lines(rows);
	else
		table_print(rows, strcmp(format, "markdown") == 0, term_width());
	cJSON_Delete(rows);
	free(runs);
	for (size_t i = 0; i < l.n; i++)
		free(l.paths[i]);
	free(l.paths);
	for (size_t i = 0; i < nrules; i++)
		rule_free(&rules[i]);
	free(rules);
	stdout_close();
	return l.bad ? EXIT_USAGE : EXIT_OK;
}
