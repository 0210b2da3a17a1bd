/*
 * What the audit log says about a model: the versions published, and per
 * stage the last change, its seq, and the promotion history that rollback
 * walks back through.
 */
#ifndef MLPROMOTE_STATE_H
#define MLPROMOTE_STATE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "audit.h"

struct stage_state {
	const char *name;
	const cJSON *last;       /* the last promote or rollback line */
	long long seq;
	const char **stack;      /* versions, the live one on top */
	size_t depth;
	const char **ever;       /* every version ever live here */
	size_t never;
};

struct model_state {
	struct stage_state *stages;
	size_t n;
};

/* Builds the state from a loaded log, check_fail()ing lines that contradict it.
 * Points into the log's records: release the state first. */
void state_build(struct model_state *s, const struct audit_log *log);
void state_release(struct model_state *s);
struct stage_state *state_stage(const struct model_state *s, const char *stage);
/* The publish line of version, or NULL. */
const cJSON *state_published(const struct audit_log *log, const char *version);
/* 1 when version was live at the stage at some time. */
int stage_was_live(const struct stage_state *st, const char *version);
/* The live version, or NULL. */
const char *stage_live(const struct stage_state *st);

#endif
