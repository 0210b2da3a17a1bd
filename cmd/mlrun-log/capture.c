/*
 * Filter mode: the training log on stdin, echoed to stderr unchanged, read
 * in large blocks so that a job printing millions of lines is never held up.
 * SIGINT, SIGTERM or SIGHUP end the log early: the run is still recorded,
 * as killed, with what it logged until then.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "runlog.h"
#include "xalloc.h"

#define BLOCK (1u << 20)

void echo_write(const char *buf, size_t len)
{
	static int gone;

	/* A reader that went away (EPIPE) loses the echo, never the record. */
	if (!gone && write_all(STDERR_FILENO, buf, len) < 0)
		gone = 1;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void signals_stop(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must interrupt a read that waits. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

int capture_filter(struct metrics *m)
{
	char *buf = xmalloc(BLOCK);
	ssize_t n;

	signals_stop();
	while (!stop_signal) {
		n = read(STDIN_FILENO, buf, BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_IO, "cannot read standard input: %s", strerror(errno));
		if (n == 0)
			break;
		echo_write(buf, (size_t)n);
		metrics_feed(m, buf, (size_t)n);
	}
	metrics_finish(m);
	free(buf);
	return stop_signal;
}
