/*
 * Resample b draws n rows with replacement, as counts per row (a reused
 * array, no copies of rows), from its own splitmix64 stream seeded by
 * (seed, b): which thread draws it changes nothing. Both sides are scored
 * on the same counts, so the delta's spread is that of the paired
 * difference. Each rule's statistic per resample lands in its slot; once
 * all are in, the percentile interval is read off the sorted values.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"
#include "bigmem.h"
#include "binomial.h"
#include "bootstrap.h"

/*
 * When the rules only need counts (accuracy, precision, recall, f1), a
 * resample is a draw of how many rows fall in each joint cell (label,
 * baseline's prediction, candidate's prediction): a multinomial, drawn as
 * a binomial per cell. It has exactly the distribution of those counts
 * in a resample of the rows, at a cost that does not grow with the rows.
 */
struct cells {
	size_t n;              /* nonempty cells */
	uint32_t *code;        /* which cell: (label * k + baseline) * k + candidate */
	uint64_t *rows;        /* rows in it */
	uint64_t *rest;        /* rows in it and the cells after it */
	size_t k;              /* classes */
};

struct job {
	const struct bootstrap *b;
	const struct evalset *e;
	const struct side *base, *cand;
	const struct ruleset *rs;
	const int *metric;     /* per rule: enum metric, or -1 for no interval */
	unsigned mask;
	double *stats;         /* rule r, resample k at stats[r * resamples + k] */
	const struct cells *cells;  /* NULL: resample rows */
	long first, last;      /* this worker's resamples */
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t *state)
{
	return mix64(*state += UINT64_C(0x9E3779B97F4A7C15));
}

static uint64_t stream_for(unsigned long long seed, long k)
{
	return mix64((uint64_t)seed ^ mix64((uint64_t)k + 1));
}

static void draw_counts(weight_t *counts, size_t n, unsigned long long seed, long k)
{
	uint64_t state = stream_for(seed, k);

	memset(counts, 0, n * sizeof(*counts));
	for (size_t i = 0; i < n; i++) {
		/* the top 32 bits scaled to [0, n): n < 2^32 */
		uint64_t r = splitmix64(&state) >> 32;
		if (++counts[(r * n) >> 32] == 0)
			die(EXIT_IO, "bootstrap: a row drawn 65536 times in one resample");
	}
}

/* What rule r's interval is taken on, given both sides' metrics. */
static double statistic(const struct rule *r, int relative, double b, double c)
{
	if (!relative)
		return c;
	if (r->ref == RULE_BASE_MUL)
		return c - r->n * b;
	return c - b;
}

/* Resample k's counts per cell, then both sides' metrics from them. */
static void score_cells(const struct job *j, long k, uint64_t *drawn, double *tally,
			double bm[M_COUNT], double cm[M_COUNT])
{
	const struct cells *c = j->cells;
	uint64_t state = stream_for(j->b->seed, k), left = j->e->n;
	size_t nk = c->k;

	for (size_t i = 0; i < c->n; i++) {
		double u = (double)(splitmix64(&state) >> 11) * 0x1.0p-53;
		drawn[i] = i + 1 == c->n ? left
			: binomial_draw(left, (double)c->rows[i] / (double)c->rest[i], u);
		left -= drawn[i];
	}
	for (int side = 0; side < (j->base != NULL ? 2 : 1); side++) {
		double *out = side == 0 ? cm : bm;
		memset(tally, 0, 3 * nk * sizeof(*tally));
		for (size_t i = 0; i < c->n; i++) {
			uint32_t code = c->code[i], t = code / (uint32_t)(nk * nk);
			uint32_t p = side == 0 ? code % (uint32_t)nk : code / (uint32_t)nk % (uint32_t)nk;
			tally[t] += (double)drawn[i];           /* true */
			tally[nk + p] += (double)drawn[i];      /* predicted */
			if (t == p)
				tally[2 * nk + t] += (double)drawn[i];
		}
		if (j->e->task == TASK_BINARY)
			score_from_confusion(tally[2 * nk + 1], tally[nk + 1] - tally[2 * nk + 1],
					     tally[1] - tally[2 * nk + 1],
					     tally[0] - (tally[nk + 1] - tally[2 * nk + 1]), out);
		else
			score_from_classes(nk, tally + 2 * nk, tally + nk, tally, out);
	}
}

