/* What the command line asked for, shared by the two modes. */
#ifndef MLEVAL_OPTS_H
#define MLEVAL_OPTS_H

#include "rules.h"

enum format { FORMAT_JSON, FORMAT_TABLE, FORMAT_MARKDOWN, FORMAT_JUNIT };
enum task { TASK_GUESS, TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION };

struct opts {
	struct ruleset rules;
	enum format format;
	const char *junit_path;
	const char *markdown_path;
	int no_baseline;
	int pretty;
	/* predictions mode */
	int predictions;
	const char *candidate_run;
	const char *baseline_rec;
	enum task task;
	double threshold;
	int threshold_given;
	int confidence_given;
	int seed_given;
	long bootstrap;         /* resamples; 0: none */
	double confidence;
	unsigned long long seed;
	int threads;
	/* positional arguments */
	const char *baseline;   /* NULL when left out */
	const char *candidate;
};

/* Each mode builds its record, prints it and returns the exit status. */
int metrics_mode(const struct opts *o);
int predictions_mode(const struct opts *o);

#endif
