/*
 * promote: makes a version live at a stage, only on the evidence of a verdict
 * that passed, judged this version against what is live there right now.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "change.h"
#include "err.h"
#include "jsonio.h"
#include "names.h"
#include "record.h"
#include "xalloc.h"

static void check_arguments(const struct opts *o)
{
	if (!o->model || !o->version)
		die(EXIT_USAGE, "promote needs --model and --version");
	name_check("model", o->model);
	name_check("version", o->version);
	if (o->force && (!o->reason || !*o->reason))
		die(EXIT_USAGE, "--force needs --reason TEXT");
	if (o->reason && !o->force)
		die(EXIT_USAGE, "--reason goes with --force");
	if (!o->force && !o->verdict)
		die(EXIT_USAGE, "promote needs --verdict FILE (or --force --reason TEXT)");
	if (o->approved_by && !*o->approved_by)
		die(EXIT_USAGE, "--approved-by is empty");
	if (o->nargs)
		die(EXIT_USAGE, "promote takes no operand");
}

static cJSON *read_verdict(const char *path)
{
	cJSON *v = record_read(path, "verdict");
	const cJSON *base = json_get(v, "baseline");

	if (!cJSON_IsBool(json_get(v, "pass")) || !json_get_object(v, "candidate") ||
	    !(cJSON_IsNull(base) || cJSON_IsObject(base)))
		die(EXIT_USAGE, "%s: not a complete verdict (pass, baseline, candidate)", path);
	return v;
}

/* The verdict must have passed, judged this version, against the live pointer. */
static void check_verdict(const cJSON *v, const struct opts *o, const cJSON *manifest,
			  const cJSON *live)
{
	const char *cand = json_get_string(json_get_object(v, "candidate"), "id");
	const char *run = json_get_string(manifest, "run");
	const cJSON *base = json_get(v, "baseline");
	const char *base_ptr = json_get_string(base, "pointer");

	if (!cJSON_IsTrue(json_get(v, "pass")))
		die(EXIT_NO, "%s: the verdict did not pass", o->verdict);
	if (!cand || ((!run || strcmp(cand, run)) && strcmp(cand, json_get_string(manifest, "id"))))
		die(EXIT_NO, "%s: the verdict's candidate is not version '%s' (its run or manifest)",
		    o->verdict, o->version);
	if (cJSON_IsNull(base) && live)
		die(EXIT_NO, "%s: stale verdict: taken with no baseline, but version '%s' is live",
		    o->verdict, json_get_string(live, "version"));
	if (!cJSON_IsNull(base) && !live)
		die(EXIT_NO, "%s: stale verdict: taken against a baseline, but nothing is live",
		    o->verdict);
	if (live && (!base_ptr || strcmp(base_ptr, json_get_string(live, "id"))))
		die(EXIT_NO, "%s: stale verdict: its baseline is not the live pointer (seq %g)",
		    o->verdict, json_get(live, "seq")->valuedouble);
}

/* A stage may not take a version's name, as a version may not take a stage's. */
static void check_not_a_version(const struct model *m, const char *stage)
{
	char *rel = xasprintf("versions/%s", stage);
	char *path = registry_model_file(m->reg, m->name, rel);
	struct stat st;

	if (stat(path, &st) == 0)
		die(EXIT_USAGE, "stage '%s' takes the name of a version of model '%s'", stage, m->name);
	free(rel);
	free(path);
}

int cmd_promote(struct opts *o)
{
	struct registry reg;
	struct model m;
	const char *stage;
	const cJSON *live;
	cJSON *verdict = NULL, *manifest, *line;

	check_arguments(o);
	stage = change_stage_name(o);
	if (o->verdict)
		verdict = read_verdict(o->verdict);
	registry_open(&reg, o->registry);
	if (o->require_approval)
		registry_require_approval(&reg, o->require_approval);
	if (!registry_model_exists(&reg, o->model))
		die(EXIT_NO, "no model '%s' in '%s'", o->model, registry_location(&reg));
	model_open(&m, &reg, o->model, MODEL_WRITE);
	check_not_a_version(&m, stage);
	manifest = model_manifest(&m, o->version);
	if (!manifest)
		die(EXIT_NO, "version '%s' of model '%s' is not published", o->version, o->model);
	change_check_expect(&m, stage, o->expect);
	live = model_pointer(&m, stage);
	if (live && !strcmp(json_get_string(live, "version"), o->version)) {
		record_print(live, o->pretty);
	} else {
		if (registry_needs_approval(&reg, stage) && !o->approved_by)
			die(EXIT_NO, "stage '%s' needs --approved-by", stage);
		if (!o->force)
			check_verdict(verdict, o, manifest, live);
		line = change_new(&m, "promote", stage, manifest);
		json_set_string_or_null(line, "approved_by", o->approved_by);
		json_set(line, "forced", cJSON_CreateBool(o->force));
		json_set_string_or_null(line, "reason", o->reason);
		json_set_string_or_null(json_get_object(line, "ids"), "verdict",
					json_get_string(verdict, "id"));
		change_commit(&m, line, o);
	}
	cJSON_Delete(manifest);
	cJSON_Delete(verdict);
	model_close(&m);
	registry_close(&reg);
	return EXIT_OK;
}
