/*
 * mleval-compare: the eval gate. Judges a candidate's metrics against a
 * baseline's by rules, prints a verdict record, exits 0 (pass) or 1 (fail).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "version.h"
#include "opts.h"
#include "numarg.h"

static void usage(FILE *fp)
{
	fputs("usage: mleval-compare [--rule EXPR]... [--policy FILE] [--format FORMAT]\n"
	      "           [--junit FILE] [--markdown FILE] [--no-baseline] [--pretty]\n"
	      "           [BASELINE] CANDIDATE\n"
	      "       mleval-compare --predictions [--candidate-run RUN] [--baseline REC]\n"
	      "           [--task TASK] [--threshold T] [--bootstrap N] [--confidence C]\n"
	      "           [--seed S] [-j N] [--rule EXPR]... [--policy FILE] [--format FORMAT]\n"
	      "           [--junit FILE] [--markdown FILE] [--no-baseline] [--pretty]\n"
	      "           [BASE.csv] CAND.csv\n", fp);
}

enum {
	OPT_BASELINE = 256, OPT_BOOTSTRAP, OPT_CANDIDATE_RUN, OPT_CONFIDENCE, OPT_FORMAT,
	OPT_JUNIT, OPT_MARKDOWN, OPT_NO_BASELINE, OPT_POLICY, OPT_PREDICTIONS, OPT_PRETTY,
	OPT_RULE, OPT_SEED, OPT_TASK, OPT_THRESHOLD, OPT_VERSION
};

static const struct option longopts[] = {
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
	{ "candidate-run", required_argument, NULL, OPT_CANDIDATE_RUN },
	{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "markdown", required_argument, NULL, OPT_MARKDOWN },
	{ "no-baseline", no_argument, NULL, OPT_NO_BASELINE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "predictions", no_argument, NULL, OPT_PREDICTIONS },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "rule", required_argument, NULL, OPT_RULE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "task", required_argument, NULL, OPT_TASK },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void parse_option(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_BASELINE: o->baseline_rec = arg; break;
	case OPT_BOOTSTRAP: o->bootstrap = numarg_long("--bootstrap", arg, 1, 10000000); break;
	case OPT_CANDIDATE_RUN: o->candidate_run = arg; break;
	case OPT_CONFIDENCE: o->confidence = numarg_fraction("--confidence", arg); break;
	case OPT_FORMAT: o->format = numarg_format(arg); break;
	case 'h': usage(stdout); stdout_close(); exit(EXIT_OK);
	case 'j': o->threads = (int)numarg_long("-j", arg, 1, 256); break;
	case OPT_JUNIT: o->junit_path = arg; break;
	case OPT_MARKDOWN: o->markdown_path = arg; break;
	case OPT_NO_BASELINE: o->no_baseline = 1; break;
	case OPT_POLICY: rules_load_policy(&o->rules, arg); break;
	case OPT_PREDICTIONS: o->predictions = 1; break;
	case OPT_PRETTY: o->pretty = 1; break;
	case OPT_RULE: rules_add_arg(&o->rules, arg); break;
	case OPT_SEED: o->seed = numarg_seed(arg); o->seed_given = 1; break;
	case OPT_TASK: o->task = numarg_task(arg); break;
	case OPT_THRESHOLD: o->threshold = numarg_double("--threshold", arg); o->threshold_given = 1; break;
	case OPT_VERSION: version_print(); exit(EXIT_OK);
	case ':': die(EXIT_USAGE, "option '%s' needs a value", arg);
	default: die(EXIT_USAGE, "unknown option '%s' (see --help)", arg);
	}
}

/* Options that only make sense in predictions mode, refused elsewhere. */
static void check_mode(const struct opts *o)
{
	const char *only = o->candidate_run ? "--candidate-run" : o->baseline_rec ? "--baseline"
		: o->task != TASK_GUESS ? "--task" : o->threshold_given ? "--threshold"
		: o->bootstrap ? "--bootstrap" : NULL;

	if (!o->predictions && only != NULL)
		die(EXIT_USAGE, "%s needs --predictions", only);
	if (o->bootstrap == 0 && (o->confidence_given || o->seed_given))
		die(EXIT_USAGE, "%s needs --bootstrap", o->seed_given ? "--seed" : "--confidence");
}

static int is_stdin(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

static void check_stdin_once(const struct opts *o)
{
	if (is_stdin(o->baseline) + is_stdin(o->candidate) + is_stdin(o->candidate_run)
	    + is_stdin(o->baseline_rec) > 1)
		die(EXIT_USAGE, "standard input can be read only once");
}

int main(int argc, char **argv)
{
	struct opts o = { .confidence = 0.95, .threshold = 0.5, .threads = 0 };
	int c, nargs, status;

	err_init("mleval-compare");
	opterr = 0; /* our own messages: getopt's start with argv[0], a path when run by one */
	while ((c = getopt_long(argc, argv, ":hj:", longopts, NULL)) != -1) {
		if (c == OPT_CONFIDENCE)
			o.confidence_given = 1;
		parse_option(&o, c, c == ':' || c == '?' ? argv[optind - 1] : optarg);
	}
	check_mode(&o);
	nargs = argc - optind;
	if (nargs < 1)
		die(EXIT_USAGE, "CANDIDATE is missing (see --help)");
	if (nargs > 2)
		die(EXIT_USAGE, "too many arguments: '%s' (see --help)", argv[optind + 2]);
	o.candidate = argv[argc - 1];
	o.baseline = nargs == 2 ? argv[optind] : NULL;
	check_stdin_once(&o);
	if (o.predictions) {
		status = predictions_mode(&o);
	} else {
		if (o.rules.n == 0)
			die(EXIT_USAGE, "no rule: give --rule EXPR or --policy FILE");
		if (o.baseline == NULL && !o.no_baseline)
			die(EXIT_USAGE, "no BASELINE: give one, or --no-baseline for a first model");
		status = metrics_mode(&o);
	}
	rules_release(&o.rules);
	stdout_close();
	return status;
}
