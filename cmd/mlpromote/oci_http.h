/*
 * Requests to one OCI registry host over libcurl: the scheme (HTTPS, or plain
 * HTTP for a loopback host that does not speak TLS or when insecure HTTP was
 * asked for), timeouts, bounded retries, and the answer to 401 challenges
 * (oci_auth.h). Transport failures die with EXIT_IO, refused credentials
 * with EXIT_USAGE; HTTP statuses are the caller's to judge.
 */
#ifndef MLPROMOTE_OCI_HTTP_H
#define MLPROMOTE_OCI_HTTP_H

#include <stdint.h>
#include <sys/types.h>

#include "oci_auth.h"
#include "oci_curl.h"
#include "strbuf.h"

struct oci_http_opts {
	const char *ca_file;   /* PEM bundle of a private CA, or NULL */
	int insecure_http;     /* plain HTTP allowed for any host */
	long connect_timeout;  /* seconds; 0 means 10 */
	long stall_timeout;    /* seconds below 1 byte/s; 0 means 30 */
	int retries;           /* extra attempts after a transport failure; -1 means 2 */
};

struct oci_http {
	const struct oci_curl *curl;
	CURL *h;
	struct oci_http_opts opts;
	char *host;            /* "host[:port]" as given */
	char *base;            /* "https://host[:port]" or "http://..." */
	struct oci_auth auth;
};

struct oci_request {
	const char *method;        /* GET, HEAD, PUT, POST, PATCH, DELETE */
	const char *url;           /* a path under base ("/v2/..."), or absolute */
	const char *scope;         /* token scope, "repository:NAME:pull,push" */
	const char *content_type;  /* of the body, or NULL */
	const char *accept;        /* or NULL */
	const char *content_range; /* for PATCH chunks, or NULL */
	const void *body;          /* the body from memory ... */
	size_t body_len;
	int body_fd;               /* ... or from a file when >= 0 */
	off_t body_offset;
};

struct oci_response {
	long status;
	struct strbuf body;
	char *location;            /* response headers we use, or NULL */
	char *digest;              /* Docker-Content-Digest */
	char *content_type;
	char *www_authenticate;
	char *link;                /* the next page of a list: <URL>; rel="next" */
	uint64_t content_length;
	/* With to_sink set, a 200 body goes to sink_fd (a regular file opened
	 * read-write, from offset sink_start, cut back there on a retry)
	 * instead of body: blobs are never held whole in memory. */
	int to_sink;
	int sink_fd;
	off_t sink_start;
	long receiving;            /* status of the response being received */
	int sink_error;            /* errno of a failed write to sink_fd */
};

#define OCI_REQUEST_INIT { .body_fd = -1 }

/* Loads libcurl, picks the scheme for host (probing /v2/). Dies on failure. */
void oci_http_init(struct oci_http *http, const char *host, const struct oci_http_opts *opts);
void oci_http_release(struct oci_http *http);

/* Sends req with the credentials we have, answering one auth challenge per
 * request; resp is filled (release it). */
void oci_http_send(struct oci_http *http, const struct oci_request *req, struct oci_response *resp);

/* One request without the auth dance, with Basic credentials when user is
 * set or a Bearer token when bearer is set (the token server's request). */
void oci_http_perform(struct oci_http *http, const struct oci_request *req,
		      struct oci_response *resp, const char *user, const char *pass,
		      const char *bearer);

void oci_response_release(struct oci_response *resp);

/* 1 for localhost, 127.0.0.0/8 and ::1 (with or without a port). */
int oci_host_is_loopback(const char *host);

#endif
