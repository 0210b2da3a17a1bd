/* Pointers, rebuilt from their audit lines. */
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "jsonio.h"
#include "pointer.h"
#include "record.h"

void copy_field(cJSON *dst, const char *dkey, const cJSON *src, const char *skey)
{
	const cJSON *v = json_get(src, skey);

	json_set(dst, dkey, v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
}

cJSON *pointer_from_audit(const cJSON *line)
{
	const cJSON *ids = json_get_object(line, "ids");
	cJSON *p = cJSON_CreateObject();

	copy_field(p, "model", line, "model");
	copy_field(p, "stage", line, "stage");
	copy_field(p, "version", line, "version");
	copy_field(p, "seq", line, "seq");
	copy_field(p, "previous", line, "previous");
	copy_field(p, "manifest", ids, "manifest");
	copy_field(p, "run", ids, "run");
	copy_field(p, "snapshot", ids, "snapshot");
	copy_field(p, "verdict", ids, "verdict");
	copy_field(p, "promoted_by", line, "actor");
	copy_field(p, "approved_by", line, "approved_by");
	copy_field(p, "action", line, "action");
	copy_field(p, "forced", line, "forced");
	copy_field(p, "reason", line, "reason");
	copy_field(p, "created_at", line, "created_at");
	record_finish(p, "pointer");
	return p;
}

int pointer_file_matches(const char *path, const cJSON *pointer)
{
	size_t have_len, want_len;
	char *have, *want;
	int same;

	if (file_read(path, &have, &have_len) < 0)
		return -1;
	want = record_serialize(pointer, &want_len);
	same = have_len == want_len && !memcmp(have, want, want_len);
	free(have);
	free(want);
	return same;
}
