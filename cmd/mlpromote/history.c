/* history: the audit log of a model, once its chain is verified. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "model.h"
#include "names.h"
#include "opts.h"
#include "record.h"
#include "strbuf.h"

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void print_table(const struct audit_log *log)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%5s  %-8s  %-12s  %-20s  %5s  %-20s  %-16s  %s\n", "LINE", "ACTION",
		    "STAGE", "VERSION", "SEQ", "TIME", "ACTOR", "APPROVED_BY");
	for (size_t i = 0; i < log->n; i++) {
		const cJSON *l = log->lines[i];
		char seq[32] = "-";
		double s;

		if (json_get_number(l, "seq", &s))
			snprintf(seq, sizeof seq, "%.0f", s);
		strbuf_addf(&sb, "%5zu  %-8s  %-12s  %-20s  %5s  %-20s  %-16s  %s%s\n", i + 1,
			    json_get_string(l, "action"), or_dash(json_get_string(l, "stage")),
			    json_get_string(l, "version"), seq, json_get_string(l, "created_at"),
			    or_dash(json_get_string(l, "actor")),
			    or_dash(json_get_string(l, "approved_by")),
			    cJSON_IsTrue(json_get(l, "forced")) ? "  (forced)" : "");
	}
	stdout_write(sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
}

int cmd_history(struct opts *o)
{
	struct registry reg;
	struct model m;
	int table = 0;

	if (!o->model)
		die(EXIT_USAGE, "history needs --model");
	name_check("model", o->model);
	if (o->format && !(table = !strcmp(o->format, "table")) && strcmp(o->format, "json"))
		die(EXIT_USAGE, "--format '%s': not json or table", o->format);
	if (o->nargs)
		die(EXIT_USAGE, "history takes no operand");
	registry_open(&reg, o->registry);
	if (!registry_model_exists(&reg, o->model))
		die(EXIT_NO, "no model '%s' in '%s'", o->model, registry_location(&reg));
	model_open(&m, &reg, o->model, MODEL_READ);
	if (table)
		print_table(&m.log);
	else
		for (size_t i = 0; i < m.log.n; i++)
			record_print(m.log.lines[i], 0);
	model_close(&m);
	registry_close(&reg);
	return EXIT_OK;
}
