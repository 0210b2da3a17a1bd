/*
 * The run directory and the run record. Everything that can be refused is
 * refused before the command starts (params, snapshot, an existing run, a
 * directory we cannot write), so that a long training job is never thrown
 * away at the end for a typo.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"
#include "hash.h"
#include "jsonio.h"
#include "record.h"
#include "runlog.h"
#include "timefmt.h"
#include "xalloc.h"

struct run {
	const struct run_opts *o;
	char *dir, *metrics_path, *run_json;
	cJSON *params, *data, *env;
	char started_at[TIME_STR_LEN];
	double t0;
};

/* The run directory we made, removed at exit if still empty: a run that
 * never got recorded leaves nothing behind. */
static char *made_dir;

static void made_dir_remove(void)
{
	if (made_dir) {
		rmdir(made_dir);
		free(made_dir);
		made_dir = NULL;
	}
}

static int errno_status(int e)
{
	switch (e) {
	case EACCES: case EPERM: case EROFS: case ENOTDIR: case EEXIST:
	case ENAMETOOLONG: case ELOOP: case ENOENT:
		return EXIT_USAGE;
	default:
		return EXIT_IO;
	}
}

static void made_dir_set(const char *dir)
{
	made_dir = xstrdup(dir);
	atexit(made_dir_remove);
}

/* runs/<UTC time>-<8 hex>: the time sorts, the suffix keeps parallel runs apart. */
static char *rundir_default(void)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32], hash[HASH_STR_LEN];

	if (mkdir_p("runs", 0777) < 0)
		die(errno_status(errno), "cannot create 'runs': %s", strerror(errno));
	for (int attempt = 0; attempt < 16; attempt++) {
		long seed[3];
		char *dir;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed[0] = (long)ts.tv_sec;
		seed[1] = ts.tv_nsec;
		seed[2] = (long)getpid() * 16 + attempt;
		hash_buf_str(seed, sizeof seed, hash);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
		dir = xasprintf("runs/%s-%.8s", stamp, hash + 7);
		if (mkdir(dir, 0777) == 0) {
			made_dir_set(dir);
			return dir;
		}
		if (errno != EEXIST)
			die(errno_status(errno), "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
	}
	die(EXIT_IO, "cannot find a free run directory under 'runs'");
}

static void rundir_prepare(const char *dir, int force, const char *run_json)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			die(EXIT_USAGE, "run directory '%s' is not a directory", dir);
	} else if (errno == ENOENT) {
		if (mkdir_p(dir, 0777) < 0)
			die(errno_status(errno), "cannot create run directory '%s': %s", dir, strerror(errno));
		made_dir_set(dir);
	} else {
		die(errno_status(errno), "cannot use run directory '%s': %s", dir, strerror(errno));
	}
	if (!force && lstat(run_json, &st) == 0)
		die(EXIT_USAGE, "'%s' already holds a run; use --force to replace it", dir);
}

static void artifacts_check(const struct run_opts *o)
{
	for (size_t i = 0; i < o->nartifacts; i++) {
		if (!utf8_valid(o->artifacts[i]))
			die(EXIT_USAGE, "-a: a path that is not valid UTF-8 cannot go into a record");
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->artifacts[i], o->artifacts[j]) == 0)
				die(EXIT_USAGE, "-a '%s': artifact given twice", o->artifacts[i]);
	}
}

struct run *run_begin(const struct run_opts *o)
{
	struct run *r = xcalloc(1, sizeof *r);
	cJSON *file = o->params_file ? params_read_file(o->params_file) : NULL;

	r->o = o;
	r->params = params_merge(file, o->cli_params);
	cJSON_Delete(file);
	if (o->data_file) {
		cJSON *snap = record_read(o->data_file, "snapshot");
		r->data = cJSON_CreateObject();
		json_set_string_or_null(r->data, "snapshot", json_get_string(snap, "id"));
		cJSON_Delete(snap);
	} else {
		r->data = cJSON_CreateNull();
	}
	artifacts_check(o);
	if (o->rundir) {
		r->dir = xstrdup(o->rundir);
		r->run_json = xasprintf("%s/run.json", r->dir);
		rundir_prepare(r->dir, o->force, r->run_json);
	} else {
		r->dir = rundir_default();
		r->run_json = xasprintf("%s/run.json", r->dir);
	}
	r->metrics_path = xasprintf("%s/metrics.jsonl", r->dir);
	r->env = envinfo_collect();
	time_format(time(NULL), r->started_at);
	r->t0 = time_now_precise();
	return r;
}

