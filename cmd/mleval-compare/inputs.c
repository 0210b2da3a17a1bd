/*
 * Inputs are any JSON object with a "metrics" map: run, eval and status
 * records, or hand-written files. A status record that says nothing is live
 * is refused as a baseline unless --no-baseline is said out loud, so that a
 * mistyped model name can never wave a model through.
 */
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "record.h"
#include "inputs.h"

cJSON *input_read(const char *path)
{
	return record_read(path, NULL);
}

int input_not_live(const cJSON *rec)
{
	return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rec, "live"));
}

_Noreturn void input_die_not_live(const char *path)
{
	die(EXIT_USAGE, "%s: nothing is live (\"live\": false); pass --no-baseline to gate a first model",
	    file_display_name(path));
}

const cJSON *input_metrics(const cJSON *rec, const char *path)
{
	const cJSON *m = json_get_object(rec, "metrics");

	if (m == NULL)
		die(EXIT_USAGE, "%s: no \"metrics\" object", file_display_name(path));
	return m;
}

cJSON *input_describe(const cJSON *rec, const char *path)
{
	cJSON *d = cJSON_CreateObject();
	const char *kind = json_get_string(rec, "kind");

	json_set_string_or_null(d, "id", json_get_string(rec, "id"));
	json_set_string_or_null(d, "kind", kind);
	json_set_string_or_null(d, "source", path);
	json_set_string_or_null(d, "pointer", kind != NULL && strcmp(kind, "status") == 0
				? json_get_string(rec, "pointer") : NULL);
	return d;
}

void input_require_hash(const cJSON *rec, const char *path, const char *field,
			const char *hash, const char *csv)
{
	const cJSON *arr = json_get_array(rec, field);
	const cJSON *item;

	if (arr == NULL)
		die(EXIT_USAGE, "%s: no \"%s\" array to find '%s' in", file_display_name(path), field,
		    file_display_name(csv));
	cJSON_ArrayForEach(item, arr) {
		const char *h = json_get_string(item, "hash");
		if (h != NULL && strcmp(h, hash) == 0)
			return;
	}
	die(EXIT_USAGE, "%s: '%s' (%s) is not among its %s", file_display_name(path),
	    file_display_name(csv), hash, field);
}
