/*
 * libcurl, loaded on first use: plain mlpromote on a directory registry never
 * maps libcurl; only an oci:// registry does. The handful of functions the
 * OCI client calls, taken from libcurl.so.4 with dlsym.
 */
#ifndef MLPROMOTE_OCI_CURL_H
#define MLPROMOTE_OCI_CURL_H

#include <curl/curl.h>

struct oci_curl {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	char *(*easy_escape)(CURL *h, const char *s, int len);
	void (*free)(void *p);
};

/* The loaded table; dies with EXIT_IO when libcurl cannot be loaded. */
const struct oci_curl *oci_curl_load(void);

#endif