const char *run_metrics_path(const struct run *r)
{
	return r->metrics_path;
}

/* [{path, size, hash}], hashed now that the command has written them. A
 * missing one fails a finished run; a failed run records what there is. */
static cJSON *artifacts_hash(const struct run_opts *o, int finished)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < o->nartifacts; i++) {
		char hash[HASH_STR_LEN];
		uint64_t size;
		cJSON *a;

		if (hash_file(o->artifacts[i], hash, &size) < 0) {
			if (finished)
				die(errno_status(errno) == EXIT_USAGE || errno == EISDIR ? EXIT_USAGE : EXIT_IO,
				    "cannot read artifact '%s': %s", o->artifacts[i], strerror(errno));
			warnmsg("artifact '%s' left out: %s", o->artifacts[i], strerror(errno));
			continue;
		}
		a = cJSON_CreateObject();
		json_set_string_or_null(a, "path", o->artifacts[i]);
		json_set(a, "size", cJSON_CreateNumber((double)size));
		json_set_string_or_null(a, "hash", hash);
		cJSON_AddItemToArray(arr, a);
	}
	return arr;
}

static cJSON *command_array(char **argv)
{
	cJSON *arr;

	if (!argv)
		return cJSON_CreateNull();
	arr = cJSON_CreateArray();
	for (; *argv; argv++) {
		char *arg = utf8_sanitize(*argv);
		cJSON_AddItemToArray(arr, cJSON_CreateString(arg));
		free(arg);
	}
	return arr;
}

static const char *status_of(const struct child_fate *fate)
{
	if (!fate)
		return "finished";
	if (fate->signal)
		return "killed";
	return fate->exit_code == 0 ? "finished" : "failed";
}

static cJSON *int_or_null(int v, int present)
{
	return present ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

void run_end(struct run *r, struct metrics *m, const struct child_fate *fate)
{
	const char *status = status_of(fate);
	char ended_at[TIME_STR_LEN];
	double duration = time_now_precise() - r->t0;
	cJSON *rec = cJSON_CreateObject();

	time_format(time(NULL), ended_at);
	/* The series first: a run.json always has its metrics.jsonl beside it. */
	metrics_commit(m);
	json_set_string_or_null(rec, "name", r->o->name);
	json_set_string_or_null(rec, "status", status);
	json_set(rec, "exit_code", int_or_null(fate ? fate->exit_code : 0, fate && !fate->signal));
	json_set(rec, "signal", int_or_null(fate ? fate->signal : 0, fate && fate->signal));
	json_set_string_or_null(rec, "started_at", r->started_at);
	json_set_string_or_null(rec, "ended_at", ended_at);
	json_set(rec, "duration_s", cJSON_CreateNumber(round(duration * 1000) / 1000));
	json_set(rec, "params", r->params);
	json_set(rec, "metrics", metrics_last(m));
	json_set(rec, "metric_stats", metrics_stats(m));
	json_set(rec, "data", r->data);
	json_set(rec, "artifacts", artifacts_hash(r->o, !strcmp(status, "finished")));
	json_set(rec, "env", r->env);
	json_set(rec, "tags", cJSON_Duplicate(r->o->tags, 1));
	json_set(rec, "command", command_array(r->o->command));
	r->params = r->data = r->env = NULL;
	record_finish(rec, "run");
	record_write_file(r->run_json, rec);
	free(made_dir);
	made_dir = NULL;
	record_print(rec, r->o->pretty);
	cJSON_Delete(rec);
}

void run_free(struct run *r)
{
	if (!r)
		return;
	cJSON_Delete(r->params);
	cJSON_Delete(r->data);
	cJSON_Delete(r->env);
	free(r->dir);
	free(r->metrics_path);
	free(r->run_json);
	free(r);
}
