/*
 * A verdict is a record (its id names exactly what was judged against what);
 * the table, markdown and JUnit views are written beside it, each file
 * atomically, and the markdown is appended to $GITHUB_STEP_SUMMARY.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "ci.h"
#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "record.h"
#include "report.h"
#include "verdict.h"

cJSON *verdict_build(cJSON *base, cJSON *cand, cJSON *bootstrap, cJSON *checks, int pass)
{
	cJSON *v = cJSON_CreateObject();

	json_set(v, "pass", cJSON_CreateBool(pass));
	json_set(v, "baseline", base != NULL ? base : cJSON_CreateNull());
	json_set(v, "candidate", cand);
	json_set(v, "bootstrap", bootstrap != NULL ? bootstrap : cJSON_CreateNull());
	json_set(v, "checks", checks);
	json_set(v, "ci", ci_context());
	record_finish(v, "verdict");
	return v;
}

static void write_report(const char *path, void (*view)(const cJSON *, struct strbuf *),
			 const cJSON *verdict)
{
	struct strbuf sb = STRBUF_INIT;

	view(verdict, &sb);
	atomicfile_replace_or_die(path, sb.buf, sb.len, 0644);
	strbuf_release(&sb);
}

/* The step summary is GitHub's file to append to, not ours to replace. */
static void append_step_summary(const char *path, const cJSON *verdict)
{
	struct strbuf sb = STRBUF_INIT;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die_errno("cannot open '%s'", path);
	report_markdown(verdict, &sb);
	if (write_all(fd, sb.buf, sb.len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		die_errno("cannot write '%s'", path);
	}
	if (close(fd) < 0)
		die_errno("cannot write '%s'", path);
	strbuf_release(&sb);
}

int verdict_emit(const struct opts *o, const cJSON *verdict)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	struct strbuf sb = STRBUF_INIT;

	if (o->junit_path != NULL)
		write_report(o->junit_path, report_junit, verdict);
	if (o->markdown_path != NULL)
		write_report(o->markdown_path, report_markdown, verdict);
	if (summary != NULL && summary[0] != '\0')
		append_step_summary(summary, verdict);
	switch (o->format) {
	case FORMAT_JSON:
		record_print(verdict, o->pretty);
		break;
	case FORMAT_TABLE:
		report_table(verdict, &sb);
		break;
	case FORMAT_MARKDOWN:
		report_markdown(verdict, &sb);
		break;
	case FORMAT_JUNIT:
		report_junit(verdict, &sb);
		break;
	}
	if (sb.len > 0)
		stdout_write(sb.buf, sb.len);
	strbuf_release(&sb);
	return cJSON_IsTrue(json_get(verdict, "pass")) ? EXIT_OK : EXIT_NO;
}
