/*
 * The OCI distribution API on one repository: blobs (exists, chunked push,
 * fetch), manifests (get, put by tag or digest) and the tag list. Transport
 * and protocol failures die with EXIT_IO, refused credentials with
 * EXIT_USAGE; "not there" is a return value.
 */
#ifndef MLPROMOTE_OCI_CLIENT_H
#define MLPROMOTE_OCI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "oci_http.h"

#define OCI_MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"
#define OCI_CHUNK_DEFAULT (8u << 20)

struct oci_client {
	struct oci_http http;
	char *repo;        /* "NAMESPACE/M" */
	char *scope;       /* "repository:NAMESPACE/M:pull,push" */
	size_t chunk;      /* bytes per PATCH */
};

/*
 * registry is "oci://HOST[:PORT]/NAMESPACE"; the repository is NAMESPACE/name.
 * Dies with EXIT_USAGE on a malformed URL.
 */
void oci_client_open(struct oci_client *cl, const char *registry, const char *name,
		     const struct oci_http_opts *opts);
void oci_client_close(struct oci_client *cl);
/* Dies (EXIT_USAGE) unless registry is a well-formed oci:// URL. */
void oci_url_check(const char *registry);

/* 1 when the blob is there (its size in *size when not NULL), 0 when not. */
int oci_blob_exists(struct oci_client *cl, const char *digest, uint64_t *size);

/* Uploads size bytes of fd from offset 0 in chunks, unless the blob is
 * already there; 1 when sent, 0 when skipped. The registry checks digest. */
int oci_blob_push_fd(struct oci_client *cl, int fd, uint64_t size, const char *digest);

/* The same for a small blob in memory (configs, records). */
int oci_blob_push_buf(struct oci_client *cl, const void *data, size_t len, const char *digest);

/* Downloads the blob into fd (a regular file opened read-write, from its
 * current offset) and re-hashes it there: 0, 1 when it is not there, 2 when
 * what came does not hash to the digest (the registry's copy is damaged). */
int oci_blob_fetch(struct oci_client *cl, const char *digest, int fd);

/* Puts a manifest under ref (a tag or its digest); its digest in out. */
void oci_manifest_put(struct oci_client *cl, const char *ref, const char *media_type,
		      const char *data, size_t len, char out[HASH_STR_LEN]);

/* Gets the manifest ref: 0 with its bytes in *body (and its digest, computed
 * from the bytes, in digest), or 1 when there is no such tag or digest. */
int oci_manifest_get(struct oci_client *cl, const char *ref, struct strbuf *body,
		     char digest[HASH_STR_LEN]);

/* The repository's tags (none for a repository never pushed), every page
 * of them; free with oci_tags_free. */
char **oci_tags_list(struct oci_client *cl, size_t *count);
void oci_tags_free(char **tags, size_t count);

/* Every repository of the registry (NULL when it does not list them). */
char **oci_catalog(struct oci_client *cl, size_t *count);

#endif
