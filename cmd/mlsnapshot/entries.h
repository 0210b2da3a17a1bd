/*
 * The entries of a snapshot: regular files and symlinks, by path relative to
 * the snapshot's root, sorted by path bytes. Every source (a directory, an
 * archive, a snapshot record) is turned into an entry list, so that verify
 * and diff compare lists and nothing else.
 */
#ifndef MLSNAPSHOT_ENTRIES_H
#define MLSNAPSHOT_ENTRIES_H

#include "utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "hash.h"
#include "strbuf.h"

enum entry_type { ENTRY_FILE, ENTRY_SYMLINK };

struct snapent {
	char *path;             /* relative, '/'-separated, no "." or ".." */
	char *target;           /* symlinks only */
	enum entry_type type;
	int exec;               /* a file with an execute bit (archive mode 0755) */
	uint64_t size;          /* files: bytes; symlinks: bytes of the target */
	char hash[HASH_STR_LEN]; /* files only; "" until hashed */
	/* what the stat cache keys on (directory sources only) */
	uint64_t ino;
	int64_t mtime_ns;
	int64_t ctime_ns;
	int err;                /* errno of a failed read, 0 when fine */
	int changed;            /* its size changed while it was read: not cacheable */
};

struct entry_list {
	struct snapent *v;
	size_t n;
	size_t cap;
};

#define ENTRY_LIST_INIT { NULL, 0, 0 }

/* Appends a zeroed entry owning a copy of path, and returns it. */
struct snapent *entries_add(struct entry_list *l, const char *path, enum entry_type type);
void entries_sort(struct entry_list *l);
/* The first path that appears twice in a sorted list, or NULL. */
const char *entries_find_duplicate(const struct entry_list *l);
void entries_free(struct entry_list *l);

/* {"path","type","size","hash"|"target"}: the form a snapshot stores. */
cJSON *entry_to_json(const struct snapent *e);
cJSON *entries_to_json(const struct entry_list *l);
/*
 * Appends the canonical (JCS) text of entries_to_json(l) to sb, written
 * straight from the list: the same bytes. Names must be valid UTF-8.
 */
void entries_write_canonical(struct strbuf *sb, const struct entry_list *l);

/*
 * Reads the "entries" of a snapshot record into l (sorted). Returns 0, or -1
 * with a message in msg naming what is wrong.
 */
int entries_from_json(const cJSON *arr, struct entry_list *l, char *msg, size_t msglen);

/* 1 when the two entries hold the same content (type, size, hash or target). */
int entry_same(const struct snapent *a, const struct snapent *b);

#endif
