/*
 * status: what is live, as records (the gate's baseline), a table, or
 * Prometheus textfile metrics for node_exporter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"
#include "fileio.h"
#include "jcs.h"
#include "jsonio.h"
#include "model.h"
#include "names.h"
#include "opts.h"
#include "pointer.h"
#include "record.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

enum format { FORMAT_JSON, FORMAT_TABLE, FORMAT_PROMETHEUS };

struct status_list {
	cJSON **recs;
	size_t n;
};

static void add_record(struct status_list *l, cJSON *rec)
{
	l->recs = xreallocarray(l->recs, l->n + 1, sizeof *l->recs);
	l->recs[l->n++] = rec;
}

/* When the live version's data was taken: the snapshot's time when the run
 * records it, else the run's start (the snapshot is taken just before). */
static void add_data_time(cJSON *rec, const cJSON *run)
{
	const char *t = json_get_string(json_get_object(run, "data"), "created_at");

	if (!t)
		t = json_get_string(run, "started_at");
	json_set_string_or_null(rec, "data_time", t);
}

static cJSON *status_record(const struct model *m, const char *stage)
{
	const cJSON *p = m ? model_pointer(m, stage) : NULL;
	cJSON *rec = cJSON_CreateObject();
	const char *version = json_get_string(p, "version");
	cJSON *run = p ? model_run(m, version) : NULL;
	cJSON *manifest = p ? model_manifest(m, version) : NULL;
	const cJSON *files = json_get_array(manifest, "files");
	const cJSON *metrics = json_get_object(run, "metrics");

	json_set_string_or_null(rec, "model", m ? m->name : NULL);
	json_set_string_or_null(rec, "stage", stage);
	json_set(rec, "live", cJSON_CreateBool(p != NULL));
	copy_field(rec, "version", p, "version");
	copy_field(rec, "seq", p, "seq");
	copy_field(rec, "since", p, "created_at");
	copy_field(rec, "pointer", p, "id");
	copy_field(rec, "run", p, "run");
	copy_field(rec, "manifest", p, "manifest");
	copy_field(rec, "snapshot", p, "snapshot");
	copy_field(rec, "approved_by", p, "approved_by");
	json_set(rec, "metrics", metrics ? cJSON_Duplicate(metrics, 1) : cJSON_CreateNull());
	json_set(rec, "files", files ? cJSON_Duplicate(files, 1) : cJSON_CreateNull());
	add_data_time(rec, run);
	cJSON_Delete(run);
	cJSON_Delete(manifest);
	record_finish(rec, "status");
	return rec;
}


/* One record per stage of the model (the stage asked, or each one with a pointer). */
static void model_status(struct registry *reg, const char *name, const char *stage,
			 struct status_list *l)
{
	struct model m;

	if (!registry_model_exists(reg, name)) {
		cJSON *rec = status_record(NULL, stage ? stage : DEFAULT_STAGE);

		json_set_string_or_null(rec, "model", name);
		record_finish(rec, "status");
		add_record(l, rec);
		return;
	}
	model_open(&m, reg, name, MODEL_READ);
	if (stage || m.state.n == 0)
		add_record(l, status_record(&m, stage ? stage : DEFAULT_STAGE));
	if (!stage) {
		const char **names = xcalloc(m.state.n + 1, sizeof *names);

		for (size_t i = 0; i < m.state.n; i++)
			names[i] = m.state.stages[i].name;
		qsort(names, m.state.n, sizeof *names, name_compare);
		for (size_t i = 0; i < m.state.n; i++)
			add_record(l, status_record(&m, names[i]));
		free(names);
	}
	model_close(&m);
}

