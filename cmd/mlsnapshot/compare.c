#include <string.h>

#include "compare.h"
#include "err.h"
#include "exclude.h"
#include "jsonio.h"
#include "record.h"
#include "source.h"

void compare_entries_id(const struct entry_list *l, char out[HASH_STR_LEN])
{
	cJSON *rec = cJSON_CreateObject();

	json_set(rec, "kind", cJSON_CreateString("snapshot"));
	json_set(rec, "entries", entries_to_json(l));
	record_compute_id(rec, out);
	cJSON_Delete(rec);
}

static cJSON *changed_item(const struct snapent *a, const struct snapent *b)
{
	cJSON *o = cJSON_CreateObject();

	json_set(o, "path", cJSON_CreateString(a->path));
	json_set(o, "a", entry_to_json(a));
	json_set(o, "b", entry_to_json(b));
	return o;
}

cJSON *compare_entries(const struct entry_list *a, const struct entry_list *b, int *same)
{
	cJSON *added = cJSON_CreateArray(), *removed = cJSON_CreateArray();
	cJSON *changed = cJSON_CreateArray(), *out = cJSON_CreateObject();
	size_t i = 0, k = 0;

	/* Both lists are sorted by path bytes: one merge pass. */
	while (i < a->n || k < b->n) {
		int cmp = i == a->n ? 1 : k == b->n ? -1 : strcmp(a->v[i].path, b->v[k].path);
		if (cmp < 0) {
			cJSON_AddItemToArray(removed, entry_to_json(&a->v[i++]));
		} else if (cmp > 0) {
			cJSON_AddItemToArray(added, entry_to_json(&b->v[k++]));
		} else {
			if (!entry_same(&a->v[i], &b->v[k]))
				cJSON_AddItemToArray(changed, changed_item(&a->v[i], &b->v[k]));
			i++, k++;
		}
	}
	*same = cJSON_GetArraySize(added) == 0 && cJSON_GetArraySize(removed) == 0 &&
		cJSON_GetArraySize(changed) == 0;
	json_set(out, "identical", cJSON_CreateBool(*same));
	json_set(out, "added", added);
	json_set(out, "removed", removed);
	json_set(out, "changed", changed);
	return out;
}

static cJSON *describe(const char *path, enum source_kind kind, const struct entry_list *l)
{
	static const char *const kinds[] = { "snapshot", "directory", "archive" };
	char id[HASH_STR_LEN];
	cJSON *o = cJSON_CreateObject();

	compare_entries_id(l, id);
	json_set(o, "source", cJSON_CreateString(path));
	json_set(o, "kind", cJSON_CreateString(kinds[kind]));
	json_set(o, "id", cJSON_CreateString(id));
	return o;
}

int compare_main(const char *mode, const char *a, const char *b, int threads,
		 const struct tarread_limits *lim, int pretty)
{
	const char *path[2] = { a, b };
	enum source_kind kind[2];
	struct entry_list l[2] = { ENTRY_LIST_INIT, ENTRY_LIST_INIT };
	struct excludes x = EXCLUDES_INIT;
	cJSON *out;
	int same;

	/* verify's first operand must be a snapshot: its excludes bind the other. */
	kind[0] = strcmp(mode, "verify") == 0 ? SOURCE_SNAPSHOT : source_kind_of(a);
	kind[1] = source_kind_of(b);
	/* Snapshots first: what they exclude, trees are compared without. */
	for (int s = 0; s < 2; s++)
		if (kind[s] == SOURCE_SNAPSHOT)
			source_load_snapshot(path[s], &l[s], &x);
	for (int s = 0; s < 2; s++)
		if (kind[s] != SOURCE_SNAPSHOT)
			source_load_tree(path[s], kind[s], &x, threads, lim, &l[s]);
	out = compare_entries(&l[0], &l[1], &same);
	json_set(out, "a", describe(a, kind[0], &l[0]));
	json_set(out, "b", describe(b, kind[1], &l[1]));
	record_print(out, pretty);
	cJSON_Delete(out);
	entries_free(&l[0]);
	entries_free(&l[1]);
	excludes_free(&x);
	return same ? EXIT_OK : EXIT_NO;
}
