#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "exclude.h"
#include "xalloc.h"

void excludes_add(struct excludes *x, const char *glob)
{
	x->glob = xreallocarray(x->glob, x->n + 1, sizeof(*x->glob));
	x->glob[x->n++] = xstrdup(glob);
}

void excludes_free(struct excludes *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->glob[i]);
	free(x->glob);
	x->glob = NULL;
	x->n = 0;
}

int excludes_match(const struct excludes *x, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;

	for (size_t i = 0; i < x->n; i++)
		if (fnmatch(x->glob[i], path, 0) == 0 || fnmatch(x->glob[i], name, 0) == 0)
			return 1;
	return 0;
}

int excludes_match_tree(const struct excludes *x, const char *path)
{
	char *copy;
	int hit = 0;

	if (x->n == 0)
		return 0;
	copy = xstrdup(path);
	for (char *p = copy; !hit && (p = strchr(p, '/')); p++) {
		*p = '\0';
		hit = excludes_match(x, copy);
		*p = '/';
	}
	if (!hit)
		hit = excludes_match(x, copy);
	free(copy);
	return hit;
}

cJSON *excludes_to_json(const struct excludes *x)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < x->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(x->glob[i]));
	return arr;
}

int excludes_from_json(struct excludes *x, const cJSON *arr)
{
	const cJSON *s;

	if (!cJSON_IsArray(arr))
		return -1;
	cJSON_ArrayForEach(s, arr) {
		if (!cJSON_IsString(s))
			return -1;
		excludes_add(x, s->valuestring);
	}
	return 0;
}
