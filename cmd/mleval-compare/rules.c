/*
 * Rules come from --rule options (errors name the option's index among
 * them) and from --policy files, either JSON {"rules": [...]} or one rule a
 * line with # comments (errors name FILE:LINE:COL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "xalloc.h"
#include "rules.h"

static void rules_push(struct ruleset *rs, const struct rule *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xreallocarray(rs->v, rs->cap, sizeof(*rs->v));
	}
	rs->v[rs->n++] = *r;
}

void rules_add_arg(struct ruleset *rs, const char *text)
{
	struct rule r;
	struct rule_error e;

	rs->nargs++;
	if (rule_parse(text, &r, &e) < 0)
		die(EXIT_USAGE, "--rule %zu:%d: %s", rs->nargs, e.col, e.msg);
	rules_push(rs, &r);
}

/* Line and column (1-based) of byte offset off in buf. */
static void position_of(const char *buf, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * cJSON keeps no positions: the rule's string is found again in the text
 * (after the previous one) to point at the error. A rule written with
 * escapes is not found; the message then names its index instead.
 */
static void die_json_rule(const char *path, const char *buf, size_t *from,
			  size_t index, const char *text, const struct rule_error *e)
{
	size_t tlen = strlen(text);
	const char *p = buf + *from;

	while ((p = strchr(p, '"')) != NULL) {
		if (strncmp(p + 1, text, tlen) == 0 && p[1 + tlen] == '"') {
			int line, col;
			position_of(buf, (size_t)(p + 1 - buf), &line, &col);
			die(EXIT_USAGE, "%s:%d:%d: %s", path, line, col + e->col - 1, e->msg);
		}
		p++;
	}
	die(EXIT_USAGE, "%s: rules[%zu]:%d: %s", path, index, e->col, e->msg);
}

static void load_json_policy(struct ruleset *rs, const char *path, const char *buf, size_t len)
{
	struct json_error je;
	cJSON *doc = json_parse_strict(buf, len, &je);
	const cJSON *arr, *item;
	size_t i = 0, from = 0;

	if (doc == NULL)
		die(EXIT_USAGE, "%s:%d:%d: %s", path, je.line, je.col, je.msg);
	arr = json_get_array(doc, "rules");
	if (!cJSON_IsObject(doc) || arr == NULL) {
		cJSON_Delete(doc);
		die(EXIT_USAGE, "%s: expected an object with a \"rules\" array", path);
	}
	cJSON_ArrayForEach(item, arr) {
		struct rule r;
		struct rule_error e;
		if (!cJSON_IsString(item)) {
			cJSON_Delete(doc);
			die(EXIT_USAGE, "%s: rules[%zu]: not a string", path, i);
		}
		if (rule_parse(item->valuestring, &r, &e) < 0)
			die_json_rule(path, buf, &from, i, item->valuestring, &e);
		rules_push(rs, &r);
		i++;
	}
	cJSON_Delete(doc);
}

static void load_line_policy(struct ruleset *rs, const char *path, char *buf)
{
	int lineno = 0;
	char *line = buf;

	while (line != NULL && *line != '\0') {
		char *next = strchr(line, '\n');
		char *end, *start = line;
		struct rule r;
		struct rule_error e;

		if (next != NULL)
			*next++ = '\0';
		lineno++;
		end = strchr(line, '#');
		if (end == NULL)
			end = line + strlen(line);
		while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		*end = '\0';
		while (*start == ' ' || *start == '\t')
			start++;
		if (*start != '\0') {
			if (rule_parse(start, &r, &e) < 0)
				die(EXIT_USAGE, "%s:%d:%d: %s", path, lineno,
				    (int)(start - line) + e.col, e.msg);
			rules_push(rs, &r);
		}
		line = next;
	}
}

void rules_load_policy(struct ruleset *rs, const char *path)
{
	size_t len, i = 0;
	char *buf = file_read_or_die(path, &len);

	if (memchr(buf, '\0', len) != NULL)
		die(EXIT_USAGE, "%s: not a text file", path);
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	if (i < len && buf[i] == '{')
		load_json_policy(rs, path, buf, len);
	else
		load_line_policy(rs, path, buf);
	free(buf);
}

void rules_release(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = rs->cap = 0;
}
