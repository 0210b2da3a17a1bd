/* Judging each rule on the two sides' metrics (or on bootstrap intervals). */
#ifndef MLEVAL_JUDGE_H
#define MLEVAL_JUDGE_H

#include <cjson/cJSON.h>
#include "rules.h"

/* A rule's bootstrap interval: of the candidate for a floor, of the paired
 * delta (candidate - baseline, or candidate - n * baseline for "baseline *
 * n") for a relative rule. */
struct interval {
	int have;        /* 0: no bootstrap for this rule */
	double lo, hi;
	long undefined;  /* resamples where the statistic was not defined */
};

/*
 * Appends one check per rule to the array checks. base is the baseline's
 * metrics map, or NULL with --no-baseline (relative rules are skipped).
 * iv is NULL without a bootstrap, else one per rule. Returns 1 when no rule
 * failed.
 */
int judge_rules(const struct ruleset *rs, const cJSON *base, const cJSON *cand,
		const struct interval *iv, double confidence, cJSON *checks);

/* The statistic a rule's interval is taken on, relative to the bound it
 * must clear: 1 and the bound to hold it to (see struct interval). */
double judge_interval_bound(const struct rule *r);

#endif
