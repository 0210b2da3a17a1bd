/* Registry credentials and the answers to a 401: Basic, or a Bearer token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <sys/stat.h>

#include "err.h"
#include "jsonio.h"
#include "oci_credhelper.h"
#include "oci_http.h"
#include "xalloc.h"

static void set_credentials(struct oci_auth *auth, const char *user, const char *pass)
{
	auth->user = xstrdup(user);
	auth->pass = xstrdup(pass);
}

/* "auth": base64("user:password"), as `docker login` writes it. */
static int decode_auth_field(struct oci_auth *auth, const char *b64)
{
	size_t cap = strlen(b64), len = 0;
	unsigned char *raw = xmalloc(cap + 1);

	if (sodium_base642bin(raw, cap, b64, strlen(b64), NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(raw);
		return -1;
	}
	raw[len] = '\0';
	char *colon = memchr(raw, ':', len);
	if (colon == NULL || strlen((char *)raw) != len) {
		sodium_memzero(raw, len);
		free(raw);
		return -1;
	}
	*colon = '\0';
	set_credentials(auth, (char *)raw, colon + 1);
	sodium_memzero(raw, len);
	free(raw);
	return 0;
}

static void from_docker_config(struct oci_auth *auth, const char *host)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *path;
	struct stat st;

	if (dir != NULL && dir[0] != '\0')
		path = xasprintf("%s/config.json", dir);
	else if (home != NULL && home[0] != '\0')
		path = xasprintf("%s/.docker/config.json", home);
	else
		return;
	if (stat(path, &st) != 0) {
		free(path);
		return;
	}
	cJSON *config = json_read_object(path);
	cJSON *auths = json_get_object(config, "auths");
	/* a helper for this host, else the store for all, else the auths */
	const char *helper = json_get_string(json_get_object(config, "credHelpers"), host);
	if (helper == NULL)
		helper = json_get_string(config, "credsStore");
	if (helper != NULL && helper[0] != '\0') {
		char *u, *p;

		if (oci_credhelper_get(path, helper, host, &u, &p) == 0) {
			auth->user = u;
			auth->pass = p;
		}
	}
	const char *keys[3] = { host, NULL, NULL };
	char *https = xasprintf("https://%s", host), *http = xasprintf("http://%s", host);
	keys[1] = https;
	keys[2] = http;
	for (int i = 0; auths != NULL && i < 3 && auth->user == NULL; i++) {
		cJSON *entry = json_get_object(auths, keys[i]);
		if (entry == NULL)
			continue;
		const char *b64 = json_get_string(entry, "auth");
		const char *user = json_get_string(entry, "username");
		const char *pass = json_get_string(entry, "password");
		if (b64 != NULL && b64[0] != '\0') {
			if (decode_auth_field(auth, b64) != 0)
				die(EXIT_USAGE, "'%s': the auth of '%s' is not base64 of user:password",
				    path, keys[i]);
		} else if (user != NULL && pass != NULL) {
			set_credentials(auth, user, pass);
		}
	}
	free(https);
	free(http);
	cJSON_Delete(config);
	free(path);
}

void oci_auth_init(struct oci_auth *auth, const char *host)
{
	const char *user = getenv("MLGATE_OCI_USERNAME"), *pass = getenv("MLGATE_OCI_PASSWORD");

	memset(auth, 0, sizeof *auth);
	if (user != NULL && user[0] != '\0') {
		set_credentials(auth, user, pass ? pass : "");
		return;
	}
	from_docker_config(auth, host);
}