static void *worker(void *arg)
{
	struct job *j = arg;
	weight_t *counts = j->cells ? NULL : big_alloc(j->e->n, sizeof(*counts));
	uint64_t *drawn = j->cells ? xcalloc(j->cells->n + 1, sizeof(*drawn)) : NULL;
	double *tally = j->cells ? xcalloc(3 * j->cells->k, sizeof(*tally)) : NULL;
	double bm[M_COUNT], cm[M_COUNT];

	for (long k = j->first; k < j->last; k++) {
		if (j->cells != NULL) {
			score_cells(j, k, drawn, tally, bm, cm);
		} else {
			draw_counts(counts, j->e->n, j->b->seed, k);
			side_score(j->cand, j->e, counts, j->mask, cm);
			if (j->base != NULL)
				side_score(j->base, j->e, counts, j->mask, bm);
		}
		for (size_t r = 0; r < j->rs->n; r++) {
			const struct rule *rule = &j->rs->v[r];
			if (j->metric[r] < 0)
				continue;
			j->stats[r * (size_t)j->b->resamples + (size_t)k] =
				statistic(rule, rule_is_relative(rule), bm[j->metric[r]], cm[j->metric[r]]);
		}
	}
	free(counts);
	free(drawn);
	free(tally);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q quantile of sorted v[0..n), linearly interpolated (numpy's default). */
static double quantile(const double *v, size_t n, double q)
{
	double at = q * (double)(n - 1);
	size_t lo = (size_t)floor(at);
	double frac = at - (double)lo;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + frac * (v[lo + 1] - v[lo]);
}

static void interval_of(double *stats, long resamples, double confidence, struct interval *iv)
{
	size_t n = 0;
	double alpha = 1 - confidence;

	for (long k = 0; k < resamples; k++)
		if (isfinite(stats[k]))
			stats[n++] = stats[k];
	iv->have = 1;
	iv->undefined = resamples - (long)n;
	if (n == 0)
		return;
	qsort(stats, n, sizeof(*stats), cmp_double);
	iv->lo = quantile(stats, n, alpha / 2);
	iv->hi = quantile(stats, n, 1 - alpha / 2);
}

#define COUNT_METRICS ((1u << M_ACCURACY) | (1u << M_PRECISION) | (1u << M_RECALL) | (1u << M_F1))
#define MAX_CELLS 65536

/* The joint cells of the rows, or NULL when the rules need more than counts. */
static struct cells *cells_build(const struct evalset *e, const struct side *base,
				 const struct side *cand, unsigned mask)
{
	size_t k = e->task == TASK_BINARY ? 2 : e->nclass, total = k * k * k;
	uint64_t *rows;
	struct cells *c;

	if ((mask & ~COUNT_METRICS) != 0 || e->task == TASK_REGRESSION || total > MAX_CELLS)
		return NULL;
	rows = xcalloc(total, sizeof(*rows));
	for (size_t i = 0; i < e->n; i++) {
		uint32_t t, pb, pc;
		if (e->task == TASK_BINARY) {
			t = e->positive_label[i];
			pc = cand->positive[i];
			pb = base != NULL ? base->positive[i] : 0;
		} else {
			t = e->label_class[i];
			pc = cand->pred_class[i];
			pb = base != NULL ? base->pred_class[i] : 0;
		}
		rows[((size_t)t * k + pb) * k + pc]++;
	}
	c = xcalloc(1, sizeof(*c));
	c->k = k;
	c->code = xcalloc(total, sizeof(*c->code));
	c->rows = xcalloc(total, sizeof(*c->rows));
	c->rest = xcalloc(total, sizeof(*c->rest));
	for (size_t code = 0; code < total; code++)
		if (rows[code] > 0) {
			c->code[c->n] = (uint32_t)code;
			c->rows[c->n++] = rows[code];
		}
	for (size_t i = c->n, rest = 0; i-- > 0;) {
		rest += c->rows[i];
		c->rest[i] = rest;
	}
	free(rows);
	return c;
}

static void cells_free(struct cells *c)
{
	if (c == NULL)
		return;
	free(c->code);
	free(c->rows);
	free(c->rest);
	free(c);
}

static void run_workers(struct job *proto, int threads)
{
	pthread_t *tid = xcalloc((size_t)threads, sizeof(*tid));
	struct job *jobs = xcalloc((size_t)threads, sizeof(*jobs));
	long resamples = proto->b->resamples;
	int started = 0;

	for (int t = 0; t < threads; t++) {
		jobs[t] = *proto;
		jobs[t].first = resamples * t / threads;
		jobs[t].last = resamples * (t + 1) / threads;
		if (t == 0)
			continue;
		if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0)
			die(EXIT_IO, "cannot start a bootstrap thread");
		started = t;
	}
	worker(&jobs[0]);
	for (int t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	free(jobs);
}

void bootstrap_intervals(const struct bootstrap *b, const struct evalset *e,
			 const struct side *base, const struct side *cand,
			 const struct ruleset *rs, struct interval *iv)
{
	struct job proto = { b, e, base, cand, rs, NULL, 0, NULL, NULL, 0, 0 };
	int *metric = xcalloc(rs->n + 1, sizeof(*metric));
	unsigned have = metric_mask(e->task);
	int threads = b->threads;

	for (size_t r = 0; r < rs->n; r++) {
		int m = metric_lookup(rs->v[r].metric);
		metric[r] = m >= 0 && (have & (1u << m)) ? m : -1;
		if (rule_is_relative(&rs->v[r]) && base == NULL)
			metric[r] = -1;
		if (metric[r] >= 0)
			proto.mask |= 1u << m;
	}
	proto.metric = metric;
	proto.cells = cells_build(e, base, cand, proto.mask);
	proto.stats = xcalloc(rs->n * (size_t)b->resamples + 1, sizeof(double));
	if (threads > b->resamples)
		threads = (int)b->resamples;
	run_workers(&proto, threads < 1 ? 1 : threads);
	for (size_t r = 0; r < rs->n; r++) {
		memset(&iv[r], 0, sizeof(iv[r]));
		if (metric[r] >= 0)
			interval_of(proto.stats + r * (size_t)b->resamples, b->resamples,
				    b->confidence, &iv[r]);
	}
	free(proto.stats);
	free(metric);
	cells_free((struct cells *)proto.cells);
}