static void render_json(struct strbuf *sb, const struct status_list *l, int pretty)
{
	for (size_t i = 0; i < l->n; i++) {
		if ((pretty ? jcs_write_pretty(sb, l->recs[i]) : jcs_write(sb, l->recs[i])) < 0)
			die(EXIT_USAGE, "a status record holds a value JSON cannot carry");
		strbuf_addch(sb, '\n');
	}
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void render_table(struct strbuf *sb, const struct status_list *l)
{
	strbuf_addf(sb, "%-20s %-12s %-5s %-20s %5s  %s\n", "MODEL", "STAGE", "LIVE", "VERSION",
		    "SEQ", "SINCE");
	for (size_t i = 0; i < l->n; i++) {
		const cJSON *r = l->recs[i];
		double seq = 0;
		char seqs[32] = "-";

		if (json_get_number(r, "seq", &seq))
			snprintf(seqs, sizeof seqs, "%.0f", seq);
		strbuf_addf(sb, "%-20s %-12s %-5s %-20s %5s  %s\n", json_get_string(r, "model"),
			    json_get_string(r, "stage"), cJSON_IsTrue(json_get(r, "live")) ? "yes" : "no",
			    or_dash(json_get_string(r, "version")), seqs,
			    or_dash(json_get_string(r, "since")));
	}
}

static double seconds_since(const char *t, time_t now)
{
	time_t when;

	return t && time_parse(t, &when) == 0 ? difftime(now, when) : -1;
}

/* Labels need no escaping: names are [A-Za-z0-9._-]. */
static void render_prometheus(struct strbuf *sb, const struct status_list *l, time_t now)
{
	static const char *const help[][2] = {
		{ "mlgate_model_info", "The version live at a model's stage (always 1)." },
		{ "mlgate_model_live", "1 when a version is live at the stage, else 0." },
		{ "mlgate_model_seq", "Changes made to the stage so far (its pointer's seq)." },
		{ "mlgate_model_promoted_timestamp_seconds", "When the live version went live, Unix time." },
		{ "mlgate_model_data_age_seconds", "Age of the live version's training data." },
	};

	for (size_t f = 0; f < sizeof help / sizeof help[0]; f++) {
		strbuf_addf(sb, "# HELP %s %s\n# TYPE %s gauge\n", help[f][0], help[f][1], help[f][0]);
		for (size_t i = 0; i < l->n; i++) {
			const cJSON *r = l->recs[i];
			const char *model = json_get_string(r, "model"), *stage = json_get_string(r, "stage");
			const char *version = json_get_string(r, "version");
			int live = cJSON_IsTrue(json_get(r, "live"));
			double seq = 0, age = seconds_since(json_get_string(r, "data_time"), now);
			time_t since;

			json_get_number(r, "seq", &seq);
			if (f == 0 && live)
				strbuf_addf(sb, "%s{model=\"%s\",stage=\"%s\",version=\"%s\"} 1\n",
					    help[f][0], model, stage, version);
			else if (f == 1 || (f == 2 && live))
				strbuf_addf(sb, "%s{model=\"%s\",stage=\"%s\"} %.0f\n", help[f][0], model,
					    stage, f == 1 ? (double)live : seq);
			else if (f == 3 && live && time_parse(json_get_string(r, "since"), &since) == 0)
				strbuf_addf(sb, "%s{model=\"%s\",stage=\"%s\"} %lld\n", help[f][0], model,
					    stage, (long long)since);
			else if (f == 4 && live && age >= 0)
				strbuf_addf(sb, "%s{model=\"%s\",stage=\"%s\"} %.0f\n", help[f][0], model,
					    stage, age);
		}
	}
}

static enum format parse_format(const char *s)
{
	if (!s || !strcmp(s, "json"))
		return FORMAT_JSON;
	if (!strcmp(s, "table"))
		return FORMAT_TABLE;
	if (!strcmp(s, "prometheus"))
		return FORMAT_PROMETHEUS;
	die(EXIT_USAGE, "--format '%s': not json, table or prometheus", s);
}

/* 1 when a live version went live longer ago than max_age. */
static int too_old(const struct status_list *l, const char *max_age_arg, double max_age, time_t now)
{
	int old = 0;

	for (size_t i = 0; i < l->n; i++) {
		const cJSON *r = l->recs[i];
		double age = seconds_since(json_get_string(r, "since"), now);

		if (cJSON_IsTrue(json_get(r, "live")) && age > max_age) {
			warnmsg("model '%s' stage '%s': version '%s' live for %.0fs, over --max-age %s",
				json_get_string(r, "model"), json_get_string(r, "stage"),
				json_get_string(r, "version"), age, max_age_arg);
			old = 1;
		}
	}
	return old;
}

int cmd_status(struct opts *o)
{
	struct status_list l = { NULL, 0 };
	struct strbuf sb = STRBUF_INIT;
	enum format fmt = parse_format(o->format);
	struct registry reg;
	double max_age = 0;
	time_t now = time(NULL);
	int status = EXIT_OK;

	if (o->model)
		name_check("model", o->model);
	if (o->stage)
		name_check("stage", o->stage);
	if (o->max_age && duration_parse(o->max_age, &max_age) < 0)
		die(EXIT_USAGE, "--max-age '%s': not a duration (30d, 12h, 15m, 45s)", o->max_age);
	if (o->nargs)
		die(EXIT_USAGE, "status takes no operand");
	registry_open(&reg, o->registry);
	if (o->model) {
		model_status(&reg, o->model, o->stage ? o->stage : DEFAULT_STAGE, &l);
	} else {
		size_t n;
		char **models = registry_models(&reg, &n);

		for (size_t i = 0; i < n; i++)
			model_status(&reg, models[i], o->stage, &l);
		strlist_free(models, n);
	}
	if (fmt == FORMAT_JSON)
		render_json(&sb, &l, o->pretty && !o->output && isatty(1));
	else if (fmt == FORMAT_TABLE)
		render_table(&sb, &l);
	else
		render_prometheus(&sb, &l, now);
	if (o->output)
		atomicfile_replace_or_die(o->output, sb.buf ? sb.buf : "", sb.len, 0644);
	else
		stdout_write(sb.buf ? sb.buf : "", sb.len);
	if (o->max_age && too_old(&l, o->max_age, max_age, now))
		status = EXIT_NO;
	for (size_t i = 0; i < l.n; i++)
		cJSON_Delete(l.recs[i]);
	free(l.recs);
	strbuf_release(&sb);
	registry_close(&reg);
	return status;
}
