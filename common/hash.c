#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "hash.h"

/* Large reads: SHA-256 runs at over 1 GB/s, so syscalls must be few. */
#define HASH_READ_SIZE (1u << 20)

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_setup(void)
{
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL))
		die(EXIT_IO, "cannot set up OpenSSL");
}

/*
 * OpenSSL set up once, by whichever thread hashes first, with no atexit
 * clean-up: a tool that dies (exit) while another of its threads hashes
 * must not have OpenSSL's tables freed under that thread (mlsnapshot's
 * stat cache is checked on a thread while the walk may die). The memory is
 * the exit's to take back.
 */
static void crypto_ready(void)
{
	pthread_once(&crypto_once, crypto_setup);
}

void sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *ctx;

	crypto_ready();
	ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		die(EXIT_IO, "cannot initialise SHA-256");
	h->ctx = ctx;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (EVP_DigestUpdate(h->ctx, data, len) != 1)
		die(EXIT_IO, "SHA-256 update failed");
}

void sha256_final(struct sha256 *h, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != SHA256_LEN)
		die(EXIT_IO, "SHA-256 final failed");
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void sha256_buf(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	crypto_ready();
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != SHA256_LEN)
		die(EXIT_IO, "SHA-256 failed");
}

void hash_format(const unsigned char digest[SHA256_LEN], char out[HASH_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < SHA256_LEN; i++) {
		out[7 + 2 * i] = hex[digest[i] >> 4];
		out[8 + 2 * i] = hex[digest[i] & 15];
	}
	out[HASH_STR_LEN - 1] = '\0';
}

void hash_buf_str(const void *data, size_t len, char out[HASH_STR_LEN])
{
	unsigned char d[SHA256_LEN];

	sha256_buf(data, len, d);
	hash_format(d, out);
}

int hash_fd(int fd, char out[HASH_STR_LEN], uint64_t *size)
{
	unsigned char d[SHA256_LEN];
	struct sha256 h;
	uint64_t total = 0;
	char *buf = malloc(HASH_READ_SIZE);

	if (!buf)
		return -1;
	sha256_init(&h);
	for (;;) {
		ssize_t r = read(fd, buf, HASH_READ_SIZE);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			sha256_final(&h, d);
			free(buf);
			errno = saved;
			return -1;
		}
		sha256_update(&h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	free(buf);
	sha256_final(&h, d);
	hash_format(d, out);
	if (size)
		*size = total;
	return 0;
}

int hash_file(const char *path, char out[HASH_STR_LEN], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = hash_fd(fd, out, size);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int hash_str_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != HASH_STR_LEN - 1)
		return 0;
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}
