/* The distribution API's blob, manifest and tag calls on one repository. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "oci_client.h"
#include "xalloc.h"

/* The host ("host[:port]") and namespace of a registry URL; dies when malformed. */
static void url_split(const char *registry, char **host, char **ns)
{
	const char *rest, *slash;
	size_t nslen;

	if (strncmp(registry, "oci://", 6) != 0)
		die(EXIT_USAGE, "'%s' is not an oci:// registry", registry);
	rest = registry + 6;
	slash = strchr(rest, '/');
	if (slash == NULL || slash == rest || slash[1] == '\0' || slash[-1] == ':')
		die(EXIT_USAGE, "registry '%s': want oci://HOST[:PORT]/NAMESPACE", registry);
	nslen = strlen(slash + 1);
	while (nslen > 0 && slash[1 + nslen - 1] == '/')
		nslen--;
	*host = xstrndup(rest, (size_t)(slash - rest));
	*ns = xstrndup(slash + 1, nslen);
}

void oci_url_check(const char *registry)
{
	char *host, *ns;

	url_split(registry, &host, &ns);
	free(host);
	free(ns);
}

void oci_client_open(struct oci_client *cl, const char *registry, const char *name,
		     const struct oci_http_opts *opts)
{
	char *host, *ns;

	memset(cl, 0, sizeof *cl);
	url_split(registry, &host, &ns);
	cl->repo = xasprintf("%s/%s", ns, name);
	cl->scope = xasprintf("repository:%s:pull,push", cl->repo);
	cl->chunk = OCI_CHUNK_DEFAULT;
	oci_http_init(&cl->http, host, opts);
	free(host);
	free(ns);
}

void oci_client_close(struct oci_client *cl)
{
	oci_http_release(&cl->http);
	free(cl->repo);
	free(cl->scope);
	memset(cl, 0, sizeof *cl);
}

static _Noreturn void protocol_error(struct oci_client *cl, const char *what,
				     const struct oci_response *resp)
{
	die(EXIT_IO, "registry '%s': %s in '%s': HTTP %ld", cl->http.host, what, cl->repo,
	    resp->status);
}

static void repo_send(struct oci_client *cl, struct oci_request *req, struct oci_response *resp)
{
	req->scope = cl->scope;
	oci_http_send(&cl->http, req, resp);
}

int oci_blob_exists(struct oci_client *cl, const char *digest, uint64_t *size)
{
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	char *path = xasprintf("/v2/%s/blobs/%s", cl->repo, digest);
	int found;

	req.method = "HEAD";
	req.url = path;
	repo_send(cl, &req, &resp);
	if (resp.status == 200)
		found = 1;
	else if (resp.status == 404)
		found = 0;
	else
		protocol_error(cl, "cannot check a blob", &resp);
	if (found && size != NULL)
		*size = resp.content_length;
	oci_response_release(&resp);
	free(path);
	return found;
}

/* The Location of an upload session is relative or absolute; keep it whole. */
static char *upload_location(struct oci_client *cl, struct oci_response *resp)
{
	if (resp->location == NULL || resp->location[0] == '\0')
		protocol_error(cl, "an upload session without a Location", resp);
	if (resp->location[0] == '/')
		return xstrdup(resp->location);
	if (strncmp(resp->location, cl->http.base, strlen(cl->http.base)) == 0
	    && resp->location[strlen(cl->http.base)] == '/')
		return xstrdup(resp->location + strlen(cl->http.base));
	return xstrdup(resp->location);
}

/* The chunked upload: POST, a PATCH per chunk (each answer gives the next
 * Location), then PUT ?digest= to close it. A session left behind by a
 * failure is garbage the registry purges; nothing refers to it. */
