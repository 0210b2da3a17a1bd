/* mlrun-log's own modules: what main.c dispatches to. */
#ifndef MLRUN_LOG_RUNLOG_H
#define MLRUN_LOG_RUNLOG_H

#include "utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "strbuf.h"

/* Everything the options say about the run to record. */
struct run_opts {
	const char *rundir;     /* -d, or NULL for runs/<time>-<id> */
	const char *params_file;
	const char *data_file;  /* --data SNAPSHOT.json */
	const char *name;
	char **artifacts;       /* -a, in the order given */
	size_t nartifacts;
	cJSON *cli_params;      /* -p, typed */
	cJSON *tags;            /* -t, strings */
	char **command;         /* after --, NULL-terminated; NULL in filter mode */
	int force;
	int pretty;
};

/* ---- params.c ---- */
/* A -p value as JSON: a number (JSON grammar, fits a double), true/false, else a string. */
cJSON *param_value(const char *val);
/* Splits "KEY=VAL" and adds it to obj; dies (usage) when malformed or when
 * the key is already there. what is "-p" or "-t"; typed=0 keeps strings. */
void param_add_arg(cJSON *obj, const char *arg, const char *what, int typed);
/* The --params file: a JSON object, or flat "key: value" / KEY=VAL lines. */
cJSON *params_read_file(const char *path);
/* file params overridden by the -p ones; consumes neither. */
cJSON *params_merge(const cJSON *file, const cJSON *cli);

/* ---- metricline.c: one log line -> a metric point, or not ---- */
struct point_value {
	const char *key;        /* not NUL-terminated; decoded in the lenient path */
	size_t keylen;
	const char *num;        /* the number's text as written, for metrics.jsonl */
	size_t numlen;
	double value;           /* NaN or +-Inf for the lenient tokens */
};

struct point {
	struct point_value *v;
	size_t n, cap;
	struct strbuf keys;     /* decoded keys of the lenient path */
};

/* 1 when line is a JSON object of numbers (the fast path, then the lenient
 * one); the members land in pt (reset first). 0 otherwise. */
int point_parse(struct point *pt, const char *line, size_t len);
void point_release(struct point *pt);
/* Scans a JSON number (or NaN, Infinity, -Infinity) at s; its length, or 0. */
size_t number_scan(const char *s, const char *end, double *out);

/* ---- metrics.c: the series, its statistics, metrics.jsonl ---- */
struct metrics;
/* Writes the points to path (atomically, at metrics_commit). */
struct metrics *metrics_open(const char *path);
/* Feeds a block of log bytes; lines may straddle blocks. */
void metrics_feed(struct metrics *m, const char *buf, size_t len);
/* End of the log: the unterminated last line, if any, counts. */
void metrics_finish(struct metrics *m);
/* Flushes metrics.jsonl into place. */
void metrics_commit(struct metrics *m);
/* New objects for the record: last values, and {min,max,count,nan_count,last_step}. */
cJSON *metrics_last(const struct metrics *m);
cJSON *metrics_stats(const struct metrics *m);
void metrics_free(struct metrics *m);

/* ---- capture.c: the two modes ---- */
/* Echoes stdin to stderr, feeding m. 0 at the end of the log, or the
 * signal (SIGINT, SIGTERM, SIGHUP) that cut it short. */
int capture_filter(struct metrics *m);
/* Runs argv with its output through m; fills the child's fate.
 * Returns 0, or 126/127 (cannot execute / not found, after a message). */
struct child_fate {
	int exit_code;   /* -1 when killed */
	int signal;      /* 0 when it exited */
};
int capture_command(char **argv, struct metrics *m, struct child_fate *fate);

/* ---- echo.c ---- */
/* Writes to stderr; a reader that went away never stops the run. */
void echo_write(const char *buf, size_t len);

/* ---- envinfo.c ---- */
/* {host, user, cwd, git, ci, versions}: taken when the run starts. */
cJSON *envinfo_collect(void);
/* {commit, dirty} when cwd is in a git work tree, else JSON null. */
cJSON *gitinfo_collect(void);

/* ---- run.c: the run directory and the record ---- */
struct run;
struct run *run_begin(const struct run_opts *o);
const char *run_metrics_path(const struct run *r);
/* Builds, writes and prints the record. status: finished|failed|killed. */
void run_end(struct run *r, struct metrics *m, const struct child_fate *fate);
void run_free(struct run *r);

/* ---- ls.c ---- */
int ls_main(int argc, char **argv);

/* ---- table.c: the human views of ls ---- */
/* rows are run summaries; format is "table" or "markdown". */
void table_print(const cJSON *rows, int markdown, int width);

#endif