static void wipe(char **s)
{
	if (*s != NULL) {
		sodium_memzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void oci_auth_release(struct oci_auth *auth)
{
	wipe(&auth->user);
	wipe(&auth->pass);
	wipe(&auth->bearer);
	free(auth->bearer_scope);
	auth->bearer_scope = NULL;
}

/* The value of param in a challenge (`Bearer realm="...",service="..."`). */
static char *challenge_param(const char *challenge, const char *param)
{
	size_t plen = strlen(param);
	const char *p = strchr(challenge, ' ');

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		const char *eq = strchr(p, '=');
		if (eq == NULL)
			return NULL;
		int match = (size_t)(eq - p) == plen && strncasecmp(p, param, plen) == 0;
		const char *v = eq + 1, *end;
		if (*v == '"') {
			v++;
			end = strchr(v, '"');
			if (end == NULL)
				return NULL;
			p = end + 1;
		} else {
			end = v + strcspn(v, ",");
			p = end;
		}
		if (match)
			return xstrndup(v, (size_t)(end - v));
	}
	return NULL;
}

static char *escape(struct oci_http *http, const char *s)
{
	char *e = http->curl->easy_escape(http->h, s, 0);
	char *copy = xstrdup(e ? e : "");

	http->curl->free(e);
	return copy;
}

static int fetch_token(struct oci_auth *auth, struct oci_http *http, const char *challenge,
		       const char *scope)
{
	char *realm = challenge_param(challenge, "realm");
	char *service = challenge_param(challenge, "service");
	char *asked = challenge_param(challenge, "scope");
	const char *want = asked ? asked : scope;
	struct strbuf url = STRBUF_INIT;
	struct oci_request req = OCI_REQUEST_INIT;
	struct oci_response resp = { 0 };
	int ok = 0;

	if (realm == NULL || (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0))
		die(EXIT_IO, "registry '%s': a Bearer challenge without a usable realm", http->host);
	if (strncmp(realm, "http://", 7) == 0 && !http->opts.insecure_http) {
		char *host = xstrndup(realm + 7, strcspn(realm + 7, "/?"));
		int loop = oci_host_is_loopback(host);
		free(host);
		if (!loop)
			die(EXIT_IO, "registry '%s': the token realm is plain HTTP "
			    "(use --insecure-http to allow it)", http->host);
	}
	if (auth->bearer != NULL && auth->bearer_scope != NULL && want != NULL
	    && strcmp(auth->bearer_scope, want) == 0)
		goto out; /* that token was already refused */
	strbuf_addstr(&url, realm);
	strbuf_addch(&url, strchr(realm, '?') ? '&' : '?');
	if (service != NULL) {
		char *e = escape(http, service);
		strbuf_addf(&url, "service=%s", e);
		free(e);
	}
	if (want != NULL) {
		char *e = escape(http, want);
		strbuf_addf(&url, "%sscope=%s", service ? "&" : "", e);
		free(e);
	}
	req.method = "GET";
	req.url = url.buf;
	oci_http_perform(http, &req, &resp, auth->user, auth->pass, NULL);
	if (resp.status == 401 || resp.status == 403)
		die(EXIT_USAGE, "registry '%s': the token server refused %s", http->host,
		    auth->user ? "the credentials" : "an anonymous request (no credentials found)");
	if (resp.status != 200)
		die(EXIT_IO, "registry '%s': the token server answered HTTP %ld", http->host,
		    resp.status);
	struct json_error err;
	cJSON *doc = json_parse_strict(resp.body.buf ? resp.body.buf : "", resp.body.len, &err);
	const char *token = doc ? json_get_string(doc, "token") : NULL;
	if (token == NULL && doc != NULL)
		token = json_get_string(doc, "access_token");
	if (token == NULL || token[0] == '\0')
		die(EXIT_IO, "registry '%s': the token server's answer has no token", http->host);
	wipe(&auth->bearer);
	free(auth->bearer_scope);
	auth->bearer = xstrdup(token);
	auth->bearer_scope = want ? xstrdup(want) : NULL;
	sodium_memzero(resp.body.buf, resp.body.len);
	cJSON_Delete(doc);
	ok = 1;
out:
	oci_response_release(&resp);
	strbuf_release(&url);
	free(realm);
	free(service);
	free(asked);
	return ok;
}

int oci_auth_answer(struct oci_auth *auth, struct oci_http *http,
		    const char *challenge, const char *scope)
{
	if (strncasecmp(challenge, "Bearer ", 7) == 0)
		return fetch_token(auth, http, challenge, scope);
	if (strncasecmp(challenge, "Basic", 5) == 0) {
		if (auth->user == NULL || auth->basic)
			return 0;
		if (strncmp(http->base, "http://", 7) == 0 && !http->opts.insecure_http
		    && !oci_host_is_loopback(http->host))
			return 0;
		auth->basic = 1;
		return 1;
	}
	return 0;
}
