/*
 * Metrics mode: two records with "metrics" maps, judged rule by rule.
 */
#include <stdlib.h>

#include "err.h"
#include "fileio.h"
#include "inputs.h"
#include "judge.h"
#include "opts.h"
#include "verdict.h"

int metrics_mode(const struct opts *o)
{
	cJSON *base = NULL, *cand, *checks, *verdict;
	int pass, status;

	if (o->baseline != NULL) {
		base = input_read(o->baseline);
		if (input_not_live(base)) {
			if (!o->no_baseline)
				input_die_not_live(o->baseline);
			cJSON_Delete(base);
			base = NULL;
		} else if (o->no_baseline) {
			die(EXIT_USAGE, "%s: a live baseline with --no-baseline: drop one of them",
			    file_display_name(o->baseline));
		}
	}
	cand = input_read(o->candidate);
	checks = cJSON_CreateArray();
	pass = judge_rules(&o->rules, base != NULL ? input_metrics(base, o->baseline) : NULL,
			   input_metrics(cand, o->candidate), NULL, 0, checks);
	verdict = verdict_build(base != NULL ? input_describe(base, o->baseline) : NULL,
				input_describe(cand, o->candidate), NULL, checks, pass);
	status = verdict_emit(o, verdict);
	cJSON_Delete(verdict);
	cJSON_Delete(base);
	cJSON_Delete(cand);
	return status;
}
