/* The directory registry: paths, settings, listings and locks. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomicfile.h"
#include "check.h"
#include "err.h"
#include "jsonio.h"
#include "lock.h"
#include "names.h"
#include "registry.h"
#include "registry_oci.h"
#include "xalloc.h"

static const char *const builtin_stages[] = { "current", "staging", "production" };

void registry_open(struct registry *r, const char *location)
{
	char *path;
	int absent;

	if (!location || !*location)
		die(EXIT_USAGE, "no registry: give --registry DIR or set MLGATE_REGISTRY");
	r->oci = NULL;
	if (!strncmp(location, "oci://", 6)) {
		registry_oci_open(r, location);
		return;
	}
	r->root = xstrdup(location);
	path = xasprintf("%s/%s", location, REGISTRY_SETTINGS);
	r->settings = check_read_record(path, "registry", &absent);
	if (absent)
		die(EXIT_USAGE, "no registry at '%s' (create one with 'mlpromote init --registry %s')",
		    location, location);
	free(path);
}

void registry_close(struct registry *r)
{
	if (r->oci)
		registry_oci_close(r);
	cJSON_Delete(r->settings);
	free(r->root);
	r->settings = NULL;
	r->root = NULL;
}

/* An OCI model is fetched into the mirror before any of its files is read. */
static void fetch_if_remote(const struct registry *r, const char *model)
{
	if (r->oci)
		registry_oci_model(r, model);
}

const char *registry_location(const struct registry *r)
{
	return r->oci ? registry_oci_location(r) : r->root;
}

void registry_fetch_version(const struct registry *r, const char *model, const char *version)
{
	if (r->oci)
		registry_oci_fetch_version(r, model, version);
}

void registry_fetch_files(const struct registry *r, const char *model, const char *version)
{
	if (r->oci)
		registry_oci_fetch_files(r, model, version);
}

int registry_fetch_blob(const struct registry *r, const char *model, const char *digest,
			const char *dst, char hash[HASH_STR_LEN], uint64_t *size)
{
	return r->oci ? registry_oci_fetch_blob(r, model, digest, dst, hash, size) : 0;
}

void registry_push(const struct registry *r, const char *model)
{
	if (r->oci)
		registry_oci_push(r, model);
}

void registry_verify_backend(const struct registry *r, const char *model)
{
	if (r->oci)
		registry_oci_verify(r, model);
}

/* "a,b" -> ["a","b"]: checked, sorted, each once. */
cJSON *registry_parse_stages(const char *list)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = xstrdup(list ? list : "");
	char **names = NULL;
	size_t n = 0;

	for (char *p = copy, *comma; list && p; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		name_check("stage", p);
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = p;
	}
	if (n)
		qsort(names, n, sizeof *names, name_compare);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]))
			cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
	free(names);
	free(copy);
	return arr;
}

void registry_require_approval(struct registry *r, const char *stages)
{
	cJSON *list = json_get_array(r->settings, "require_approval");
	cJSON *more = registry_parse_stages(stages);

	if (!list)
		list = cJSON_AddArrayToObject(r->settings, "require_approval");
	while (more->child)
		cJSON_AddItemToArray(list, cJSON_DetachItemViaPointer(more, more->child));
	cJSON_Delete(more);
}

char *registry_model_dir(const struct registry *r, const char *model)
{
	return xasprintf("%s/models/%s", r->root, model);
}

char *registry_model_file(const struct registry *r, const char *model, const char *rel)
{
	return xasprintf("%s/models/%s/%s", r->root, model, rel);
}

int registry_model_exists(const struct registry *r, const char *model)
{
	struct stat st;
	char *dir;
	int ok;

	if (r->oci)
		return registry_oci_model(r, model);
	dir = registry_model_dir(r, model);
	ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);

	free(dir);
	return ok;
}


/* Names in dir that are valid names once suffix is cut (and that have it). */
static char **list_names(const char *dir, const char *suffix, int want_dir, size_t *n)
{
	char **list = NULL;
	size_t cap = 0, slen = strlen(suffix);
	struct dirent *de;
	DIR *d = opendir(dir);

	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return NULL;
		die_errno("cannot read '%s'", dir);
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *name, *full;
		struct stat st;

		if (len <= slen || strcmp(de->d_name + len - slen, suffix))
			continue;
		name = xstrndup(de->d_name, len - slen);
		full = xasprintf("%s/%s", dir, de->d_name);
		if (!name_valid(name) || lstat(full, &st) < 0 || (S_ISDIR(st.st_mode) ? 1 : 0) != want_dir ||
		    (!want_dir && !S_ISREG(st.st_mode))) {
			free(name);
			free(full);
			continue;
		}
		free(full);
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			list = xreallocarray(list, cap, sizeof *list);
		}
		list[(*n)++] = name;
	}
	closedir(d);
	if (*n)
		qsort(list, *n, sizeof *list, name_compare);
	return list;
}

char **registry_models(const struct registry *r, size_t *n)
{
	char *dir;
	char **list;

	if (r->oci)
		return registry_oci_models(r, n);
	dir = xasprintf("%s/models", r->root);
	list = list_names(dir, "", 1, n);

	free(dir);
	return list;
}

char **registry_pointer_stages(const struct registry *r, const char *model, size_t *n)
{
	char *dir;
	char **list;

	fetch_if_remote(r, model);
	dir = registry_model_dir(r, model);
	list = list_names(dir, ".json", 0, n);

	free(dir);
	return list;
}

char **registry_versions(const struct registry *r, const char *model, size_t *n)
{
	char *dir;
	char **list;

	fetch_if_remote(r, model);
	dir = registry_model_file(r, model, "versions");
	list = list_names(dir, "", 1, n);

	free(dir);
	return list;
}

int registry_needs_approval(const struct registry *r, const char *stage)
{
	const cJSON *item;
	cJSON *list = json_get_array(r->settings, "require_approval");

	cJSON_ArrayForEach(item, list)
		if (cJSON_IsString(item) && !strcmp(item->valuestring, stage))
			return 1;
	return 0;
}

int registry_is_known_stage(const struct registry *r, const char *name)
{
	for (size_t i = 0; i < sizeof builtin_stages / sizeof builtin_stages[0]; i++)
		if (!strcmp(builtin_stages[i], name))
			return 1;
	return registry_needs_approval(r, name);
}

int registry_lock_model(const struct registry *r, const char *model)
{
	char *dir = registry_model_dir(r, model);
	char *path = registry_model_file(r, model, ".lock");
	int fd;

	fetch_if_remote(r, model);
	if (mkdir_p(dir, 0755) < 0)
		die_errno("cannot create '%s'", dir);
	fd = lock_acquire(path);
	if (fd < 0)
		die_errno("cannot lock '%s'", path);
	free(dir);
	free(path);
	return fd;
}

void strlist_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
