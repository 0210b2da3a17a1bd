/*
 * Docker credential helpers: what `docker login` uses instead of the
 * auths of config.json when "credHelpers" or "credsStore" name one. The
 * helper docker-credential-NAME reads the registry's host on stdin and
 * prints {"Username": ..., "Secret": ...}.
 */
#ifndef MLPROMOTE_OCI_CREDHELPER_H
#define MLPROMOTE_OCI_CREDHELPER_H

/*
 * Asks docker-credential-name for host: 0 with new strings in *user and
 * *secret, or -1 when it has none for host. Dies (exit 2) when the helper
 * is not installed or answers what is not its protocol; config names the
 * file that named it, for the message.
 */
int oci_credhelper_get(const char *config, const char *name, const char *host, char **user,
		       char **secret);

#endif
