/* The verdict record: building it, and putting it out in every form asked. */
#ifndef MLEVAL_VERDICT_H
#define MLEVAL_VERDICT_H

#include <cjson/cJSON.h>
#include "opts.h"

/*
 * A finished verdict (takes base and cand, the {id, kind, source, pointer}
 * descriptions; base NULL with --no-baseline). bootstrap is NULL or
 * {n, confidence, seed}; checks and pass come from judge_rules().
 */
cJSON *verdict_build(cJSON *base, cJSON *cand, cJSON *bootstrap, cJSON *checks, int pass);

/* Writes --junit/--markdown files and $GITHUB_STEP_SUMMARY, prints the
 * verdict in --format on stdout. Returns the exit status: 0 pass, 1 fail. */
int verdict_emit(const struct opts *o, const cJSON *verdict);

#endif
