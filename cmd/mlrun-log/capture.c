/*
 * Filter mode: the training log on stdin, echoed to stderr unchanged, read
 * in large blocks so that a job printing millions of lines is never held up.
 */
#include <errno.h>
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

void capture_filter(struct metrics *m)
{
	char *buf = xmalloc(BLOCK);
	ssize_t n;

	for (;;) {
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
}
