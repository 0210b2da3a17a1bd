/*
 * The gate's rule grammar, shared by mleval-compare and `mlrun-log ls
 * --filter`:   METRIC OP VALUE
 *   OP     one of >= > <= <
 *   VALUE  NUMBER | baseline | baseline + N | baseline - N | baseline * N
 * METRIC is [A-Za-z_][A-Za-z0-9_.:/-]* ; blanks between tokens are optional.
 */
#ifndef MLGATE_RULE_H
#define MLGATE_RULE_H

#include <stddef.h>

enum rule_op { RULE_GE, RULE_GT, RULE_LE, RULE_LT };
enum rule_ref {
	RULE_ABS,       /* a floor or ceiling: VALUE is a number */
	RULE_BASE,      /* baseline */
	RULE_BASE_ADD,  /* baseline + n */
	RULE_BASE_SUB,  /* baseline - n */
	RULE_BASE_MUL   /* baseline * n */
};

struct rule {
	char *text;     /* as given */
	char *metric;
	enum rule_op op;
	enum rule_ref ref;
	double n;       /* the number (RULE_ABS) or the offset/factor */
};

struct rule_error {
	int col;        /* 1-based column in the rule text */
	char msg[96];   /* "expected an operator" */
};

/* 0, or -1 with *err filled. On success r owns its strings (rule_free). */
int rule_parse(const char *text, struct rule *r, struct rule_error *err);
void rule_free(struct rule *r);
int rule_is_relative(const struct rule *r);
/* The threshold the candidate is held to, given the baseline value. */
double rule_threshold(const struct rule *r, double baseline);
/* 1 when value OP threshold holds. */
int rule_holds(const struct rule *r, double value, double threshold);


const char *rule_op_str(enum rule_op op);

#endif
