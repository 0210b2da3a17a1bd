/*
 * Predictions mode: the metrics are computed from the models' own
 * predictions on the same eval rows, so that the gate can run a paired
 * bootstrap. One CSV and no rule prints that model's eval record; with
 * rules, a verdict whose sides are the runs or records the CSVs belong to
 * (their SHA-256 checked against the record's artifacts or files).
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "record.h"
#include "xalloc.h"
#include "bootstrap.h"
#include "csv.h"
#include "inputs.h"
#include "judge.h"
#include "opts.h"
#include "pairing.h"
#include "score.h"
#include "verdict.h"

static const char *task_name(enum task t)
{
	return t == TASK_BINARY ? "binary" : t == TASK_MULTICLASS ? "multiclass" : "regression";
}

/* A lone CSV without rules is an eval record: verdict options make no sense. */
static void check_eval_only(const struct opts *o)
{
	const char *opt = o->candidate_run ? "--candidate-run" : o->baseline_rec ? "--baseline"
		: o->bootstrap ? "--bootstrap" : o->junit_path ? "--junit"
		: o->markdown_path ? "--markdown" : o->no_baseline ? "--no-baseline"
		: o->format != FORMAT_JSON ? "--format" : NULL;

	if (opt != NULL)
		die(EXIT_USAGE, "%s needs a rule (--rule or --policy)", opt);
}

static enum task resolve_task(const struct opts *o, const struct preds *cand, const struct preds *base)
{
	if (o->task != TASK_GUESS)
		return o->task;
	if (cand->col == COL_SCORE)
		return TASK_BINARY;
	return cand->integral && (base == NULL || base->integral) ? TASK_MULTICLASS : TASK_REGRESSION;
}

static cJSON *metrics_object(const double m[M_COUNT], unsigned mask)
{
	cJSON *obj = cJSON_CreateObject();

	for (int k = 0; k < M_COUNT; k++)
		if (mask & (1u << k))
			json_set_number_or_null(obj, metric_name((enum metric)k), m[k]);
	return obj;
}

static cJSON *source_of(const struct preds *p)
{
	cJSON *src = cJSON_CreateObject();

	json_set_string_or_null(src, "path", p->path);
	json_set_string_or_null(src, "hash", p->hash);
	return src;
}

static cJSON *eval_record(const struct preds *p, const struct evalset *e, const double m[M_COUNT])
{
	cJSON *rec = cJSON_CreateObject();

	json_set(rec, "source", source_of(p));
	json_set(rec, "task", cJSON_CreateString(task_name(e->task)));
	json_set(rec, "rows", cJSON_CreateNumber((double)e->n));
	json_set(rec, "threshold", e->task == TASK_BINARY ? cJSON_CreateNumber(e->threshold) : cJSON_CreateNull());
	json_set(rec, "metrics", metrics_object(m, metric_mask(e->task)));
	record_finish(rec, "eval");
	return rec;
}

/* The verdict's side: the record the CSV belongs to, or the CSV's eval record. */
static cJSON *describe(const cJSON *rec, const char *rec_path, const cJSON *eval, const struct preds *p)
{
	cJSON *d = rec != NULL ? input_describe(rec, rec_path) : input_describe(eval, p->path);

	json_set(d, "predictions", source_of(p));
	return d;
}

struct model {
	struct preds p;
	struct side side;
	double m[M_COUNT];
	cJSON *eval;
};

static void model_prepare(struct model *md, const struct evalset *e, int bootstrap)
{
	side_prepare(&md->side, e, md->p.value, bootstrap);
}

/*
 * Binary without a bootstrap needs no row order, only the AUC: the labels
 * (kept as 0/1 bytes in the evalset) are freed first, and the scores are
 * sorted where they lie, so ten million rows fit in about 20 bytes each.
 */
static void model_rank(struct model *md, struct evalset *e, int bootstrap)
{
	if (e->task != TASK_BINARY || bootstrap)
		return;
	side_rank_scores(&md->side, e, md->p.value);
	free(md->p.value);
	md->p.value = NULL;
}

static void model_score(struct model *md, const struct evalset *e)
{
	side_score(&md->side, e, NULL, metric_mask(e->task), md->m);
	md->eval = eval_record(&md->p, e, md->m);
}

static void free_labels(struct evalset *e, struct model *base, struct model *cand, int bootstrap)
{
	if (e->task != TASK_BINARY || bootstrap)
		return;
	free(cand->p.label);
	cand->p.label = NULL;
	if (base != NULL) {
		free(base->p.label);
		base->p.label = NULL;
	}
	e->label = NULL;
}

static void model_release(struct model *md)
{
	side_release(&md->side);
	preds_release(&md->p);
	cJSON_Delete(md->eval);
}

/* The --baseline record, or NULL when it says nothing is live (--no-baseline). */
static cJSON *read_baseline_record(const struct opts *o)
{
	cJSON *rec;

	if (o->baseline_rec == NULL)
		return NULL;
	rec = input_read(o->baseline_rec);
	if (input_not_live(rec)) {
		if (!o->no_baseline)
			input_die_not_live(o->baseline_rec);
		cJSON_Delete(rec);
		return NULL;
	}
	if (o->no_baseline)
		die(EXIT_USAGE, "%s: a live baseline with --no-baseline: drop one of them",
		    file_display_name(o->baseline_rec));
	if (o->baseline == NULL)
		die(EXIT_USAGE, "%s: give BASE.csv, the live version's predictions, to compare with",
		    file_display_name(o->baseline_rec));
	return rec;
}

