#define _XOPEN_SOURCE 700 /* realpath */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

#include "hashpool.h"
#include "fileio.h"
#include "jcs.h"
#include "jsonio.h"
#include "record.h"
#include "snapshot.h"
#include "statcache.h"
#include "tarwrite.h"
#include "timefmt.h"
#include "walk.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct cache_load {
	const char *root;
	struct statcache *cache;
};

static void *cache_load(void *arg)
{
	struct cache_load *job = arg;

	job->cache = statcache_open(job->root);
	return NULL;
}

/*
 * With an archive, the files are hashed as they are archived: one read of
 * each, and the archive holds the very bytes that were hashed.
 */
static int snapshot_tree(const char *root, const struct excludes *x, int threads, int use_cache,
			 const char *archive, struct entry_list *l)
{
	int64_t start = now_ns();
	int rootfd = walk_open_root(root);
	struct cache_load job = { root, NULL };
	struct statcache *cache;
	pthread_t tid;
	int loading = 0;

	/* The cache is loaded (read, checked, parsed) while the tree is walked. */
	if (use_cache) {
		if (threads > 1 && pthread_create(&tid, NULL, cache_load, &job) == 0)
			loading = 1;
		else
			cache_load(&job);
	}
	walk_tree(rootfd, root, x, threads, l);
	if (loading)
		pthread_join(tid, NULL);
	cache = job.cache;
	if (cache)
		statcache_apply(cache, l);
	if (archive)
		tarwrite_archive(archive, rootfd, root, l, threads);
	else
		hashpool_run(rootfd, root, l, threads);
	if (cache)
		statcache_save(cache, l, start);
	statcache_free(cache);
	return rootfd;
}

int snapshot_dir(const char *root, const struct excludes *x, int threads, int use_cache,
		 struct entry_list *l)
{
	return snapshot_tree(root, x, threads, use_cache, NULL, l);
}

/* A snapshot record's members but its entries, v, created_at and id. */
static cJSON *record_head(const char *root, const struct excludes *x, const struct entry_list *l)
{
	cJSON *rec = cJSON_CreateObject();
	double files = 0, bytes = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].type == ENTRY_FILE) {
			files++;
			bytes += (double)l->v[i].size;
		}
	}
	json_set(rec, "kind", cJSON_CreateString("snapshot"));
	json_set(rec, "root", cJSON_CreateString(root));
	json_set(rec, "file_count", cJSON_CreateNumber(files));
	json_set(rec, "byte_count", cJSON_CreateNumber(bytes));
	json_set(rec, "excludes", excludes_to_json(x));
	return rec;
}

cJSON *snapshot_record(const char *root, const struct excludes *x, const struct entry_list *l)
{
	cJSON *rec = record_head(root, x, l);

	json_set(rec, "entries", entries_to_json(l));
	record_finish(rec, "snapshot");
	return rec;
}

/*
 * What record_print(snapshot_record(...)) prints, without a cJSON tree of
 * the entries (20,000 objects for 20,000 files, built and freed only to be
 * written once): their canonical text is written straight from the list,
 * its SHA-256 is the record's id (as record_finish makes it: a snapshot's
 * id covers its entries only), and the rest of the record is written
 * around it. --pretty on a terminal, rare and for eyes, takes the tree.
 */
void snapshot_print(const char *root, const struct excludes *x, const struct entry_list *l,
			   int pretty)
{
	struct strbuf text = STRBUF_INIT, sb = STRBUF_INIT;
	char id[HASH_STR_LEN], now[TIME_STR_LEN];
	cJSON *rec, *at;
	const char *mark;

	if (pretty && isatty(STDOUT_FILENO)) {
		rec = snapshot_record(root, x, l);
		record_print(rec, pretty);
		cJSON_Delete(rec);
		return;
	}
	entries_write_canonical(&text, l);
	hash_buf_str(text.buf, text.len, id);
	rec = record_head(root, x, l);
	at = cJSON_CreateArray();
	json_set(rec, "entries", at);
	json_set(rec, "v", cJSON_CreateNumber(RECORD_VERSION));
	time_now_str(now);
	json_set(rec, "created_at", cJSON_CreateString(now));
	json_set(rec, "id", cJSON_CreateString(id));
	/*
	 * The entries are spliced in as one byte that canonical JSON never
	 * holds raw (a control character), then written in its place: the
	 * megabytes of entries are not copied into the record's text.
	 */
	if (jcs_write_splice(&sb, rec, at, "\x01", 1) < 0)
		die(EXIT_USAGE, "'%s': the record cannot be written as JSON", root);
	mark = memchr(sb.buf, '\x01', sb.len);
	stdout_write(sb.buf, (size_t)(mark - sb.buf));
	stdout_write(text.buf, text.len);
	stdout_write(mark + 1, sb.len - (size_t)(mark + 1 - sb.buf));
	stdout_write("\n", 1);
	cJSON_Delete(rec);
	strbuf_release(&sb);
	strbuf_release(&text);
}

/*
 * An archive written inside the tree would be in the next snapshot of it,
 * and GNU tar's answer (skip it quietly) would make the record lie: refuse.
 */
static void check_archive_outside(const char *archive, const char *root)
{
	char *dir = xstrdup(archive);
	char *slash = strrchr(dir, '/');
	char *realdir, *realroot;
	size_t n;

	if (slash == dir)
		dir[1] = '\0';         /* "/x.tar": the root folder */
	else if (slash)
		*slash = '\0';
	realdir = realpath(slash ? dir : ".", NULL);
	realroot = realpath(root, NULL);
	if (realdir && realroot) {
		n = strlen(realroot);
		if (strcmp(realroot, "/") == 0 ||
		    (strncmp(realdir, realroot, n) == 0 && (realdir[n] == '\0' || realdir[n] == '/'))) {
			free(dir), free(realdir), free(realroot);
			die(EXIT_USAGE, "the archive '%s' would be inside '%s'", archive, root);
		}
	}
	free(dir);
	free(realdir);
	free(realroot);
}

int snapshot_main(struct snapshot_opts *o)
{
	struct entry_list l = ENTRY_LIST_INIT;
	int rootfd;

	if (o->output)
		check_archive_outside(o->output, o->root);
	rootfd = snapshot_tree(o->root, &o->x, o->threads, o->use_cache, o->output, &l);
	close(rootfd);
	snapshot_print(o->root, &o->x, &l, o->pretty);
	entries_free(&l);
	return 0;
}
