/* Committing a stage change: audit line first, then the pointer. */
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "ci.h"
#include "err.h"
#include "jsonio.h"
#include "names.h"
#include "pointer.h"
#include "record.h"
#include "sign.h"
#include "timefmt.h"
#include "change.h"

const char *change_stage_name(const struct opts *o)
{
	const char *stage = o->stage ? o->stage : DEFAULT_STAGE;

	name_check("stage", stage);
	return stage;
}

void change_check_expect(const struct model *m, const char *stage, long long expect)
{
	long long seq = model_seq(m, stage);

	if (expect >= 0 && expect != seq)
		die(EXIT_NO, "stage '%s' of model '%s' is at seq %lld, not %lld: another change came first",
		    stage, m->name, seq, expect);
}

cJSON *change_new(struct model *m, const char *action, const char *stage,
		  const cJSON *manifest)
{
	cJSON *line = audit_new(&m->log, action);
	cJSON *ids = json_get_object(line, "ids");
	const cJSON *live = model_pointer(m, stage);

	json_set_string_or_null(line, "stage", stage);
	copy_field(line, "version", manifest, "version");
	json_set(line, "seq", cJSON_CreateNumber((double)(model_seq(m, stage) + 1)));
	json_set_string_or_null(line, "previous", json_get_string(live, "version"));
	json_set_string_or_null(line, "actor", ci_actor());
	copy_field(ids, "manifest", manifest, "id");
	copy_field(ids, "run", manifest, "run");
	copy_field(ids, "snapshot", manifest, "snapshot");
	json_set(ids, "verdict", cJSON_CreateNull());
	return line;
}

void change_commit(struct model *m, cJSON *line, const struct opts *o)
{
	char now[TIME_STR_LEN];
	char *bytes, *sig = NULL, *sig_path = NULL;
	size_t len;
	cJSON *pointer;

	time_now_str(now);
	json_set(line, "created_at", cJSON_CreateString(now));
	pointer = pointer_from_audit(line);
	copy_field(json_get_object(line, "ids"), "pointer", pointer, "id");
	bytes = record_serialize(pointer, &len);
	if (o->seckey)
		sig = sign_pointer(o->seckey, pointer, bytes, len);
	audit_append(&m->log, line);
	model_write_pointer(m, pointer);
	if (sig) {
		sig_path = model_sig_path(m, json_get_string(pointer, "stage"));
		atomicfile_replace_or_die(sig_path, sig, strlen(sig), 0644);
	}
	model_push(m);
	record_print(pointer, o->pretty);
	free(sig_path);
	free(sig);
	free(bytes);
	cJSON_Delete(pointer);
}
