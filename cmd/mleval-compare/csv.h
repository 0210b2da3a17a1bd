/* Prediction files: RFC 4180 CSV with a header naming label, score or
 * prediction, and optionally id. */
#ifndef MLEVAL_CSV_H
#define MLEVAL_CSV_H

#include <stddef.h>
#include "hash.h"

enum value_col { COL_GUESS, COL_SCORE, COL_PREDICTION };

struct preds {
	const char *path;
	char hash[HASH_STR_LEN];  /* of the file's bytes */
	size_t n;                 /* data rows */
	double *label;
	double *value;            /* the score or prediction column */
	enum value_col col;       /* which one value is */
	int integral;             /* every label and value is a whole number */
	char *ids;                /* the id column, NUL-separated; NULL without one */
	size_t *id_off;           /* start of row i's id in ids */
};

/*
 * Reads path ("-" is stdin). col says which column to take as the value
 * (COL_GUESS: score when there is one, else prediction); with COL_SCORE
 * every label must be 0 or 1. Any error exits 2 with FILE:LINE:COL.
 */
void preds_read(const char *path, enum value_col col, struct preds *p);
void preds_release(struct preds *p);

#endif
