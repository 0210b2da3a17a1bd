/* One registry host over libcurl: scheme, timeouts, retries, 401 answers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "oci_http.h"
#include "xalloc.h"

struct upload {
	const struct oci_request *req;
	uint64_t sent;
	int error;         /* errno of a failed read of the body file */
};

/* "host" without its port and brackets, into out. */
static void host_name(const char *host, char *out, size_t size)
{
	const char *end;

	if (host[0] == '[') {
		end = strchr(host, ']');
		host++;
	} else {
		end = strrchr(host, ':');
		if (end != NULL && strchr(host, ':') != end)
			end = NULL; /* a bare IPv6 address */
	}
	size_t n = end ? (size_t)(end - host) : strlen(host);
	if (n >= size)
		n = size - 1;
	memcpy(out, host, n);
	out[n] = '\0';
}

int oci_host_is_loopback(const char *host)
{
	char name[256];
	struct in_addr a4;
	struct in6_addr a6;

	host_name(host, name, sizeof name);
	if (strcasecmp(name, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, name, &a6) == 1)
		return memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
	return 0;
}

static size_t read_body(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *up = arg;
	const struct oci_request *req = up->req;
	size_t want = size * nitems, left = req->body_len - up->sent;

	if (want > left)
		want = left;
	if (want == 0)
		return 0;
	if (req->body_fd < 0) {
		memcpy(buf, (const char *)req->body + up->sent, want);
	} else {
		ssize_t n = pread(req->body_fd, buf, want, req->body_offset + (off_t)up->sent);
		if (n <= 0) {
			up->error = n < 0 ? errno : EIO;
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)n;
	}
	up->sent += want;
	return want;
}

static size_t write_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oci_response *resp = arg;

	if (resp->to_sink && resp->receiving == 200) {
		if (write_all(resp->sink_fd, data, size * nmemb) != 0) {
			resp->sink_error = errno;
			return 0; /* aborts the transfer */
		}
		return size * nmemb;
	}
	strbuf_add(&resp->body, data, size * nmemb);
	return size * nmemb;
}

static void keep_header(char **slot, const char *value, size_t len)
{
	while (len > 0 && (value[len - 1] == '\r' || value[len - 1] == '\n' || value[len - 1] == ' '))
		len--;
	free(*slot);
	*slot = xstrndup(value, len);
}

static void clear_headers(struct oci_response *resp)
{
	free(resp->location);
	free(resp->digest);
	free(resp->content_type);
	free(resp->www_authenticate);
	free(resp->link);
	resp->location = resp->digest = resp->content_type = resp->www_authenticate = NULL;
	resp->link = NULL;
	resp->content_length = 0;
}

static size_t read_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct oci_response *resp = arg;
	size_t len = size * nitems;
	static const struct { const char *name; size_t off; } wanted[] = {
		{ "location", offsetof(struct oci_response, location) },
		{ "docker-content-digest", offsetof(struct oci_response, digest) },
		{ "content-type", offsetof(struct oci_response, content_type) },
		{ "www-authenticate", offsetof(struct oci_response, www_authenticate) },
		{ "link", offsetof(struct oci_response, link) },
	};

	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		clear_headers(resp); /* a new response: a redirect or 100 came first */
		const char *sp = memchr(line, ' ', len);
		resp->receiving = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	const char *colon = memchr(line, ':', len);
	if (colon == NULL)
		return len;
	size_t nlen = (size_t)(colon - line);
	const char *value = colon + 1;
	while (value < line + len && *value == ' ')
		value++;
	size_t vlen = (size_t)(line + len - value);
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		if (strlen(wanted[i].name) == nlen && strncasecmp(line, wanted[i].name, nlen) == 0)
			keep_header((char **)((char *)resp + wanted[i].off), value, vlen);
	if (nlen == 14 && strncasecmp(line, "content-length", 14) == 0)
		resp->content_length = strtoull(value, NULL, 10);
	return len;
}

/* Transport errors worth another attempt (the others are ours or TLS's). */
static int transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_COULDNT_RESOLVE_HOST:
		return 1;
	default:
		return 0;
	}
}

static CURLcode perform_once(struct oci_http *http, const struct oci_request *req,
			     struct oci_response *resp, const char *user,
			     const char *pass, const char *bearer, char *errbuf)
{
	const struct oci_curl *c = http->curl;
	CURL *h = http->h;
	struct curl_slist *headers = NULL;
	struct upload up = { req, 0, 0 };
	char line[512];
	char *url = req->url[0] == '/' ? xasprintf("%s%s", http->base, req->url) : xstrdup(req->url);

	c->easy_reset(h);
	c->easy_setopt(h, CURLOPT_URL, url);
	c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, http->opts.connect_timeout);
	c->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	c->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, http->opts.stall_timeout);
	c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	c->easy_setopt(h, CURLOPT_USERAGENT, "mlpromote");
	if (http->opts.ca_file != NULL)
		c->easy_setopt(h, CURLOPT_CAINFO, http->opts.ca_file);
	c->easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
	c->easy_setopt(h, CURLOPT_HEADERDATA, resp);
	c->easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
	c->easy_setopt(h, CURLOPT_WRITEDATA, resp);
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
		/* blob GETs may be redirected to storage; curl drops our
		 * credentials on another host */
		c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		c->easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
		if (strcmp(req->method, "HEAD") == 0)
			c->easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		c->easy_setopt(h, CURLOPT_UPLOAD, 1L);
		c->easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		c->easy_setopt(h, CURLOPT_READFUNCTION, read_body);
		c->easy_setopt(h, CURLOPT_READDATA, &up);
		c->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
		headers = c->slist_append(headers, "Expect:");
	}
	if (req->content_type != NULL) {
		snprintf(line, sizeof line, "Content-Type: %s", req->content_type);
		headers = c->slist_append(headers, line);
	}
	if (req->accept != NULL) {
		snprintf(line, sizeof line, "Accept: %s", req->accept);
		headers = c->slist_append(headers, line);
	}
	if (req->content_range != NULL) {
		snprintf(line, sizeof line, "Content-Range: %s", req->content_range);
		headers = c->slist_append(headers, line);
	}
	c->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if (bearer != NULL) {
		c->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		c->easy_setopt(h, CURLOPT_XOAUTH2_BEARER, bearer);
	} else if (user != NULL) {
		c->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		c->easy_setopt(h, CURLOPT_USERNAME, user);
		c->easy_setopt(h, CURLOPT_PASSWORD, pass ? pass : "");
	}

	CURLcode rc = c->easy_perform(h);
	resp->status = 0;
	c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (up.error != 0)
		die(EXIT_IO, "cannot read the upload body: %s", strerror(up.error));
	if (resp->sink_error != 0)
		die(EXIT_IO, "cannot write the download: %s", strerror(resp->sink_error));
	c->easy_setopt(h, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	c->slist_free_all(headers);
	free(url);
	return rc;
}