static void push_chunks(struct oci_client *cl, int fd, const void *buf, uint64_t size,
			const char *digest)
{
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	char *path = xasprintf("/v2/%s/blobs/uploads/", cl->repo);
	char range[64];

	req.method = "POST";
	req.url = path;
	repo_send(cl, &req, &resp);
	if (resp.status != 202)
		protocol_error(cl, "cannot start a blob upload", &resp);
	char *loc = upload_location(cl, &resp);
	for (uint64_t off = 0; off < size;) {
		uint64_t n = size - off < cl->chunk ? size - off : cl->chunk;
		struct oci_request patch = OCI_REQUEST_INIT;
		snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, off, off + n - 1);
		patch.method = "PATCH";
		patch.url = loc;
		patch.content_type = "application/octet-stream";
		patch.content_range = range;
		patch.body_len = (size_t)n;
		if (fd >= 0) {
			patch.body_fd = fd;
			patch.body_offset = (off_t)off;
		} else {
			patch.body = (const char *)buf + off;
		}
		repo_send(cl, &patch, &resp);
		if (resp.status != 202)
			protocol_error(cl, "a blob chunk was refused", &resp);
		free(loc);
		loc = upload_location(cl, &resp);
		off += n;
	}
	char *put = xasprintf("%s%sdigest=%s", loc, strchr(loc, '?') ? "&" : "?", digest);
	struct oci_request fin = OCI_REQUEST_INIT;
	fin.method = "PUT";
	fin.url = put;
	fin.content_type = "application/octet-stream";
	repo_send(cl, &fin, &resp);
	if (resp.status == 400)
		die(EXIT_IO, "registry '%s': the blob sent does not match %s (did the file change?)",
		    cl->http.host, digest);
	if (resp.status != 201)
		protocol_error(cl, "cannot finish a blob upload", &resp);
	oci_response_release(&resp);
	free(put);
	free(loc);
	free(path);
}

int oci_blob_push_fd(struct oci_client *cl, int fd, uint64_t size, const char *digest)
{
	if (oci_blob_exists(cl, digest, NULL))
		return 0;
	push_chunks(cl, fd, NULL, size, digest);
	return 1;
}

int oci_blob_push_buf(struct oci_client *cl, const void *data, size_t len, const char *digest)
{
	if (oci_blob_exists(cl, digest, NULL))
		return 0;
	push_chunks(cl, -1, data, len, digest);
	return 1;
}

int oci_blob_fetch(struct oci_client *cl, const char *digest, int fd)
{
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	char *path = xasprintf("/v2/%s/blobs/%s", cl->repo, digest);
	char got[HASH_STR_LEN];
	uint64_t size;

	resp.to_sink = 1;
	resp.sink_fd = fd;
	resp.sink_start = lseek(fd, 0, SEEK_CUR);
	if (resp.sink_start < 0)
		die_errno("cannot download blob %s", digest);
	req.method = "GET";
	req.url = path;
	repo_send(cl, &req, &resp);
	free(path);
	if (resp.status == 404) {
		oci_response_release(&resp);
		return 1;
	}
	if (resp.status != 200)
		protocol_error(cl, "cannot fetch a blob", &resp);
	oci_response_release(&resp);
	/* re-hashed from what landed on disk, not from what went by */
	if (lseek(fd, resp.sink_start, SEEK_SET) < 0 || hash_fd(fd, got, &size) != 0)
		die_errno("cannot re-read blob %s", digest);
	return strcmp(got, digest) != 0 ? 2 : 0;
}

void oci_manifest_put(struct oci_client *cl, const char *ref, const char *media_type,
		      const char *data, size_t len, char out[HASH_STR_LEN])
{
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	char *path = xasprintf("/v2/%s/manifests/%s", cl->repo, ref);

	hash_buf_str(data, len, out);
	req.method = "PUT";
	req.url = path;
	req.content_type = media_type;
	req.body = data;
	req.body_len = len;
	repo_send(cl, &req, &resp);
	if (resp.status != 201)
		protocol_error(cl, "cannot put a manifest", &resp);
	if (resp.digest != NULL && strcmp(resp.digest, out) != 0)
		die(EXIT_IO, "registry '%s': the manifest stored as %s, not %s", cl->http.host,
		    resp.digest, out);
	oci_response_release(&resp);
	free(path);
}

