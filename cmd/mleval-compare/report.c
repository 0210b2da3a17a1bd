/*
 * The verdict's checks as a terminal table, a markdown table with ✅/❌ (for
 * pull requests and $GITHUB_STEP_SUMMARY) and JUnit XML (one testcase per
 * rule, for Jenkins' junit step). All three are views of the JSON verdict.
 */
#include <string.h>

#include "jsonio.h"
#include "report.h"

struct tally {
	int pass, fail, skipped;
};

static struct tally count_checks(const cJSON *checks)
{
	struct tally t = { 0, 0, 0 };
	const cJSON *c;

	cJSON_ArrayForEach(c, checks) {
		const char *s = json_get_string(c, "status");
		if (s == NULL)
			continue;
		if (strcmp(s, "pass") == 0)
			t.pass++;
		else if (strcmp(s, "fail") == 0)
			t.fail++;
		else
			t.skipped++;
	}
	return t;
}

/* A number field as text: "-" when null. */
static void add_value(struct strbuf *sb, const cJSON *c, const char *key, int sign)
{
	double v;

	if (json_get_number(c, key, &v))
		strbuf_addf(sb, sign ? "%+.6g" : "%.6g", v);
	else
		strbuf_addch(sb, '-');
}

static void add_interval(struct strbuf *sb, const cJSON *c)
{
	const cJSON *iv = json_get_array(c, "interval");

	if (iv == NULL || cJSON_GetArraySize(iv) != 2) {
		strbuf_addch(sb, '-');
		return;
	}
	strbuf_addf(sb, "[%.6g, %.6g]", cJSON_GetArrayItem(iv, 0)->valuedouble,
		    cJSON_GetArrayItem(iv, 1)->valuedouble);
}

static const char *str_or(const cJSON *c, const char *key, const char *dflt)
{
	const char *s = json_get_string(c, key);
	return s != NULL ? s : dflt;
}

/* Pads the text added since mark to width columns (bytes: rules are ASCII). */
static void pad_to(struct strbuf *sb, size_t mark, size_t width)
{
	size_t used = sb->len - mark;

	while (used++ < width + 2)
		strbuf_addch(sb, ' ');
}

void report_table(const cJSON *verdict, struct strbuf *sb)
{
	const cJSON *checks = json_get_array(verdict, "checks");
	const cJSON *c;
	size_t wrule = strlen("RULE");
	struct tally t = count_checks(checks);

	cJSON_ArrayForEach(c, checks) {
		size_t l = strlen(str_or(c, "rule", ""));
		if (l > wrule)
			wrule = l;
	}
	strbuf_addf(sb, "%-7s  %-*s  %-12s  %-12s  %-12s  %s\n", "STATUS", (int)wrule, "RULE",
		    "BASELINE", "CANDIDATE", "DELTA", "INTERVAL");
	cJSON_ArrayForEach(c, checks) {
		size_t mark;
		strbuf_addf(sb, "%-7s  %-*s  ", str_or(c, "status", "?"), (int)wrule,
			    str_or(c, "rule", ""));
		mark = sb->len;
		add_value(sb, c, "baseline", 0);
		pad_to(sb, mark, 12);
		mark = sb->len;
		add_value(sb, c, "candidate", 0);
		pad_to(sb, mark, 12);
		mark = sb->len;
		add_value(sb, c, "delta", 1);
		pad_to(sb, mark, 12);
		add_interval(sb, c);
		strbuf_addf(sb, "\n%-7s  %s\n", "", str_or(c, "reason", ""));
	}
	strbuf_addf(sb, "verdict: %s (%d passed, %d failed, %d skipped)\n",
		    cJSON_IsTrue(json_get(verdict, "pass")) ? "pass" : "fail", t.pass, t.fail, t.skipped);
}

/* Markdown table cells: a | would end the cell, a newline the row. */
static void add_cell(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			strbuf_addstr(sb, "\\|");
		else if (*s == '\n' || *s == '\r')
			strbuf_addch(sb, ' ');
		else
			strbuf_addch(sb, *s);
	}
}

static const char *status_mark(const char *status)
{
	if (strcmp(status, "pass") == 0)
		return "✅";
	if (strcmp(status, "fail") == 0)
		return "❌";
	return "➖";
}