static void response_reset(struct oci_response *resp)
{
	clear_headers(resp);
	strbuf_reset(&resp->body);
	resp->status = 0;
	resp->receiving = 0;
	if (resp->to_sink && (ftruncate(resp->sink_fd, resp->sink_start) != 0
			      || lseek(resp->sink_fd, resp->sink_start, SEEK_SET) < 0))
		die_errno("cannot rewind the download");
}

void oci_http_perform(struct oci_http *http, const struct oci_request *req,
		      struct oci_response *resp, const char *user, const char *pass,
		      const char *bearer)
{
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;

	for (int attempt = 0;; attempt++) {
		errbuf[0] = '\0';
		response_reset(resp);
		rc = perform_once(http, req, resp, user, pass, bearer, errbuf);
		int retry = rc != CURLE_OK ? transient(rc)
			: resp->status >= 500 || resp->status == 429;
		if (!retry || attempt >= http->opts.retries)
			break;
		sleep(1u << attempt);
	}
	/* the path without its query: upload state and signed URLs stay out */
	if (rc != CURLE_OK)
		die(EXIT_IO, "registry '%s': %s %.*s: %s", http->host, req->method,
		    req->url[0] == '/' ? (int)strcspn(req->url, "?") : 13,
		    req->url[0] == '/' ? req->url : "token request",
		    errbuf[0] ? errbuf : http->curl->easy_strerror(rc));
}

void oci_http_send(struct oci_http *http, const struct oci_request *req, struct oci_response *resp)
{
	struct oci_auth *a = &http->auth;

	for (int answered = 0;; answered++) {
		oci_http_perform(http, req, resp, a->basic ? a->user : NULL, a->pass, a->bearer);
		if (resp->status != 401)
			return;
		if (answered >= 1 || resp->www_authenticate == NULL
		    || !oci_auth_answer(a, http, resp->www_authenticate, req->scope))
			die(EXIT_USAGE, "registry '%s': authentication failed%s", http->host,
			    a->user ? " (wrong credentials?)" : " (no credentials found)");
	}
}

void oci_http_init(struct oci_http *http, const char *host, const struct oci_http_opts *opts)
{
	struct oci_request probe = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	char errbuf[CURL_ERROR_SIZE];

	memset(http, 0, sizeof *http);
	http->opts = *opts;
	if (http->opts.connect_timeout <= 0)
		http->opts.connect_timeout = 10;
	if (http->opts.stall_timeout <= 0)
		http->opts.stall_timeout = 30;
	if (http->opts.retries < 0)
		http->opts.retries = 2;
	http->curl = oci_curl_load();
	http->h = http->curl->easy_init();
	if (http->h == NULL)
		die(EXIT_IO, "cannot initialise libcurl");
	http->host = xstrdup(host);
	http->base = xasprintf("https://%s", host);
	oci_auth_init(&http->auth, host);

	/* Docker's rule: a loopback registry that does not speak TLS is
	 * spoken to in plain HTTP; any other host only when asked. */
	probe.method = "GET";
	probe.url = "/v2/";
	errbuf[0] = '\0';
	CURLcode rc = perform_once(http, &probe, &resp, NULL, NULL, NULL, errbuf);
	if (rc == CURLE_SSL_CONNECT_ERROR
	    && (oci_host_is_loopback(host) || http->opts.insecure_http)) {
		free(http->base);
		http->base = xasprintf("http://%s", host);
	} else if (rc != CURLE_OK && !transient(rc)) {
		oci_response_release(&resp);
		die(EXIT_IO, "registry '%s': %s%s", host,
		    errbuf[0] ? errbuf : http->curl->easy_strerror(rc),
		    rc == CURLE_SSL_CONNECT_ERROR ? " (no TLS there? plain HTTP to a host that is not "
						    "loopback needs --insecure-http)" : "");
	}
	oci_response_release(&resp);
}

void oci_http_release(struct oci_http *http)
{
	if (http->h != NULL)
		http->curl->easy_cleanup(http->h);
	oci_auth_release(&http->auth);
	free(http->host);
	free(http->base);
	memset(http, 0, sizeof *http);
}

void oci_response_release(struct oci_response *resp)
{
	clear_headers(resp);
	strbuf_release(&resp->body);
}
