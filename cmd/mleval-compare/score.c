/*
 * Metrics as scikit-learn defines them (1.2): precision, recall and F1 are
 * 0 where their denominator is 0; multi-class averages are macro over the
 * classes present in the labels or the predictions; ROC AUC counts ties as
 * half (the trapezoids of the ROC curve); log loss clips scores to
 * [eps, 1 - eps] (eps the double's epsilon) and renormalises; R^2 is 1 for
 * a perfect fit of constant labels and 0 for any other fit of them.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "bigmem.h"
#include "order.h"
#include "score.h"

static const char *const names[M_COUNT] = {
	"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "brier",
	"mae", "rmse", "r2"
};

const char *metric_name(enum metric m)
{
	return names[m];
}

int metric_lookup(const char *name)
{
	for (int m = 0; m < M_COUNT; m++)
		if (strcmp(name, names[m]) == 0)
			return m;
	return -1;
}

#define BIT(m) (1u << (m))

unsigned metric_mask(enum task t)
{
	switch (t) {
	case TASK_BINARY:
		return BIT(M_ACCURACY) | BIT(M_PRECISION) | BIT(M_RECALL) | BIT(M_F1)
			| BIT(M_ROC_AUC) | BIT(M_LOG_LOSS) | BIT(M_BRIER);
	case TASK_MULTICLASS:
		return BIT(M_ACCURACY) | BIT(M_PRECISION) | BIT(M_RECALL) | BIT(M_F1);
	case TASK_REGRESSION:
		return BIT(M_MAE) | BIT(M_RMSE) | BIT(M_R2);
	case TASK_GUESS:
		break;
	}
	return 0;
}

static uint32_t class_of(const struct evalset *e, double v)
{
	size_t lo = 0, hi = e->nclass;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->classes[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

void evalset_classes(struct evalset *e, const double *const *values, size_t nvalues)
{
	size_t total = e->n * (nvalues + 1), k = 0;
	double *all = big_alloc(total, sizeof(*all));
	uint32_t *ord;

	memcpy(all, e->label, e->n * sizeof(*all));
	for (size_t j = 0; j < nvalues; j++)
		memcpy(all + e->n * (j + 1), values[j], e->n * sizeof(*all));
	ord = order_by_value(all, total, NULL);
	e->classes = xmalloc(total * sizeof(*e->classes));
	for (size_t i = 0; i < total; i++)
		if (k == 0 || all[ord[i]] != e->classes[k - 1])
			e->classes[k++] = all[ord[i]];
	e->nclass = k;
	e->classes = xreallocarray(e->classes, k, sizeof(*e->classes));
	free(ord);
	free(all);
	e->label_class = big_alloc(e->n, sizeof(*e->label_class));
	for (size_t i = 0; i < e->n; i++)
		e->label_class[i] = class_of(e, e->label[i]);
}

void evalset_binary(struct evalset *e)
{
	e->positive_label = big_alloc(e->n, 1);
	for (size_t i = 0; i < e->n; i++)
		e->positive_label[i] = e->label[i] != 0;
}

void evalset_release(struct evalset *e)
{
	free(e->positive_label);
	e->positive_label = NULL;
	free(e->classes);
	free(e->label_class);
	e->classes = NULL;
	e->label_class = NULL;
}

/* A row's log loss, exactly as scikit-learn computes it. */
static double log_loss_term(double score, double label)
{
	double p = fmin(fmax(score, DBL_EPSILON), 1 - DBL_EPSILON);
	double q = 1 - p, sum = q + p;

	return label != 0 ? -log(p / sum) : -log(q / sum);
}

/*
 * The log loss and Brier sums; and, for the bootstrap (row_terms), each
 * row's terms, so that a resample costs no logarithm.
 */
static void prepare_probabilities(struct side *s, const struct evalset *e, int row_terms)
{
	for (size_t i = 0; i < e->n; i++)
		if (!(s->value[i] >= 0 && s->value[i] <= 1))
			return;
	s->probabilities = 1;
	if (row_terms) {
		s->log_loss = big_alloc(e->n, sizeof(double));
		s->brier = big_alloc(e->n, sizeof(double));
	}
	for (size_t i = 0; i < e->n; i++) {
		double y = e->label[i], ll = log_loss_term(s->value[i], y);
		double br = (y - s->value[i]) * (y - s->value[i]);
		s->log_loss_sum += ll;
		s->brier_sum += br;
		if (row_terms) {
			s->log_loss[i] = ll;
			s->brier[i] = br;
		}
	}
}

void side_prepare(struct side *s, const struct evalset *e, const double *value, int row_terms)
{
	memset(s, 0, sizeof(*s));
	s->value = value;
	if (e->task == TASK_BINARY) {
		s->positive = big_alloc(e->n, 1);
		for (size_t i = 0; i < e->n; i++)
			s->positive[i] = value[i] >= e->threshold;
		prepare_probabilities(s, e, row_terms);
		if (!row_terms)
			return;  /* side_rank_scores() gives the AUC */
		s->tied = big_alloc(e->n, 1);
		s->order = order_by_value(value, e->n, s->tied);
		s->sorted_label = big_alloc(e->n, 1);
		for (size_t i = 0; i < e->n; i++)
			s->sorted_label[i] = e->label[s->order[i]] != 0;
	} else if (e->task == TASK_MULTICLASS) {
		s->pred_class = big_alloc(e->n, sizeof(*s->pred_class));
		for (size_t i = 0; i < e->n; i++)
			s->pred_class[i] = class_of(e, value[i]);
	}
}

