/* Running a Docker credential helper: the host in, the credentials out. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>

#include "err.h"
#include "jsonio.h"
#include "oci_credhelper.h"
#include "strbuf.h"
#include "xalloc.h"

extern char **environ;

#define HELPER_OUTPUT_MAX (64 << 10)

/* The helper's whole stdout (at most HELPER_OUTPUT_MAX bytes); its exit status. */
static int run_helper(const char *config, const char *program, const char *host, struct strbuf *out)
{
	int in[2], from[2], status;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)program, "get", NULL };
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(in) < 0 || pipe(from) < 0)
		die_errno("cannot run '%s'", program);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, from[0]);
	errno = posix_spawnp(&pid, program, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(from[1]);
	if (errno) {
		close(in[1]);
		close(from[0]);
		die(EXIT_USAGE, "'%s' names the credential helper '%s', which is not installed", config,
		    program);
	}
	/* a helper that exits without reading must not kill us */
	signal(SIGPIPE, SIG_IGN);
	if (write(in[1], host, strlen(host)) < 0 && errno != EPIPE)
		die_errno("cannot write to '%s'", program);
	close(in[1]);
	while ((n = read(from[0], buf, sizeof buf)) > 0 && out->len < HELPER_OUTPUT_MAX)
		strbuf_add(out, buf, (size_t)n);
	close(from[0]);
	if (waitpid(pid, &status, 0) < 0)
		die_errno("cannot wait for '%s'", program);
	signal(SIGPIPE, SIG_DFL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int oci_credhelper_get(const char *config, const char *name, const char *host, char **user,
		       char **secret)
{
	struct strbuf out = { 0 };
	struct json_error err;
	char *program;
	cJSON *doc;
	const char *u, *s;
	int status;

	if (!*name || strchr(name, '/'))
		die(EXIT_USAGE, "'%s': '%s' is not a credential helper name", config, name);
	program = xasprintf("docker-credential-%s", name);
	status = run_helper(config, program, host, &out);
	/* "credentials not found" is a non-zero exit, as with docker login's helpers */
	doc = status == 0 ? json_parse_strict(out.buf ? out.buf : "", out.len, &err) : NULL;
	if (out.buf)
		sodium_memzero(out.buf, out.len);
	strbuf_release(&out);
	if (status != 0) {
		free(program);
		return -1;
	}
	u = json_get_string(doc, "Username");
	s = json_get_string(doc, "Secret");
	if (!u || !s) {
		cJSON_Delete(doc);
		die(EXIT_USAGE, "'%s' (named by '%s') did not answer {\"Username\", \"Secret\"}", program,
		    config);
	}
	*user = xstrdup(u);
	*secret = xstrdup(s);
	cJSON_Delete(doc);
	free(program);
	return 0;
}
