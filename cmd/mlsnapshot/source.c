#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "jsonio.h"
#include "record.h"
#include "snapshot.h"
#include "source.h"
#include "tarread.h"
#include "xalloc.h"

enum source_kind source_kind_of(const char *path)
{
	struct stat st;
	char buf[256];
	ssize_t n;
	int fd;

	if (stat(path, &st) < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return SOURCE_DIR;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
			continue;
		return buf[i] == '{' ? SOURCE_SNAPSHOT : SOURCE_ARCHIVE;
	}
	return SOURCE_ARCHIVE;
}

void source_load_snapshot(const char *path, struct entry_list *l, struct excludes *x)
{
	cJSON *rec = record_read(path, "snapshot");
	char msg[256] = "";

	if (entries_from_json(json_get(rec, "entries"), l, msg, sizeof(msg)) == 0 &&
	    excludes_from_json(x, json_get(rec, "excludes")) < 0)
		snprintf(msg, sizeof(msg), "\"excludes\" must be an array of strings");
	cJSON_Delete(rec);
	if (msg[0]) {
		entries_free(l);
		die(EXIT_USAGE, "'%s': not a valid snapshot: %s", path, msg);
	}
}

static void drop_excluded(struct entry_list *l, const struct excludes *x)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (excludes_match_tree(x, l->v[i].path)) {
			free(l->v[i].path);
			free(l->v[i].target);
		} else {
			l->v[k++] = l->v[i];
		}
	}
	l->n = k;
}

void source_load_tree(const char *path, enum source_kind kind, const struct excludes *x,
		      int threads, const struct tarread_limits *lim, struct entry_list *l)
{
	if (kind == SOURCE_DIR) {
		close(snapshot_dir(path, x, threads, 0, l));
		return;
	}
	tarread_scan(path, lim, NULL, l);
	drop_excluded(l, x);
}