void side_release(struct side *s)
{
	free(s->positive);
	free(s->log_loss);
	free(s->brier);
	free(s->order);
	free(s->tied);
	free(s->sorted_label);
	free(s->pred_class);
	memset(s, 0, sizeof(*s));
}

#define WEIGHT(w, i) ((w) != NULL ? (double)(w)[i] : 1.0)

/* Mann-Whitney: each positive counts the negatives scored below it, and half those tied. */
void side_rank_scores(struct side *s, const struct evalset *e, double *value)
{
	s->auc = auc_sorting_scores(value, e->positive_label, e->n);
	s->have_auc = 1;
	s->value = NULL;
}

static double roc_auc(const struct side *s, const struct evalset *e)
{
	double below = 0, num = 0, pos = 0, neg = 0;
	size_t i = 0;

	if (s->have_auc)
		return s->auc;
	while (i < e->n) {
		double gpos = 0, gneg = 0;
		size_t j = i;
		do {
			double yj = s->sorted_label[j];
			gpos += yj;
			gneg += 1 - yj;
			j++;
		} while (j < e->n && s->tied[j]);
		num += gpos * (below + 0.5 * gneg);
		below += gneg;
		pos += gpos;
		neg += gneg;
		i = j;
	}
	return pos > 0 && neg > 0 ? num / (pos * neg) : NAN;
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : 0;
}

void score_from_confusion(double tp, double fp, double fn, double tn, double out[M_COUNT])
{
	out[M_ACCURACY] = (tp + tn) / (tp + fp + fn + tn);
	out[M_PRECISION] = ratio(tp, tp + fp);
	out[M_RECALL] = ratio(tp, tp + fn);
	out[M_F1] = ratio(2 * tp, 2 * tp + fp + fn);
}

/* Each row once: the bootstrap scores binary resamples itself (bootstrap.c). */
static void score_binary(const struct side *s, const struct evalset *e, unsigned mask,
			 double out[M_COUNT])
{
	const uint8_t *y = e->positive_label, *pos = s->positive;
	double total = (double)e->n;
	uint64_t tp = 0, ny = 0, npos = 0, sum = e->n;

	for (size_t i = 0; i < e->n; i++) {
		tp += y[i] & pos[i];
		ny += y[i];
		npos += pos[i];
	}
	score_from_confusion((double)tp, (double)(npos - tp), (double)(ny - tp),
			     (double)(sum - ny - npos + tp), out);
	out[M_LOG_LOSS] = s->probabilities ? s->log_loss_sum / total : NAN;
	out[M_BRIER] = s->probabilities ? s->brier_sum / total : NAN;
	out[M_ROC_AUC] = (mask & BIT(M_ROC_AUC)) ? roc_auc(s, e) : NAN;
}

void score_from_classes(size_t k, const double *tp, const double *npred, const double *ntrue,
			double out[M_COUNT])
{
	size_t present = 0;
	double correct = 0, total = 0, p_sum = 0, r_sum = 0, f_sum = 0;

	for (size_t c = 0; c < k; c++) {
		double prec, rec;
		correct += tp[c];
		total += ntrue[c];
		if (ntrue[c] + npred[c] == 0)
			continue;
		present++;
		prec = ratio(tp[c], npred[c]);
		rec = ratio(tp[c], ntrue[c]);
		p_sum += prec;
		r_sum += rec;
		f_sum += prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
	}
	out[M_ACCURACY] = correct / total;
	out[M_PRECISION] = p_sum / (double)present;
	out[M_RECALL] = r_sum / (double)present;
	out[M_F1] = f_sum / (double)present;
}

static void score_multiclass(const struct side *s, const struct evalset *e, const weight_t *w,
			     double out[M_COUNT])
{
	size_t k = e->nclass;
	double *tp = xcalloc(3 * k, sizeof(double)), *npred = tp + k, *ntrue = tp + 2 * k;

	for (size_t i = 0; i < e->n; i++) {
		double wi = WEIGHT(w, i);
		uint32_t t = e->label_class[i], p = s->pred_class[i];
		ntrue[t] += wi;
		npred[p] += wi;
		if (t == p)
			tp[t] += wi;
	}
	score_from_classes(k, tp, npred, ntrue, out);
	free(tp);
}

static void score_regression(const struct side *s, const struct evalset *e, const weight_t *w,
			     double out[M_COUNT])
{
	double sw = 0, sae = 0, sse = 0, swy = 0, sst = 0, mean;

	for (size_t i = 0; i < e->n; i++) {
		double wi = WEIGHT(w, i), err = e->label[i] - s->value[i];
		sw += wi;
		sae += wi * fabs(err);
		sse += wi * err * err;
		swy += wi * e->label[i];
	}
	mean = swy / sw;
	for (size_t i = 0; i < e->n; i++) {
		double d = e->label[i] - mean;
		sst += WEIGHT(w, i) * d * d;
	}
	out[M_MAE] = sae / sw;
	out[M_RMSE] = sqrt(sse / sw);
	if (e->n < 2)
		out[M_R2] = NAN;
	else if (sst == 0)
		out[M_R2] = sse == 0 ? 1 : 0;
	else
		out[M_R2] = 1 - sse / sst;
}

void side_score(const struct side *s, const struct evalset *e, const weight_t *w,
		unsigned mask, double out[M_COUNT])
{
	for (int m = 0; m < M_COUNT; m++)
		out[m] = NAN;
	if (e->task == TASK_BINARY)
		score_binary(s, e, mask, out);
	else if (e->task == TASK_MULTICLASS)
		score_multiclass(s, e, w, out);
	else
		score_regression(s, e, w, out);
}
