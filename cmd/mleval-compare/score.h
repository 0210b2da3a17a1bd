/*
 * The metrics, computed from flat arrays with optional integer row weights
 * (a bootstrap resample is a weight per row: how often it was drawn).
 */
#ifndef MLEVAL_SCORE_H
#define MLEVAL_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include "opts.h"

/*
 * How often a row was drawn in a resample (multiclass and regression: the
 * bootstrap draws binary resamples as bytes of its own). A row drawn 65536
 * times among n draws has odds below 1e-300000 and is checked for.
 */
typedef uint16_t weight_t;

enum metric {
	M_ACCURACY, M_PRECISION, M_RECALL, M_F1, M_ROC_AUC, M_LOG_LOSS, M_BRIER,
	M_MAE, M_RMSE, M_R2, M_COUNT
};

/* The rows both sides are scored on: the labels, shared. */
struct evalset {
	size_t n;
	enum task task;
	double threshold;
	const double *label;
	uint8_t *positive_label;  /* binary: label != 0 */
	size_t nclass;         /* multiclass: labels and predictions, of both sides */
	double *classes;       /* their values, ascending */
	uint32_t *label_class;
};

/* One model's predictions on those rows, prepared once. */
struct side {
	const double *value;
	uint8_t *positive;     /* binary: score >= threshold */
	int probabilities;     /* binary: every score is in [0, 1] */
	double log_loss_sum, brier_sum;
	double *log_loss;      /* each row's term, for weighted sums; NULL unless row_terms */
	double *brier;
	uint32_t *order;       /* binary: rows by score, ascending */
	uint8_t *tied;         /* tied[i]: order[i]'s score equals order[i-1]'s */
	uint8_t *sorted_label; /* the label of order[i], 0 or 1 */
	int have_auc;          /* auc is the unweighted ROC AUC (no order kept) */
	double auc;
	uint32_t *pred_class;  /* multiclass */
};

const char *metric_name(enum metric m);
/* The metric called name, or -1. */
int metric_lookup(const char *name);
/* The metrics a task has, as a bit mask of 1u << enum metric. */
unsigned metric_mask(enum task t);

/* Collects the classes of labels and of every side's values (multiclass). */
void evalset_classes(struct evalset *e, const double *const *values, size_t nvalues);
/* The 0/1 labels of binary classification. */
void evalset_binary(struct evalset *e);
void evalset_release(struct evalset *e);
/*
 * row_terms: keep what the bootstrap needs (each row's log loss and Brier
 * terms, the rows' order by score). Without it, a binary side needs
 * side_rank_scores() before side_score().
 */
void side_prepare(struct side *s, const struct evalset *e, const double *value, int row_terms);
void side_release(struct side *s);
/* Binary, without row_terms: ROC AUC, sorting value in place (its scores are lost). */
void side_rank_scores(struct side *s, const struct evalset *e, double *value);

/* The classification metrics from a confusion matrix's counts. */
void score_from_confusion(double tp, double fp, double fn, double tn, double out[M_COUNT]);
/* The same for k classes, macro-averaged over the classes present. */
void score_from_classes(size_t k, const double *tp, const double *npred, const double *ntrue,
			double out[M_COUNT]);

/*
 * out[m] for each m in mask: NaN when the metric is not defined on these
 * rows (ROC AUC with one class, log loss of scores that are not
 * probabilities). w is NULL (each row once) or, multiclass and regression
 * only, a weight per row: binary resamples are scored in bootstrap.c.
 */
void side_score(const struct side *s, const struct evalset *e, const weight_t *w,
		unsigned mask, double out[M_COUNT]);

#endif