static void add_side(struct strbuf *sb, const char *label, const cJSON *side)
{
	if (!cJSON_IsObject(side)) {
		strbuf_addf(sb, "%s: none (--no-baseline)", label);
		return;
	}
	strbuf_addf(sb, "%s: `", label);
	add_cell(sb, str_or(side, "source", "-"));
	strbuf_addf(sb, "` (%s `%.19s`)", str_or(side, "kind", "record"), str_or(side, "id", "-"));
}

void report_markdown(const cJSON *verdict, struct strbuf *sb)
{
	const cJSON *checks = json_get_array(verdict, "checks");
	const cJSON *c;
	int pass = cJSON_IsTrue(json_get(verdict, "pass"));
	struct tally t = count_checks(checks);

	strbuf_addf(sb, "### %s Eval gate %s: %d passed, %d failed, %d skipped\n\n",
		    pass ? "✅" : "❌", pass ? "passed" : "failed", t.pass, t.fail, t.skipped);
	add_side(sb, "Candidate", json_get(verdict, "candidate"));
	strbuf_addstr(sb, "<br>\n");
	add_side(sb, "Baseline", json_get(verdict, "baseline"));
	strbuf_addstr(sb, "\n\n| | Rule | Baseline | Candidate | Delta | Interval | Reason |\n");
	strbuf_addstr(sb, "|:-:|---|--:|--:|--:|---|---|\n");
	cJSON_ArrayForEach(c, checks) {
		strbuf_addf(sb, "| %s | `", status_mark(str_or(c, "status", "")));
		add_cell(sb, str_or(c, "rule", ""));
		strbuf_addstr(sb, "` | ");
		add_value(sb, c, "baseline", 0);
		strbuf_addstr(sb, " | ");
		add_value(sb, c, "candidate", 0);
		strbuf_addstr(sb, " | ");
		add_value(sb, c, "delta", 1);
		strbuf_addstr(sb, " | ");
		add_interval(sb, c);
		strbuf_addstr(sb, " | ");
		add_cell(sb, str_or(c, "reason", ""));
		strbuf_addstr(sb, " |\n");
	}
	strbuf_addch(sb, '\n');
}

static void add_xml(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		default:
			/* XML 1.0 allows no control characters but tab and newlines. */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
				strbuf_addch(sb, ' ');
			else
				strbuf_addch(sb, *s);
		}
	}
}

void report_junit(const cJSON *verdict, struct strbuf *sb)
{
	const cJSON *checks = json_get_array(verdict, "checks");
	const cJSON *c;
	struct tally t = count_checks(checks);
	int n = t.pass + t.fail + t.skipped;

	strbuf_addstr(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(sb, "<testsuites name=\"mleval-compare\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n",
		    n, t.fail, t.skipped);
	strbuf_addf(sb, "  <testsuite name=\"mleval-compare\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n",
		    n, t.fail, t.skipped);
	cJSON_ArrayForEach(c, checks) {
		const char *status = str_or(c, "status", "");
		const char *reason = str_or(c, "reason", "");

		strbuf_addstr(sb, "    <testcase classname=\"mleval-compare.");
		add_xml(sb, str_or(c, "metric", ""));
		strbuf_addstr(sb, "\" name=\"");
		add_xml(sb, str_or(c, "rule", ""));
		strbuf_addstr(sb, "\" time=\"0\">\n");
		if (strcmp(status, "fail") == 0) {
			strbuf_addstr(sb, "      <failure type=\"gate\" message=\"");
			add_xml(sb, reason);
			strbuf_addstr(sb, "\">");
			add_xml(sb, reason);
			strbuf_addstr(sb, "</failure>\n");
		} else if (strcmp(status, "skipped") == 0) {
			strbuf_addstr(sb, "      <skipped message=\"");
			add_xml(sb, reason);
			strbuf_addstr(sb, "\"/>\n");
		} else {
			strbuf_addstr(sb, "      <system-out>");
			add_xml(sb, reason);
			strbuf_addstr(sb, "</system-out>\n");
		}
		strbuf_addstr(sb, "    </testcase>\n");
	}
	strbuf_addstr(sb, "  </testsuite>\n</testsuites>\n");
}
