/*
 * One check per rule. A floor holds the candidate to a number; a relative
 * rule holds it to the baseline's value (+, -, * n). Without a bootstrap
 * the point values are compared; with one, the interval's bound that the
 * operator points at (the lower for >= and >, the upper for <= and <).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonio.h"
#include "xalloc.h"
#include "judge.h"

/*
 * Rules are written in decimal: "f1 >= baseline + 0.01" must hold when the
 * candidate is 0.84 and the baseline 0.83, though 0.83 + 0.01 rounds to
 * 0.8400000000000001. Non-strict comparisons allow that last-bit error.
 */
static int holds(const struct rule *r, double value, double threshold)
{
	double slack = 1e-12 * fmax(1.0, fabs(threshold));

	if (rule_holds(r, value, threshold))
		return 1;
	if (r->op == RULE_GE)
		return value >= threshold - slack;
	if (r->op == RULE_LE)
		return value <= threshold + slack;
	return 0;
}

double judge_interval_bound(const struct rule *r)
{
	switch (r->ref) {
	case RULE_ABS:
	case RULE_BASE_ADD:
		return r->n;
	case RULE_BASE_SUB:
		return -r->n;
	case RULE_BASE:
	case RULE_BASE_MUL:
		break;
	}
	return 0;
}

/* 1 and *v when metrics holds a finite number under name; else *why. */
static int lookup(const cJSON *metrics, const char *name, double *v, const char **why)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(metrics, name);

	if (item == NULL)
		*why = "is missing";
	else if (cJSON_IsNull(item))
		*why = "is null";
	else if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		*why = "is not a number";
	else {
		*v = item->valuedouble;
		return 1;
	}
	return 0;
}

static const char *num(double v, char buf[32])
{
	if (!isfinite(v))
		return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
	/* six digits read better than seventeen; the check's fields carry the exact values */
	snprintf(buf, 32, "%.6g", v);
	return buf;
}

/* "0.84 (baseline 0.83 + 0.01)" or "0.8". */
static char *describe_threshold(const struct rule *r, double base, double t)
{
	char a[32], b[32], c[32];
	static const char *const sym[] = { "", "", " + ", " - ", " * " };

	if (r->ref == RULE_ABS)
		return xstrdup(num(t, a));
	if (r->ref == RULE_BASE)
		return xasprintf("%s (the baseline)", num(t, a));
	return xasprintf("%s (baseline %s%s%s)", num(t, a), num(base, b), sym[r->ref], num(r->n, c));
}

static char *point_reason(const struct rule *r, int ok, double cand, double base, double t)
{
	char a[32];
	char *thr = describe_threshold(r, base, t);
	char *s = xasprintf("candidate %s%s %s %s", num(cand, a), ok ? "" : ", needs",
			    rule_op_str(r->op), thr);
	free(thr);
	return s;
}

static char *interval_reason(const struct rule *r, int ok, const struct interval *iv,
			     double confidence, double bound)
{
	char lo[32], hi[32], bd[32], at[32], n[32];
	int lower = r->op == RULE_GE || r->op == RULE_GT;
	const char *of = r->ref == RULE_ABS ? "the candidate"
		: r->ref == RULE_BASE_MUL ? NULL : "the delta (candidate - baseline)";
	char *ofmul = NULL, *s;

	if (of == NULL)
		of = ofmul = xasprintf("candidate - %s * baseline", num(r->n, n));
	s = xasprintf("%g%% interval of %s [%s, %s]: %s bound %s%s %s %s",
		      confidence * 100, of, num(iv->lo, lo), num(iv->hi, hi),
		      lower ? "lower" : "upper", num(lower ? iv->lo : iv->hi, at),
		      ok ? "" : ", needs", rule_op_str(r->op), num(bound, bd));
	free(ofmul);
	return s;
}

static cJSON *number_or_null(int have, double v)
{
	return have && isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static int judge_one(const struct rule *r, const cJSON *base, const cJSON *cand,
		     const struct interval *iv, double confidence, cJSON *check)
{
	double bv = 0, cv = 0, t = 0;
	const char *bwhy = NULL, *cwhy = NULL;
	int relative = rule_is_relative(r);
	int have_b = base != NULL && lookup(base, r->metric, &bv, &bwhy);
	int have_c = lookup(cand, r->metric, &cv, &cwhy);
	const char *status;
	char *reason;
	int ok = 0;

	json_set(check, "rule", cJSON_CreateString(r->text));
	json_set(check, "metric", cJSON_CreateString(r->metric));
	json_set(check, "baseline", number_or_null(have_b, bv));
	json_set(check, "candidate", number_or_null(have_c, cv));
	json_set(check, "delta", number_or_null(have_b && have_c, cv - bv));
	json_set(check, "rel_delta", number_or_null(have_b && have_c && bv != 0, (cv - bv) / fabs(bv)));
	if (iv != NULL && iv->have && iv->undefined == 0) {
		cJSON *pair = cJSON_CreateArray();
		cJSON_AddItemToArray(pair, number_or_null(1, iv->lo));
		cJSON_AddItemToArray(pair, number_or_null(1, iv->hi));
		json_set(check, "interval", pair);
	} else {
		json_set(check, "interval", cJSON_CreateNull());
	}

	if (relative && base == NULL) {
		status = "skipped";
		reason = xstrdup("relative rule skipped: no baseline (--no-baseline)");
	} else if (!have_c) {
		status = "fail";
		reason = xasprintf("metric '%s' %s in the candidate", r->metric, cwhy);
	} else if (relative && !have_b) {
		status = "fail";
		reason = xasprintf("metric '%s' %s in the baseline", r->metric, bwhy);
	} else {
		t = relative ? rule_threshold(r, bv) : r->n;
		if (iv != NULL && iv->have && iv->undefined > 0) {
			reason = xasprintf("metric '%s' is undefined in %ld of the bootstrap resamples",
					   r->metric, iv->undefined);
		} else if (iv != NULL && iv->have) {
			double bound = judge_interval_bound(r);
			int lower = r->op == RULE_GE || r->op == RULE_GT;
			ok = holds(r, lower ? iv->lo : iv->hi, bound);
			reason = interval_reason(r, ok, iv, confidence, bound);
		} else {
			ok = holds(r, cv, t);
			reason = point_reason(r, ok, cv, bv, t);
		}
		status = ok ? "pass" : "fail";
	}
	json_set(check, "threshold", number_or_null(have_c && !(relative && !have_b), t));
	json_set(check, "status", cJSON_CreateString(status));
	json_set(check, "reason", cJSON_CreateString(reason));
	free(reason);
	return status[0] != 'f';
}

int judge_rules(const struct ruleset *rs, const cJSON *base, const cJSON *cand,
		const struct interval *iv, double confidence, cJSON *checks)
{
	int pass = 1;

	for (size_t i = 0; i < rs->n; i++) {
		cJSON *check = cJSON_CreateObject();
		if (!judge_one(&rs->v[i], base, cand, iv ? &iv[i] : NULL, confidence, check))
			pass = 0;
		cJSON_AddItemToArray(checks, check);
	}
	return pass;
}
