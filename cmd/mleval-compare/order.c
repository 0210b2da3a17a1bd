/*
 * An LSD radix sort on the doubles' bits, 11 bits a pass (2048 buckets stay
 * in cache; 65536 would not): six passes over the rows whatever their
 * values, all six histograms counted in one read, a pass whose digit is the
 * same for every row skipped. A comparison sort of ten million rows costs
 * seconds. Sorting once lets ROC AUC be read off in one walk, for the point
 * estimate and for every bootstrap resample.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "bigmem.h"
#include "order.h"

#define DIGIT_BITS 11
#define BUCKETS (1u << DIGIT_BITS)
#define PASSES 6

/* Maps a double to an unsigned key with the same order. */
static uint64_t sort_key(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return (u & (UINT64_C(1) << 63)) ? ~u : u | (UINT64_C(1) << 63);
}

/*
 * Turns one pass's digit counts into start offsets. Returns 1 when a single
 * digit holds every key: that pass would move nothing and can be skipped.
 */
static int counts_to_offsets(size_t *c, size_t n)
{
	size_t sum = 0;
	int single = 0;

	for (size_t d = 0; d < BUCKETS; d++) {
		size_t here = c[d];
		single |= here == n;
		c[d] = sum;
		sum += here;
	}
	return single;
}

uint32_t *order_by_value(const double *v, size_t n, uint8_t *tied)
{
	uint64_t *key = big_alloc(n, sizeof(*key)), *key2 = big_alloc(n, sizeof(*key2));
	uint32_t *idx = big_alloc(n, sizeof(*idx)), *idx2 = big_alloc(n, sizeof(*idx2));
	size_t (*count)[BUCKETS] = xcalloc(PASSES, sizeof(*count));

	for (size_t i = 0; i < n; i++) {
		uint64_t k = sort_key(v[i]);
		key[i] = k;
		idx[i] = (uint32_t)i;
		for (int p = 0; p < PASSES; p++)
			count[p][(k >> (p * DIGIT_BITS)) & (BUCKETS - 1)]++;
	}
	for (int p = 0; p < PASSES; p++) {
		int shift = p * DIGIT_BITS;
		size_t *c = count[p];
		if (counts_to_offsets(c, n))
			continue;
		for (size_t i = 0; i < n; i++) {
			size_t at = c[(key[i] >> shift) & (BUCKETS - 1)]++;
			key2[at] = key[i];
			idx2[at] = idx[i];
		}
		{
			uint64_t *tk = key; key = key2; key2 = tk;
			uint32_t *ti = idx; idx = idx2; idx2 = ti;
		}
	}
	if (tied != NULL && n > 0) {
		tied[0] = 0;
		for (size_t i = 1; i < n; i++)
			tied[i] = key[i] == key[i - 1];
	}
	free(key);
	free(key2);
	free(idx2);
	free(count);
	return idx;
}

double auc_sorting_scores(double *v, const uint8_t *y, size_t n)
{
	/* the scores' storage becomes their keys: malloc'd, it has no declared type */
	uint64_t *key = (uint64_t *)(void *)v, *key2 = big_alloc(n, sizeof(*key2));
	uint8_t *lab = big_alloc(n, 1), *lab2 = big_alloc(n, 1);
	size_t (*count)[BUCKETS] = xcalloc(PASSES, sizeof(*count));
	double below = 0, num = 0, pos = 0, neg = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = sort_key(v[i]);
		key[i] = k;
		lab[i] = y[i];
		for (int p = 0; p < PASSES; p++)
			count[p][(k >> (p * DIGIT_BITS)) & (BUCKETS - 1)]++;
	}
	for (int p = 0; p < PASSES; p++) {
		int shift = p * DIGIT_BITS;
		size_t *c = count[p];
		if (counts_to_offsets(c, n))
			continue;
		for (size_t i = 0; i < n; i++) {
			size_t at = c[(key[i] >> shift) & (BUCKETS - 1)]++;
			key2[at] = key[i];
			lab2[at] = lab[i];
		}
		{
			uint64_t *tk = key; key = key2; key2 = tk;
			uint8_t *tl = lab; lab = lab2; lab2 = tl;
		}
	}
	for (size_t i = 0; i < n;) {
		double gpos = 0, gneg = 0;
		size_t j = i;
		do {
			gpos += lab[j];
			gneg += 1 - lab[j];
			j++;
		} while (j < n && key[j] == key[i]);
		num += gpos * (below + 0.5 * gneg);
		below += gneg;
		pos += gpos;
		neg += gneg;
		i = j;
	}
	/* whichever of the two buffers is not v's storage is ours to free */
	free(key == (uint64_t *)(void *)v ? key2 : key);
	free(lab);
	free(lab2);
	free(count);
	return pos > 0 && neg > 0 ? num / (pos * neg) : NAN;
}
