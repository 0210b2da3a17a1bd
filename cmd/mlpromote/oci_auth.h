/*
 * Registry credentials: MLGATE_OCI_USERNAME / MLGATE_OCI_PASSWORD, else
 * ~/.docker/config.json (what `docker login` writes; $DOCKER_CONFIG is
 * honoured): its credential helper for the host or its store, else its auths. Answers a 401 with Basic, or with the Bearer token dance
 * (WWW-Authenticate realm, service, scope). No secret is ever printed.
 */
#ifndef MLPROMOTE_OCI_AUTH_H
#define MLPROMOTE_OCI_AUTH_H

struct oci_http;

struct oci_auth {
	char *user;        /* NULL: anonymous */
	char *pass;
	char *bearer;      /* the token in use, or NULL */
	char *bearer_scope;
	int basic;         /* the registry asked for Basic */
};

/* Finds credentials for host ("host[:port]"). Dies (exit 2) on a corrupt config. */
void oci_auth_init(struct oci_auth *auth, const char *host);
void oci_auth_release(struct oci_auth *auth);

/* After a 401 with challenge (WWW-Authenticate): 1 when a new credential is
 * in place and the request is worth sending again, 0 when not. */
int oci_auth_answer(struct oci_auth *auth, struct oci_http *http,
		    const char *challenge, const char *scope);

#endif
