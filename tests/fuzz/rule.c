/* libFuzzer target: the gate's rule grammar. A refusal has a column
 * inside the text (or just past it); an accepted rule has a metric. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct rule r;
	struct rule_error err;

	memcpy(text, data, size);
	text[size] = '\0';
	if (rule_parse(text, &r, &err) < 0) {
		if (err.col < 1 || (size_t)err.col > strlen(text) + 1 || !err.msg[0])
			abort();
	} else {
		if (!r.metric || !r.metric[0] || strcmp(r.text, text) != 0)
			abort();
		rule_free(&r);
	}
	free(text);
	return 0;
}
