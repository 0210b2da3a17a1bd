/* init: creates a directory registry, or finds the same one already there. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomicfile.h"
#include "check.h"
#include "err.h"
#include "jsonio.h"
#include "names.h"
#include "opts.h"
#include "record.h"
#include "registry.h"
#include "xalloc.h"


static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* A registry is there: the same settings are a no-op, others a refusal. */
static int init_again(const char *settings_path, const cJSON *stages)
{
	int absent;
	cJSON *have = check_read_record(settings_path, "registry", &absent);

	if (!cJSON_Compare(json_get(have, "require_approval"), stages, 1))
		die(EXIT_NO, "%s: a registry with other settings is already there", settings_path);
	cJSON_Delete(have);
	return EXIT_OK;
}

int cmd_init(struct opts *o)
{
	cJSON *stages = registry_parse_stages(o->require_approval);
	char *settings, *models;
	int status = EXIT_OK;
	struct stat st;
	cJSON *rec;

	if (o->nargs)
		die(EXIT_USAGE, "init takes no operand");
	if (!o->registry || !*o->registry)
		die(EXIT_USAGE, "no registry: give --registry DIR or set MLGATE_REGISTRY");
	if (!strncmp(o->registry, "oci://", 6))
		die(EXIT_USAGE, "'%s': init makes directory registries only", o->registry);
	settings = xasprintf("%s/%s", o->registry, REGISTRY_SETTINGS);
	models = xasprintf("%s/models", o->registry);
	if (stat(settings, &st) == 0) {
		status = init_again(settings, stages);
		cJSON_Delete(stages);
	} else {
		if (!dir_is_empty(o->registry))
			die(EXIT_NO, "'%s' is not empty and not a registry", o->registry);
		if (mkdir_p(models, 0755) < 0)
			die_errno("cannot create '%s'", models);
		rec = cJSON_CreateObject();
		json_set(rec, "require_approval", stages);
		record_finish(rec, "registry");
		record_write_file(settings, rec);
		cJSON_Delete(rec);
	}
	free(settings);
	free(models);
	return status;
}
