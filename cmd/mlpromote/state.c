/* The promotion history of each stage, replayed from the audit log. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jsonio.h"
#include "state.h"
#include "xalloc.h"

static void push(const char ***list, size_t *n, const char *v)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = v;
}

struct stage_state *state_stage(const struct model_state *s, const char *stage)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->stages[i].name, stage))
			return &s->stages[i];
	return NULL;
}

static struct stage_state *add_stage(struct model_state *s, const char *stage)
{
	struct stage_state *st = state_stage(s, stage);

	if (st)
		return st;
	s->stages = xreallocarray(s->stages, s->n + 1, sizeof *s->stages);
	st = &s->stages[s->n++];
	memset(st, 0, sizeof *st);
	st->name = stage;
	return st;
}

const char *stage_live(const struct stage_state *st)
{
	return st && st->depth ? st->stack[st->depth - 1] : NULL;
}

int stage_was_live(const struct stage_state *st, const char *version)
{
	for (size_t i = 0; st && i < st->never; i++)
		if (!strcmp(st->ever[i], version))
			return 1;
	return 0;
}

/* Rolling back pops to the version below, or to --to's version. */
static void roll_back(struct stage_state *st, const char *version)
{
	size_t i = st->depth;

	while (i > 0 && strcmp(st->stack[i - 1], version))
		i--;
	if (i > 0 && i < st->depth)
		st->depth = i;
	else
		push(&st->stack, &st->depth, version);
}

/* Applies one promote or rollback line. 0, or -1 when it contradicts the history. */
static int apply_change(struct stage_state *st, const cJSON *line, const char *where)
{
	const char *action = json_get_string(line, "action");
	const char *version = json_get_string(line, "version");
	const char *previous = json_get_string(line, "previous");
	const char *live = stage_live(st);
	double seq;

	if (!json_get_number(line, "seq", &seq) || seq != (double)(st->seq + 1)) {
		check_fail(where, "seq is not %lld", st->seq + 1);
		return -1;
	}
	if ((live == NULL) != (previous == NULL) || (live && strcmp(live, previous))) {
		check_fail(where, "previous is not the version live then");
		return -1;
	}
	if (!strcmp(action, "rollback") && !stage_was_live(st, version)) {
		check_fail(where, "rollback to a version never live at stage '%s'", st->name);
		return -1;
	}
	if (!strcmp(action, "rollback"))
		roll_back(st, version);
	else
		push(&st->stack, &st->depth, version);
	if (!stage_was_live(st, version))
		push(&st->ever, &st->never, version);
	st->seq++;
	st->last = line;
	return 0;
}

void state_build(struct model_state *s, const struct audit_log *log)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < log->n; i++) {
		const cJSON *line = log->lines[i];
		const char *action = json_get_string(line, "action");
		const char *stage = json_get_string(line, "stage");
		char *where;
		int bad = 0;

		if (!strcmp(action, "publish"))
			continue;
		where = audit_where(log, i + 1);
		if (!stage) {
			check_fail(where, "no stage");
			bad = 1;
		} else if (!state_published(log, json_get_string(line, "version"))) {
			check_fail(where, "version '%s' was never published",
				   json_get_string(line, "version"));
			bad = 1;
		} else {
			bad = apply_change(add_stage(s, stage), line, where) < 0;
		}
		free(where);
		if (bad)
			break;
	}
}

void state_release(struct model_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->stages[i].stack);
		free(s->stages[i].ever);
	}
	free(s->stages);
	memset(s, 0, sizeof *s);
}

const cJSON *state_published(const struct audit_log *log, const char *version)
{
	for (size_t i = 0; version && i < log->n; i++) {
		const char *a = json_get_string(log->lines[i], "action");
		const char *v = json_get_string(log->lines[i], "version");

		if (!strcmp(a, "publish") && !strcmp(v, version))
			return log->lines[i];
	}
	return NULL;
}
