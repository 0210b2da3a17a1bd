/*
 * rollback: back to the version live before the current one was promoted
 * (so repeated rollbacks walk back the promotion history), or with --to to
 * any version that was live at the stage before.
 */
#include <string.h>

#include "change.h"
#include "err.h"
#include "jsonio.h"
#include "names.h"
#include "record.h"

/* The verdict that last put version live at the stage: still its evidence. */
static const char *last_verdict(const struct model *m, const char *stage, const char *version)
{
	for (size_t i = m->log.n; i > 0; i--) {
		const cJSON *l = m->log.lines[i - 1];
		const char *s = json_get_string(l, "stage");

		if (!strcmp(json_get_string(l, "action"), "promote") && s && !strcmp(s, stage) &&
		    !strcmp(json_get_string(l, "version"), version))
			return json_get_string(json_get_object(l, "ids"), "verdict");
	}
	return NULL;
}

static const char *rollback_target(const struct stage_state *st, const struct opts *o,
				   const char *stage)
{
	const char *live = stage_live(st);

	if (!live)
		die(EXIT_NO, "nothing is live at stage '%s' of model '%s'", stage, o->model);
	if (o->to) {
		if (!stage_was_live(st, o->to))
			die(EXIT_NO, "version '%s' was never live at stage '%s'", o->to, stage);
		return o->to;
	}
	if (st->depth < 2)
		die(EXIT_NO, "nothing to roll back to at stage '%s' of model '%s'", stage, o->model);
	return st->stack[st->depth - 2];
}

int cmd_rollback(struct opts *o)
{
	struct registry reg;
	struct model m;
	const char *stage, *target;
	const cJSON *live;
	cJSON *manifest, *line;

	if (!o->model)
		die(EXIT_USAGE, "rollback needs --model");
	name_check("model", o->model);
	if (o->to)
		name_check("version", o->to);
	if (o->nargs)
		die(EXIT_USAGE, "rollback takes no operand");
	stage = change_stage_name(o);
	registry_open(&reg, o->registry);
	if (!registry_model_exists(&reg, o->model))
		die(EXIT_NO, "no model '%s' in '%s'", o->model, registry_location(&reg));
	model_open(&m, &reg, o->model, MODEL_WRITE);
	change_check_expect(&m, stage, o->expect);
	target = rollback_target(state_stage(&m.state, stage), o, stage);
	live = model_pointer(&m, stage);
	if (!strcmp(json_get_string(live, "version"), target)) {
		record_print(live, o->pretty);
	} else {
		manifest = model_manifest(&m, target);
		if (!manifest)
			die(EXIT_NO, "version '%s' of model '%s' is missing (run 'mlpromote verify')",
			    target, o->model);
		line = change_new(&m, "rollback", stage, manifest);
		json_set_string_or_null(json_get_object(line, "ids"), "verdict",
					last_verdict(&m, stage, target));
		change_commit(&m, line, o);
		cJSON_Delete(manifest);
	}
	model_close(&m);
	registry_close(&reg);
	return EXIT_OK;
}
