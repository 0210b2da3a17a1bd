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
#include "bootstrap.h"

struct job {
	const struct bootstrap *b;
	const struct evalset *e;
	const struct side *base, *cand;
	const struct ruleset *rs;
	const int *metric;     /* per rule: enum metric, or -1 for no interval */
	unsigned mask;
	double *stats;         /* rule r, resample k at stats[r * resamples + k] */
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

static void draw_counts(uint32_t *counts, size_t n, unsigned long long seed, long k)
{
	uint64_t state = mix64((uint64_t)seed ^ mix64((uint64_t)k + 1));

	memset(counts, 0, n * sizeof(*counts));
	for (size_t i = 0; i < n; i++) {
		/* the top 32 bits scaled to [0, n): n < 2^32 */
		uint64_t r = splitmix64(&state) >> 32;
		counts[(r * n) >> 32]++;
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

static void *worker(void *arg)
{
	struct job *j = arg;
	uint32_t *counts = big_alloc(j->e->n, sizeof(*counts));
	double bm[M_COUNT], cm[M_COUNT];

	for (long k = j->first; k < j->last; k++) {
		draw_counts(counts, j->e->n, j->b->seed, k);
		side_score(j->cand, j->e, counts, j->mask, cm);
		if (j->base != NULL)
			side_score(j->base, j->e, counts, j->mask, bm);
		for (size_t r = 0; r < j->rs->n; r++) {
			const struct rule *rule = &j->rs->v[r];
			if (j->metric[r] < 0)
				continue;
			j->stats[r * (size_t)j->b->resamples + (size_t)k] =
				statistic(rule, rule_is_relative(rule), bm[j->metric[r]], cm[j->metric[r]]);
		}
	}
	free(counts);
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
	struct job proto = { b, e, base, cand, rs, NULL, 0, NULL, 0, 0 };
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
}
