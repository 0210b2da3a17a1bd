/* mlsnapshot extract: an archive into a new directory, all or nothing. */
#ifndef MLSNAPSHOT_EXTRACT_H
#define MLSNAPSHOT_EXTRACT_H

#include <stdint.h>

#define EXTRACT_MAX_SIZE (UINT64_C(10) << 30)  /* 10 GiB of file data */
#define EXTRACT_MAX_RATIO 1000.0               /* uncompressed : compressed */

struct extract_opts {
	const char *archive;
	const char *dir;        /* must not exist */
	const char *snapshot;   /* --snapshot S, or NULL */
	uint64_t max_size;      /* 0: no limit */
	double max_ratio;       /* 0: no limit */
	int pretty;
};

/* "1024", "64K", "512M", "10G", "1T" (powers of 1024); 0 means no limit. 0 or -1. */
int extract_parse_size(const char *s, uint64_t *out);
/* A number of at least 1, or 0 for no limit. 0 or -1. */
int extract_parse_ratio(const char *s, double *out);

/*
 * Extracts into a temp directory beside dir, checks every symlink stays
 * inside, verifies against the snapshot when given, then renames it into
 * place and prints the snapshot of what it holds. Returns the exit status
 * (1 with the difference printed when the snapshot does not match); dies on
 * a refused or unreadable archive, leaving nothing behind.
 */
int extract_main(struct extract_opts *o);

#endif
