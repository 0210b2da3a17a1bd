/*
 * Resample b draws n rows with replacement, as counts per row (a reused
 * array, no copies of rows), from its own splitmix64 stream seeded by
 * (seed, b): which thread draws it changes nothing. (Binary classification
 * draws positions in the candidate's score order instead: see struct
 * ranked.) Both sides are scored on the same counts, so the delta's spread
 * is that of the paired difference. Each rule's statistic per resample
 * lands in its slot; once all are in, the percentile interval is read off
 * the sorted values.
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
	const struct ranked *ranked; /* binary without cells: positions in the candidate's score order */
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

/*
 * Draws as counts of a byte: half the array that the baseline's walk gathers
 * from (a million positions: 1 MiB, which stays in the core's L2). Each
 * splitmix64 output gives two draws, its high and its low 32 bits. A
 * position drawn 256 times among n draws has odds below 1e-500; checked for.
 */
static void bump8(uint8_t *counts, uint64_t r, size_t n)
{
	if (++counts[(r * n) >> 32] == 0)
		die(EXIT_IO, "bootstrap: a row drawn 256 times in one resample");
}

static void draw_counts8(uint8_t *counts, size_t n, unsigned long long seed, long k)
{
	uint64_t state = stream_for(seed, k);
	size_t i = 0;

	memset(counts, 0, n);
	for (; i + 1 < n; i += 2) {
		uint64_t z = splitmix64(&state);
		bump8(counts, z >> 32, n);
		bump8(counts, z & UINT32_MAX, n);
	}
	if (i < n)
		bump8(counts, splitmix64(&state) >> 32, n);
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

/*
 * Binary classification with rows drawn (roc_auc, log loss, Brier): the
 * draws are positions in the candidate's score order rather than row
 * numbers. The rows are exchangeable, so a resample has the same
 * distribution either way, and in that order the candidate's ROC AUC is one
 * sequential pass over the counts, with no sort and no gather; the
 * baseline's walks its own order through a map to those positions. Every
 * per-row fact a resample needs is laid out in the candidate's order once.
 *
 * Within a group of tied scores the positives are put first: then a
 * positive's negatives below are those counted before it, and a negative
 * meets its group's positives already counted, which is the half of the
 * ties that the Mann-Whitney statistic gives (counted twice: all integer).
 */
/* Bits of a flag byte: the label, each side's prediction (1: positive). */
enum { B_CPOS = 2, B_BPOS = 3 };
enum { F_LABEL = 1, F_CPOS = 1 << B_CPOS, F_BPOS = 1 << B_BPOS };

struct ranked {
	size_t n;
	uint8_t *flags;        /* by candidate position: F_LABEL, F_CPOS, F_BPOS */
	/* The walks' masks (0 or -1) by position in each order: positive, tied to the one before. */
	int8_t *cpos, *ctied, *bpos, *btied;
	uint32_t *bmap;        /* baseline position -> candidate position; NULL without a baseline */
	double *terms;         /* by candidate position: log loss and Brier terms, candidate then
				* baseline (4 a row); NULL unless a rule needs them */
};

/* side's order with each tie group's positives first (stable), into out. */
static void order_positives_first(const struct side *s, const struct evalset *e, uint32_t *out)
{
	size_t n = e->n, i = 0;

	while (i < n) {
		size_t j = i + 1, k = i;
		while (j < n && s->tied[j])
			j++;
		for (size_t t = i; t < j; t++)
			if (e->positive_label[s->order[t]])
				out[k++] = s->order[t];
		for (size_t t = i; t < j; t++)
			if (!e->positive_label[s->order[t]])
				out[k++] = s->order[t];
		i = j;
	}
}

static struct ranked *ranked_build(const struct evalset *e, const struct side *base,
				   const struct side *cand, unsigned mask)
{
	size_t n = e->n;
	uint32_t *corder, *rank;
	struct ranked *r;
	int terms = (mask & ((1u << M_LOG_LOSS) | (1u << M_BRIER))) != 0;

	/* Binary sides are prepared with row_terms for the bootstrap: they have an order. */
	if (e->task != TASK_BINARY)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->n = n;
	corder = big_alloc(n, sizeof(*corder));
	order_positives_first(cand, e, corder);
	r->flags = big_alloc(n, 1);
	r->cpos = big_alloc(n, 1);
	r->ctied = big_alloc(n, 1);
	for (size_t j = 0; j < n; j++) {
		uint32_t row = corder[j];
		r->cpos[j] = (int8_t)-(int)e->positive_label[row];
		r->ctied[j] = (int8_t)-(int)(cand->tied[j] != 0);
		r->flags[j] = (uint8_t)((e->positive_label[row] ? F_LABEL : 0) |
					(cand->positive[row] ? F_CPOS : 0) |
					(base != NULL && base->positive[row] ? F_BPOS : 0));
	}
	if (terms) {
		r->terms = big_alloc(4 * n, sizeof(double));
		for (size_t j = 0; j < n; j++) {
			uint32_t row = corder[j];
			/* A side without them has scores that are not probabilities: NaN. */
			r->terms[4 * j] = cand->log_loss ? cand->log_loss[row] : 0;
			r->terms[4 * j + 1] = cand->log_loss ? cand->brier[row] : 0;
			r->terms[4 * j + 2] = base != NULL && base->log_loss ? base->log_loss[row] : 0;
			r->terms[4 * j + 3] = base != NULL && base->log_loss ? base->brier[row] : 0;
		}
	}
	if (base != NULL) {
		uint32_t *border = big_alloc(n, sizeof(*border));
		rank = big_alloc(n, sizeof(*rank));
		for (size_t j = 0; j < n; j++)
			rank[corder[j]] = (uint32_t)j;
		order_positives_first(base, e, border);
		r->bmap = big_alloc(n, sizeof(*r->bmap));
		r->bpos = big_alloc(n, 1);
		r->btied = big_alloc(n, 1);
		for (size_t j = 0; j < n; j++) {
			r->bmap[j] = rank[border[j]];
			r->bpos[j] = (int8_t)-(int)e->positive_label[border[j]];
			r->btied[j] = (int8_t)-(int)(base->tied[j] != 0);
		}
		free(border);
		free(rank);
	}
	free(corder);
	return r;
}

static void ranked_free(struct ranked *r)
{
	if (r == NULL)
		return;
	free(r->flags);
	free(r->cpos);
	free(r->ctied);
	free(r->bpos);
	free(r->btied);
	free(r->bmap);
	free(r->terms);
	free(r);
}

/*
 * The Mann-Whitney walk, in a score order with each tie group's positives
 * first: each positive counts the negatives below it (below), each negative
 * the positives of its own tie group before it (tie, in grp: the group's
 * positives so far). The AUC's numerator is below + tie / 2. Masks from the
 * 0/1 flags, no branches (the labels are as unpredictable as coins); grp
 * and neg are the only sums that carry from a row to the next.
 */
struct walk {
	uint64_t below, neg, tie;
};

/* The walk over n positions: weight w[i] (or w[map[i]]), masks pos[i] and tied[i]. */
static void auc_walk(struct walk *out, const uint8_t *w, const uint32_t *map, const int8_t *pos,
		     const int8_t *tied, size_t n)
{
	uint64_t below = 0, neg = 0, grp = 0, tie = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t wi = map != NULL ? w[map[i]] : w[i];
		uint64_t wp = wi & (uint64_t)(int64_t)pos[i], wn = wi - wp;
		grp = (grp & (uint64_t)(int64_t)tied[i]) + wp;
		below += wp * neg;
		tie += wn * grp;
		neg += wn;
	}
	*out = (struct walk){ below, neg, tie };
}

