/* A change of what is live at a stage: promote and rollback share its commit. */
#ifndef MLPROMOTE_CHANGE_H
#define MLPROMOTE_CHANGE_H

#include <cjson/cJSON.h>

#include "model.h"
#include "opts.h"

/* Refuses (exit 1) when --expect names another seq than the stage's. */
void change_check_expect(const struct model *m, const char *stage, long long expect);

/*
 * A new promote or rollback audit line for the stage, with seq, previous,
 * actor and the manifest's ids filled in.
 */
cJSON *change_new(struct model *m, const char *action, const char *stage,
		  const cJSON *manifest);

/*
 * Commits the change, write-ahead: signs the pointer's bytes first when asked
 * (so a bad key changes nothing), appends the audit line (fsync), replaces
 * the pointer, writes its signature, prints the pointer.
 */
void change_commit(struct model *m, cJSON *line, const struct opts *o);

/* The stage named by --stage (checked), or "current". */
const char *change_stage_name(const struct opts *o);

#endif