static void setup_evalset(const struct opts *o, struct evalset *e, struct model *base, struct model *cand)
{
	e->n = cand->p.n;
	e->label = cand->p.label;
	e->task = resolve_task(o, &cand->p, base ? &base->p : NULL);
	e->threshold = o->threshold;
	if (o->threshold_given && e->task != TASK_BINARY)
		die(EXIT_USAGE, "--threshold applies to binary classification, not %s", task_name(e->task));
	if (e->task == TASK_BINARY)
		evalset_binary(e);
	if (e->task == TASK_MULTICLASS) {
		const double *values[2] = { cand->p.value, base ? base->p.value : NULL };
		evalset_classes(e, values, base ? 2 : 1);
	}
}

static int judge_and_emit(const struct opts *o, const struct evalset *e, struct model *base,
			  struct model *cand, cJSON *base_rec, cJSON *run_rec)
{
	cJSON *checks = cJSON_CreateArray(), *boot = NULL, *verdict;
	cJSON *bm = base ? metrics_object(base->m, metric_mask(e->task)) : NULL;
	cJSON *cm = metrics_object(cand->m, metric_mask(e->task));
	struct interval *iv = NULL;
	int pass, status;

	if (o->bootstrap > 0) {
		struct bootstrap b = { o->bootstrap, o->confidence, o->seed, o->threads };
		if (b.threads <= 0) {
			long cpus = sysconf(_SC_NPROCESSORS_ONLN);
			b.threads = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
		}
		iv = xcalloc(o->rules.n + 1, sizeof(*iv));
		bootstrap_intervals(&b, e, base ? &base->side : NULL, &cand->side, &o->rules, iv);
		boot = cJSON_CreateObject();
		json_set(boot, "n", cJSON_CreateNumber((double)o->bootstrap));
		json_set(boot, "confidence", cJSON_CreateNumber(o->confidence));
		json_set(boot, "seed", cJSON_CreateNumber((double)o->seed));
	}
	pass = judge_rules(&o->rules, bm, cm, iv, o->confidence, checks);
	verdict = verdict_build(base ? describe(base_rec, o->baseline_rec, base->eval, &base->p) : NULL,
				describe(run_rec, o->candidate_run, cand->eval, &cand->p),
				boot, checks, pass);
	status = verdict_emit(o, verdict);
	cJSON_Delete(verdict);
	cJSON_Delete(bm);
	cJSON_Delete(cm);
	free(iv);
	return status;
}

int predictions_mode(const struct opts *o)
{
	struct model cand = { 0 }, basem = { 0 }, *base = NULL;
	struct evalset e = { 0 };
	cJSON *base_rec = NULL, *run_rec = NULL;
	int status = EXIT_OK;

	if (o->rules.n == 0) {
		if (o->baseline != NULL)
			die(EXIT_USAGE, "no rule: give --rule EXPR or --policy FILE");
		check_eval_only(o);
	} else if (o->baseline == NULL && !o->no_baseline && o->baseline_rec == NULL) {
		die(EXIT_USAGE, "no BASE.csv: give one, or --no-baseline for a first model");
	} else if (o->baseline != NULL && o->no_baseline) {
		die(EXIT_USAGE, "--no-baseline takes no BASE.csv");
	}
	base_rec = read_baseline_record(o);
	if (o->candidate_run != NULL)
		run_rec = record_read(o->candidate_run, "run");

	preds_read(o->candidate, o->task == TASK_GUESS ? COL_GUESS
		   : o->task == TASK_BINARY ? COL_SCORE : COL_PREDICTION, &cand.p);
	if (run_rec != NULL)
		input_require_hash(run_rec, o->candidate_run, "artifacts", cand.p.hash, o->candidate);
	if (o->baseline != NULL) {
		base = &basem;
		preds_read(o->baseline, cand.p.col, &base->p);
		if (base_rec != NULL)
			input_require_hash(base_rec, o->baseline_rec, "files", base->p.hash, o->baseline);
		pairing_align(&base->p, &cand.p);
	}
	setup_evalset(o, &e, base, &cand);
	model_prepare(&cand, &e, o->bootstrap > 0);
	if (base != NULL)
		model_prepare(base, &e, o->bootstrap > 0);
	free_labels(&e, base, &cand, o->bootstrap > 0);
	model_rank(&cand, &e, o->bootstrap > 0);
	if (base != NULL)
		model_rank(base, &e, o->bootstrap > 0);
	model_score(&cand, &e);
	if (base != NULL)
		model_score(base, &e);

	if (o->rules.n == 0)
		record_print(cand.eval, o->pretty);
	else
		status = judge_and_emit(o, &e, base, &cand, base_rec, run_rec);

	evalset_release(&e);
	model_release(&cand);
	if (base != NULL)
		model_release(base);
	cJSON_Delete(base_rec);
	cJSON_Delete(run_rec);
	return status;
}
