/* SHA-256 through OpenSSL's EVP (which uses the CPU's SHA instructions). */
#ifndef MLGATE_HASH_H
#define MLGATE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SHA256_LEN 32
/* "sha256:" + 64 hex + NUL */
#define HASH_STR_LEN 72

struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
void sha256_final(struct sha256 *h, unsigned char out[SHA256_LEN]);

void sha256_buf(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Formats "sha256:<64 lowercase hex>". */
void hash_format(const unsigned char digest[SHA256_LEN], char out[HASH_STR_LEN]);
/* sha256_buf + hash_format. */
void hash_buf_str(const void *data, size_t len, char out[HASH_STR_LEN]);
/* Hashes an open fd from its current offset to EOF with large reads.
 * 0 (size in *size), or -1 with errno. */
int hash_fd(int fd, char out[HASH_STR_LEN], uint64_t *size);
/* Opens path and hash_fd(). 0 or -1 with errno. */
int hash_file(const char *path, char out[HASH_STR_LEN], uint64_t *size);
/* 1 when s has the form "sha256:<64 lowercase hex>". */
int hash_str_valid(const char *s);

#endif
