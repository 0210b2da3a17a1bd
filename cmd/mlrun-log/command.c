/*
 * Command mode: run the training command with its stdout and stderr each
 * through a pipe, both passed to our stderr as they come (each stream's
 * bytes, so its lines, in order), metric lines read from its stdout.
 * SIGINT, SIGTERM and SIGHUP sent to us go on to the command; we stay to
 * record how it ended. Exit statuses follow timeout(1) and env(1): 127 when the command
 * is not found, 126 when it cannot be executed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "runlog.h"
#include "xalloc.h"

#define BLOCK (1u << 20)
/* How often a silent command is checked on: a grandchild may hold the pipes. */
#define REAP_CHECK_MS 200

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	/*
	 * A terminal's ^C reaches the whole foreground process group, the
	 * command included (si_code is then SI_KERNEL, > 0): forwarding it too
	 * would interrupt the command twice. kill(1) and CI runners send it
	 * to us alone (si_code <= 0).
	 */
	if (child_pid > 0 && (!si || si->si_code <= 0))
		kill((pid_t)child_pid, sig);
}

static void signals_forward(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void pipe_cloexec(int fds[2])
{
	if (pipe(fds) < 0)
		die(EXIT_IO, "cannot create a pipe: %s", strerror(errno));
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
}

/* In the child: never returns. Tells the parent why exec failed through ex. */
static _Noreturn void child_exec(char **argv, int out, int errfd, int ex)
{
	int e;

	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0) {
		e = errno;
	} else {
		execvp(argv[0], argv);
		e = errno;
	}
	/* Nothing more can be done here if the parent does not hear it. */
	ssize_t unused = write(ex, &e, sizeof e);
	(void)unused;
	_exit(127);
}

static pid_t spawn(char **argv, int *outfd, int *errfd, int *exec_errno)
{
	int out[2], err[2], ex[2];
	sigset_t block, old;
	pid_t pid;
	ssize_t n;

	pipe_cloexec(out);
	pipe_cloexec(err);
	pipe_cloexec(ex);
	/* A signal between fork and child_pid being set is held, not lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid < 0)
		die(EXIT_IO, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		child_exec(argv, out[1], err[1], ex[1]);
	}
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(out[1]);
	close(err[1]);
	close(ex[1]);
	*exec_errno = 0;
	do
		n = read(ex[0], exec_errno, sizeof *exec_errno);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof *exec_errno)
		*exec_errno = 0;
	close(ex[0]);
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK);
	*outfd = out[0];
	*errfd = err[0];
	return pid;
}

static int reap(pid_t pid, int *status, int options)
{
	pid_t r;

	do
		r = waitpid(pid, status, options);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die(EXIT_IO, "cannot wait for the command: %s", strerror(errno));
	return r == pid;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Passes both pipes through until they close, or until the command is gone
 * and they have nothing more to give. Returns 1 when the command was reaped. */
static int pump(pid_t pid, int outfd, int errfd, struct metrics *m, int *status)
{
	struct pollfd pfd[2] = { { outfd, POLLIN, 0 }, { errfd, POLLIN, 0 } };
	char *buf = xmalloc(BLOCK);
	int open = 2, reaped = 0;
	long last_check = now_ms();

	while (open > 0) {
		int r = poll(pfd, 2, reaped ? 0 : REAP_CHECK_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(EXIT_IO, "cannot poll the command's output: %s", strerror(errno));
		if (r == 0 && reaped)
			break; /* drained; what a grandchild writes later is not ours */
		if (!reaped && (r == 0 || now_ms() - last_check >= REAP_CHECK_MS)) {
			reaped = reap(pid, status, WNOHANG);
			last_check = now_ms();
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf, BLOCK);
			if (n > 0) {
				echo_write(buf, (size_t)n);
				if (i == 0)
					metrics_feed(m, buf, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	free(buf);
	return reaped;
}

int capture_command(char **argv, struct metrics *m, struct child_fate *fate)
{
	int outfd, errfd, exec_errno, status = 0;
	pid_t pid;

	signals_forward();
	/* Python buffers a pipe's output; unbuffered, the log reads live. */
	if (!getenv("PYTHONUNBUFFERED"))
		setenv("PYTHONUNBUFFERED", "1", 1);
	pid = spawn(argv, &outfd, &errfd, &exec_errno);
	if (exec_errno) {
		reap(pid, &status, 0);
		child_pid = 0;
		close(outfd);
		close(errfd);
		warnmsg("cannot run '%s': %s", argv[0], strerror(exec_errno));
		return exec_errno == ENOENT || exec_errno == ENOTDIR ? 127 : 126;
	}
	if (!pump(pid, outfd, errfd, m, &status))
		reap(pid, &status, 0);
	child_pid = 0;
	metrics_finish(m);
	if (WIFSIGNALED(status)) {
		fate->exit_code = -1;
		fate->signal = WTERMSIG(status);
	} else {
		fate->exit_code = WEXITSTATUS(status);
		fate->signal = 0;
	}
	return 0;
}
