/* The rules a verdict judges: --rule options and --policy files. */
#ifndef MLEVAL_RULES_H
#define MLEVAL_RULES_H

#include <stddef.h>
#include "rule.h"

struct ruleset {
	struct rule *v;
	size_t n, cap;
	size_t nargs;   /* --rule options seen, for their index in messages */
};

/* Parses one --rule; a parse error dies "--rule N:COL: what". */
void rules_add_arg(struct ruleset *rs, const char *text);
/* Loads a policy file: JSON {"rules": [...]} or one rule per line. */
void rules_load_policy(struct ruleset *rs, const char *path);
void rules_release(struct ruleset *rs);

#endif