static double auc_of(uint64_t below, uint64_t tie, uint64_t pos, uint64_t neg)
{
	/* Exact integers in the double (below 2^53: up to some 10^8 rows), as the row walk had. */
	return pos > 0 && neg > 0 ? ((double)below + (double)tie / 2) / ((double)pos * (double)neg)
		: NAN;
}

#define COUNT_BLOCK 64

static inline void count_block(const uint8_t *cnt, const uint8_t *f, size_t len, uint32_t *ny,
			       uint32_t *ctp, uint32_t *cpos, uint32_t *btp, uint32_t *bpos)
{
	uint32_t a = 0, b = 0, c = 0, d = 0, e = 0;

	for (size_t i = 0; i < len; i++) {
		uint32_t w = cnt[i], fi = f[i], y = fi & F_LABEL;
		a += w * y;
		b += w * (y & (fi >> B_CPOS));
		c += w * ((fi >> B_CPOS) & 1);
		d += w * (y & (fi >> B_BPOS));
		e += w * ((fi >> B_BPOS) & 1);
	}
	*ny += a, *ctp += b, *cpos += c, *btp += d, *bpos += e;
}

/* Resample k's counts by candidate position, then both sides' metrics. */
static void score_ranked(const struct job *j, long k, uint8_t *cnt, double bm[M_COUNT],
			 double cm[M_COUNT])
{
	const struct ranked *r = j->ranked;
	const uint8_t *f = r->flags;
	size_t n = r->n;
	/* n < 2^32 (rows are numbered in 32 bits), and so are these sums of counts. */
	uint32_t ny32 = 0, ctp32 = 0, cpos32 = 0, btp32 = 0, bpos32 = 0;
	uint64_t ny, ctp, cpos, btp, bpos;
	struct walk a = { 0, 0, 0 };
	double cll = 0, cbr = 0, bll = 0, bbr = 0, total = (double)n;
	int auc = (j->mask & (1u << M_ROC_AUC)) != 0;

	draw_counts8(cnt, n, j->b->seed, k);
	/*
	 * Apart from the walk, whose steps depend on each other, and in blocks
	 * of a fixed length: the compiler vectorises that at -O2.
	 */
	size_t i0 = 0;
	for (; i0 + COUNT_BLOCK <= n; i0 += COUNT_BLOCK)
		count_block(cnt + i0, f + i0, COUNT_BLOCK, &ny32, &ctp32, &cpos32, &btp32, &bpos32);
	count_block(cnt + i0, f + i0, n - i0, &ny32, &ctp32, &cpos32, &btp32, &bpos32);
	ny = ny32, ctp = ctp32, cpos = cpos32, btp = btp32, bpos = bpos32;
	if (auc)
		auc_walk(&a, cnt, NULL, r->cpos, r->ctied, n);
	if (r->terms != NULL)
		for (size_t i = 0; i < n; i++) {
			double w = cnt[i];
			cll += w * r->terms[4 * i];
			cbr += w * r->terms[4 * i + 1];
			bll += w * r->terms[4 * i + 2];
			bbr += w * r->terms[4 * i + 3];
		}
	for (int m = 0; m < M_COUNT; m++)
		cm[m] = bm[m] = NAN;
	score_from_confusion((double)ctp, (double)(cpos - ctp), (double)(ny - ctp),
			     (double)(n - ny - cpos + ctp), cm);
	cm[M_ROC_AUC] = auc ? auc_of(a.below, a.tie, ny, n - ny) : NAN;
	cm[M_LOG_LOSS] = j->cand->probabilities && r->terms ? cll / total : NAN;
	cm[M_BRIER] = j->cand->probabilities && r->terms ? cbr / total : NAN;
	if (j->base == NULL)
		return;
	score_from_confusion((double)btp, (double)(bpos - btp), (double)(ny - btp),
			     (double)(n - ny - bpos + btp), bm);
	bm[M_LOG_LOSS] = j->base->probabilities && r->terms ? bll / total : NAN;
	bm[M_BRIER] = j->base->probabilities && r->terms ? bbr / total : NAN;
	if (!auc)
		return;
	auc_walk(&a, cnt, r->bmap, r->bpos, r->btied, n);
	bm[M_ROC_AUC] = auc_of(a.below, a.tie, ny, n - ny);
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
		} else if (j->ranked != NULL) {
			score_ranked(j, k, (uint8_t *)counts, bm, cm);
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
	struct job proto = { b, e, base, cand, rs, NULL, 0, NULL, NULL, NULL, 0, 0 };
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
	if (proto.cells == NULL)
		proto.ranked = ranked_build(e, base, cand, proto.mask);
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
	ranked_free((struct ranked *)proto.ranked);
}
