/* The paired bootstrap: every rule's interval over resamples of the rows. */
#ifndef MLEVAL_BOOTSTRAP_H
#define MLEVAL_BOOTSTRAP_H

#include "judge.h"
#include "rules.h"
#include "score.h"

struct bootstrap {
	long resamples;
	double confidence;
	unsigned long long seed;
	int threads;
};

/*
 * Fills iv[i] for each rule on a metric the task has: a floor's on the
 * candidate, a relative rule's on the paired delta (base NULL: relative
 * rules get none). The same seed gives the same intervals, bit for bit,
 * whatever the number of threads.
 */
void bootstrap_intervals(const struct bootstrap *b, const struct evalset *e,
			 const struct side *base, const struct side *cand,
			 const struct ruleset *rs, struct interval *iv);

#endif
