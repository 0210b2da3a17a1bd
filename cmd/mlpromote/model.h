/*
 * One model of the registry, opened to read or to change. Opening checks
 * the audit log and the pointers against it; opening to change also takes
 * the model's lock, cuts a torn last audit line and completes any change
 * the log holds but the files do not show yet (write-ahead recovery).
 */
#ifndef MLPROMOTE_MODEL_H
#define MLPROMOTE_MODEL_H

#include <cjson/cJSON.h>

#include "audit.h"
#include "registry.h"
#include "state.h"

struct model {
	struct registry *reg;
	const char *name;
	int lock_fd;            /* -1 when opened to read */
	struct audit_log log;
	struct model_state state;
	cJSON **pointers;       /* per state.stages[i]: the pointer the log says is live */
	int *behind;            /* per stage: the file is behind the log */
	char **files;           /* stages with a pointer file, read before the log */
	cJSON **file_recs;      /* each file's record (NULL when it failed a check) */
	size_t nfiles;
	char **pending;         /* versions published but not yet in the log */
	size_t npending;
	int pushed;             /* the change is visible to others (registry_push) */
};

enum model_mode { MODEL_READ, MODEL_WRITE };

void model_open(struct model *m, struct registry *reg, const char *name, enum model_mode mode);
/* Makes the change visible to others (for an OCI registry, pushes it; exit 1
 * on a lost race), before its result is printed. model_close does it for a
 * writer that did not. */
void model_push(struct model *m);
void model_close(struct model *m);

/* The live pointer of stage (from the log), or NULL. */
const cJSON *model_pointer(const struct model *m, const char *stage);
/* seq of the stage's last change, 0 when none. */
long long model_seq(const struct model *m, const char *stage);

/* Reads and checks versions/V/model.json: NULL when V is not published. */
cJSON *model_manifest(const struct model *m, const char *version);
/* Reads versions/V/run.json when there is one (NULL otherwise). */
cJSON *model_run(const struct model *m, const char *version);

/* New strings: the pointer file and its signature's. */
char *model_pointer_path(const struct model *m, const char *stage);
char *model_sig_path(const struct model *m, const char *stage);

/* Writes the pointer file (atomically) and drops a signature it no longer matches. */
void model_write_pointer(const struct model *m, const cJSON *pointer);

#endif