int oci_manifest_get(struct oci_client *cl, const char *ref, struct strbuf *body,
		     char digest[HASH_STR_LEN])
{
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	char *path = xasprintf("/v2/%s/manifests/%s", cl->repo, ref);

	req.method = "GET";
	req.url = path;
	req.accept = OCI_MANIFEST_TYPE ", application/vnd.oci.image.index.v1+json";
	repo_send(cl, &req, &resp);
	free(path);
	if (resp.status == 404) {
		oci_response_release(&resp);
		return 1;
	}
	if (resp.status != 200)
		protocol_error(cl, "cannot get a manifest", &resp);
	hash_buf_str(resp.body.buf ? resp.body.buf : "", resp.body.len, digest);
	if (strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, digest) != 0)
		die(EXIT_NO, "registry '%s': manifest %s in '%s' hashes to %s", cl->http.host,
		    ref, cl->repo, digest);
	strbuf_reset(body);
	strbuf_add(body, resp.body.buf ? resp.body.buf : "", resp.body.len);
	oci_response_release(&resp);
	return 0;
}

/* The URL of a Link header's rel="next" page, or NULL. New string. */
static char *next_page(const char *link)
{
	const char *lt, *gt;

	if (link == NULL || strstr(link, "rel=\"next\"") == NULL)
		return NULL;
	lt = strchr(link, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	return gt && gt > lt + 1 ? xstrndup(lt + 1, (size_t)(gt - lt - 1)) : NULL;
}

/* Adds the strings of doc[key] to *list; the URL of the next page or NULL. */
static char *list_page(struct oci_client *cl, const char *url, const char *scope,
		       const char *key, char ***list, size_t *count, long *status)
{
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	struct json_error err;
	const cJSON *t;
	char *next;

	req.method = "GET";
	req.url = url;
	req.scope = scope;
	oci_http_send(&cl->http, &req, &resp);
	*status = resp.status;
	if (resp.status != 200) {
		oci_response_release(&resp);
		return NULL;
	}
	cJSON *doc = json_parse_strict(resp.body.buf ? resp.body.buf : "", resp.body.len, &err);
	if (doc == NULL)
		die(EXIT_IO, "registry '%s': a list that is not JSON: %s", cl->http.host, err.msg);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, key);
	if (cJSON_IsArray(items)) {
		*list = xreallocarray(*list, *count + (size_t)cJSON_GetArraySize(items) + 1,
				      sizeof **list);
		cJSON_ArrayForEach(t, items)
			if (cJSON_IsString(t))
				(*list)[(*count)++] = xstrdup(t->valuestring);
	}
	cJSON_Delete(doc);
	next = next_page(resp.link);
	oci_response_release(&resp);
	return next;
}

/* Every page of a list; 0, or the HTTP status that refused the first page. */
static long list_all(struct oci_client *cl, const char *first, const char *scope,
		     const char *key, char ***list, size_t *count)
{
	char *url = xstrdup(first);
	long status = 0;
	int pages = 0;

	*list = NULL;
	*count = 0;
	while (url) {
		char *next = list_page(cl, url, scope, key, list, count, &status);

		free(url);
		url = next;
		if (status != 200)
			break;
		if (++pages > 10000)
			die(EXIT_IO, "registry '%s': a list of more than 10000 pages", cl->http.host);
	}
	free(url);
	return status == 200 ? 0 : status;
}

char **oci_tags_list(struct oci_client *cl, size_t *count)
{
	char *path = xasprintf("/v2/%s/tags/list?n=1000", cl->repo);
	char **tags;
	long status = list_all(cl, path, cl->scope, "tags", &tags, count);

	free(path);
	if (status == 404) {
		oci_tags_free(tags, *count);
		*count = 0;
		return NULL;
	}
	if (status != 0) {
		struct oci_response resp = { .status = status };
		protocol_error(cl, "cannot list tags", &resp);
	}
	return tags;
}

char **oci_catalog(struct oci_client *cl, size_t *count)
{
	char **repos;
	long status = list_all(cl, "/v2/_catalog?n=1000", "registry:catalog:*", "repositories",
			       &repos, count);

	if (status != 0) {
		oci_tags_free(repos, *count);
		*count = 0;
		return NULL;
	}
	return repos;
}

void oci_tags_free(char **tags, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(tags[i]);
	free(tags);
}
