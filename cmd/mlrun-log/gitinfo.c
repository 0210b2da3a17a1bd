/*
 * The git commit and dirty flag of the working directory, by running git
 * itself (its own rules for worktrees, submodules and safe.directory). A
 * missing git, or no work tree, is not an error: the record says null.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "jsonio.h"
#include "runlog.h"
#include "strbuf.h"

/* What we keep of git's output: a commit id, or whether there is any. */
#define KEEP_MAX 4096

/* Runs git with args; its exit status (or -1) and up to KEEP_MAX bytes of stdout. */
static int git_run(const char *const args[], struct strbuf *out)
{
	char *argv[8];
	int fds[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;
	size_t i;

	argv[0] = "git";
	for (i = 0; args[i] && i < 6; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		signal(SIGPIPE, SIG_DFL);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
		}
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		/* Reading must not take the index lock from a concurrent git. */
		setenv("GIT_OPTIONAL_LOCKS", "0", 1);
		execvp("git", argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		n = read(fds[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len < KEEP_MAX)
			strbuf_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void trim(struct strbuf *sb)
{
	while (sb->len && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == '\r'))
		sb->buf[--sb->len] = '\0';
}

cJSON *gitinfo_collect(void)
{
	static const char *const inside[] = { "rev-parse", "--is-inside-work-tree", NULL };
	static const char *const head[] = { "rev-parse", "--verify", "-q", "HEAD", NULL };
	static const char *const status[] = { "status", "--porcelain", "--untracked-files=no", NULL };
	struct strbuf sb = STRBUF_INIT;
	cJSON *git;
	int rc;

	rc = git_run(inside, &sb);
	trim(&sb);
	if (rc != 0 || !sb.buf || strcmp(sb.buf, "true") != 0) {
		strbuf_release(&sb);
		return cJSON_CreateNull();
	}
	git = cJSON_CreateObject();
	strbuf_reset(&sb);
	rc = git_run(head, &sb);
	trim(&sb);
	/* A repository without a commit yet has no HEAD to name. */
	json_set_string_or_null(git, "commit", rc == 0 && sb.len ? sb.buf : NULL);
	strbuf_reset(&sb);
	rc = git_run(status, &sb);
	if (rc == 0)
		json_set(git, "dirty", cJSON_CreateBool(sb.len > 0));
	else
		json_set(git, "dirty", cJSON_CreateNull());
	strbuf_release(&sb);
	return git;
}
