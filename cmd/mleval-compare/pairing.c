/*
 * A paired test is only honest when row i of both files is the same eval
 * example: ids are matched through an open-addressing hash table, and the
 * labels of every pair must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "xalloc.h"
#include "pairing.h"

#define TAKEN (UINT32_MAX - 1)

static uint64_t fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

static const char *id_at(const struct preds *p, size_t i)
{
	return p->ids + p->id_off[i];
}

/* perm[i]: the base row paired with candidate row i. */
static uint32_t *pair_by_id(const struct preds *base, const struct preds *cand)
{
	size_t cap = 16, mask;
	uint32_t *slot, *perm = xmalloc(cand->n * sizeof(*perm));

	while (cap < base->n * 2)
		cap *= 2;
	mask = cap - 1;
	slot = xmalloc(cap * sizeof(*slot));
	memset(slot, 0xFF, cap * sizeof(*slot));
	for (size_t i = 0; i < base->n; i++) {
		size_t h = fnv1a(id_at(base, i)) & mask;
		while (slot[h] != UINT32_MAX) {
			if (strcmp(id_at(base, slot[h]), id_at(base, i)) == 0) {
				free(slot);
				free(perm);
				die(EXIT_USAGE, "%s: id '%.64s' appears twice", file_display_name(base->path),
				    id_at(base, i));
			}
			h = (h + 1) & mask;
		}
		slot[h] = (uint32_t)i;
	}
	for (size_t i = 0; i < cand->n; i++) {
		size_t h = fnv1a(id_at(cand, i)) & mask;
		while (slot[h] != UINT32_MAX
		       && (slot[h] == TAKEN || strcmp(id_at(base, slot[h]), id_at(cand, i)) != 0))
			h = (h + 1) & mask;
		if (slot[h] == UINT32_MAX) {
			free(slot);
			free(perm);
			die(EXIT_USAGE, "%s: id '%.64s' is not in '%s' (or appears twice)",
			    file_display_name(cand->path), id_at(cand, i), file_display_name(base->path));
		}
		perm[i] = slot[h];
		/* taken: a second candidate row with this id finds no partner */
		slot[h] = TAKEN;
	}
	free(slot);
	return perm;
}

static void permute(double **v, const uint32_t *perm, size_t n)
{
	double *out = xmalloc(n * sizeof(*out));

	for (size_t i = 0; i < n; i++)
		out[i] = (*v)[perm[i]];
	free(*v);
	*v = out;
}

void pairing_align(struct preds *base, const struct preds *cand)
{
	const char *bn = file_display_name(base->path), *cn = file_display_name(cand->path);

	if (base->n != cand->n)
		die(EXIT_USAGE, "'%s' has %zu rows and '%s' %zu: the rows must be the same eval examples",
		    bn, base->n, cn, cand->n);
	if ((base->ids == NULL) != (cand->ids == NULL))
		die(EXIT_USAGE, "'%s' has an id column and '%s' has none",
		    base->ids != NULL ? bn : cn, base->ids != NULL ? cn : bn);
	if (base->ids != NULL) {
		uint32_t *perm = pair_by_id(base, cand);
		permute(&base->label, perm, base->n);
		permute(&base->value, perm, base->n);
		free(perm);
	}
	for (size_t i = 0; i < cand->n; i++)
		if (base->label[i] != cand->label[i])
			die(EXIT_USAGE, "row %zu of '%s'%s has another label in '%s'", i + 1, cn,
			    cand->ids != NULL ? " (by id)" : "", bn);
}
