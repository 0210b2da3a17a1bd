#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"
#include "xalloc.h"

struct scan {
	const char *text, *p;
	struct rule_error *err;
};

static int fail(struct scan *s, const char *msg)
{
	s->err->col = (int)(s->p - s->text) + 1;
	snprintf(s->err->msg, sizeof s->err->msg, "%s", msg);
	return -1;
}

static void skip_blanks(struct scan *s)
{
	while (*s->p == ' ' || *s->p == '\t')
		s->p++;
}

static int metric_char(char c, int first)
{
	if (isalpha((unsigned char)c) || c == '_')
		return 1;
	return !first && (isdigit((unsigned char)c) || c == '.' || c == ':' || c == '/' || c == '-');
}

static int scan_metric(struct scan *s, struct rule *r)
{
	const char *start;

	skip_blanks(s);
	if (!metric_char(*s->p, 1))
		return fail(s, *s->p ? "expected a metric name" : "empty rule");
	start = s->p;
	while (metric_char(*s->p, 0))
		s->p++;
	r->metric = xstrndup(start, (size_t)(s->p - start));
	return 0;
}

static int scan_op(struct scan *s, struct rule *r)
{
	skip_blanks(s);
	if (s->p[0] == '>' && s->p[1] == '=') { r->op = RULE_GE; s->p += 2; }
	else if (s->p[0] == '<' && s->p[1] == '=') { r->op = RULE_LE; s->p += 2; }
	else if (s->p[0] == '>') { r->op = RULE_GT; s->p++; }
	else if (s->p[0] == '<') { r->op = RULE_LT; s->p++; }
	else return fail(s, "expected an operator (>=, >, <= or <)");
	return 0;
}

/* A plain decimal number: no hex, no nan, no inf. */
static int scan_number(struct scan *s, double *out)
{
	const char *q = s->p;
	char *end;

	skip_blanks(s);
	q = s->p;
	if (*q == '+' || *q == '-')
		q++;
	if (!isdigit((unsigned char)*q) && !(*q == '.' && isdigit((unsigned char)q[1])))
		return fail(s, "expected a number");
	while (isdigit((unsigned char)*q) || *q == '.')
		q++;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		while (isdigit((unsigned char)*q))
			q++;
	}
	errno = 0;
	*out = strtod(s->p, &end);
	if (end != q || errno || !isfinite(*out))
		return fail(s, "invalid number");
	s->p = q;
	return 0;
}

static int scan_value(struct scan *s, struct rule *r)
{
	skip_blanks(s);
	if (strncmp(s->p, "baseline", 8) != 0 || metric_char(s->p[8], 0)) {
		r->ref = RULE_ABS;
		return scan_number(s, &r->n);
	}
	s->p += 8;
	skip_blanks(s);
	r->n = 0;
	switch (*s->p) {
	case '\0': r->ref = RULE_BASE; return 0;
	case '+': r->ref = RULE_BASE_ADD; break;
	case '-': r->ref = RULE_BASE_SUB; break;
	case '*': r->ref = RULE_BASE_MUL; break;
	default: return fail(s, "expected '+', '-' or '*' after 'baseline'");
	}
	s->p++;
	skip_blanks(s);
	if (*s->p == '+' || *s->p == '-')
		return fail(s, "expected a number without a sign");
	return scan_number(s, &r->n);
}

int rule_parse(const char *text, struct rule *r, struct rule_error *err)
{
	struct scan s = { text, text, err };

	memset(r, 0, sizeof *r);
	memset(err, 0, sizeof *err);
	if (scan_metric(&s, r) < 0 || scan_op(&s, r) < 0 || scan_value(&s, r) < 0)
		goto fail;
	skip_blanks(&s);
	if (*s.p) {
		fail(&s, "unexpected text after the rule");
		goto fail;
	}
	r->text = xstrdup(text);
	return 0;
fail:
	free(r->metric);
	r->metric = NULL;
	return -1;
}

void rule_free(struct rule *r)
{
	free(r->text);
	free(r->metric);
	r->text = r->metric = NULL;
}

int rule_is_relative(const struct rule *r)
{
	return r->ref != RULE_ABS;
}

double rule_threshold(const struct rule *r, double baseline)
{
	switch (r->ref) {
	case RULE_ABS: return r->n;
	case RULE_BASE: return baseline;
	case RULE_BASE_ADD: return baseline + r->n;
	case RULE_BASE_SUB: return baseline - r->n;
	case RULE_BASE_MUL: return baseline * r->n;
	}
	return r->n;
}

int rule_holds(const struct rule *r, double value, double threshold)
{
	switch (r->op) {
	case RULE_GE: return value >= threshold;
	case RULE_GT: return value > threshold;
	case RULE_LE: return value <= threshold;
	case RULE_LT: return value < threshold;
	}
	return 0;
}

const char *rule_op_str(enum rule_op op)
{
	switch (op) {
	case RULE_GE: return ">=";
	case RULE_GT: return ">";
	case RULE_LE: return "<=";
	case RULE_LT: return "<";
	}
	return "?";
}
