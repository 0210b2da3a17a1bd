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

/* Why a file was refused: at line:col (from 1), or line 0 when it could not be read. */
#define PREDS_POS_MSG_MAX 256  /* a positioned message is cut to this */
struct preds_err {
	long line;
	size_t col;
	char msg[4352];
};

/*
 * Reads path ("-" is stdin). col says which column to take as the value
 * (COL_GUESS: score when there is one, else prediction); with COL_SCORE
 * every label must be 0 or 1. Any error exits 2 with FILE:LINE:COL.
 */
void preds_read(const char *path, enum value_col col, struct preds *p);

/*
 * preds_read's core, which never exits on bad input: reads fd to its end
 * (name is the file in messages) in blocks of block bytes at first (0: the
 * tool's 4 MiB), into p. 0, or -1 with err set and p released.
 */
int preds_parse(int fd, const char *name, enum value_col col, size_t block,
		struct preds *p, struct preds_err *err);
void preds_release(struct preds *p);

#endif
