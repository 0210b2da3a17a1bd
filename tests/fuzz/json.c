/*
 * libFuzzer target: the strict JSON reader and the canonical writer.
 * Besides not crashing, whatever the reader accepts must canonicalise to a
 * form that reads back to the same canonical form (JCS is idempotent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jcs.h"
#include "jsonio.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_error err;
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
	cJSON *root = json_parse_strict((const char *)data, size, &err), *again;

	if (!root) {
		if (err.line < 1 || err.col < 1 || !err.msg[0])
			abort(); /* every refusal says where and why */
		return 0;
	}
	if (jcs_write(&once, root) < 0)
		abort(); /* the reader refuses non-finite numbers */
	again = json_parse_strict(once.buf, once.len, &err);
	if (!again || jcs_write(&twice, again) < 0)
		abort();
	if (once.len != twice.len || memcmp(once.buf, twice.buf, once.len) != 0)
		abort();
	cJSON_Delete(root);
	cJSON_Delete(again);
	strbuf_release(&once);
	strbuf_release(&twice);
	return 0;
}
