/* Pairing the baseline's rows with the candidate's: by id, else by order. */
#ifndef MLEVAL_PAIRING_H
#define MLEVAL_PAIRING_H

#include "csv.h"

/*
 * Reorders base's rows into cand's order (by id when both files have an id
 * column), then checks that each pair has the same label. Mismatched
 * counts, ids or labels exit 2.
 */
void pairing_align(struct preds *base, const struct preds *cand);

#endif
