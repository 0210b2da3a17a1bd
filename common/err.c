#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static const char *progname = "mlgate";
static int override_status;
static char alias_from[1024], alias_to[1024];

void err_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
}

const char *err_progname(void)
{
	return progname;
}

void err_override_status(int status)
{
	override_status = status;
}

int err_status(int status)
{
	return override_status ? override_status : status;
}

void err_path_alias(const char *from, const char *to)
{
	snprintf(alias_from, sizeof alias_from, "%s", from ? from : "");
	snprintf(alias_to, sizeof alias_to, "%s", to ? to : "");
}

/* The message with every alias_from spelled alias_to, into out. */
static void apply_alias(const char *msg, char *out, size_t size)
{
	size_t flen = strlen(alias_from), n = 0;

	while (*msg && n + 1 < size) {
		if (flen && !strncmp(msg, alias_from, flen)) {
			n += (size_t)snprintf(out + n, size - n, "%s", alias_to);
			if (n >= size)
				n = size - 1;
			msg += flen;
		} else {
			out[n++] = *msg++;
		}
	}
	out[n] = '\0';
}

void vwarnmsg(const char *fmt, va_list ap)
{
	/* One buffer, one write: lines from parallel tools never interleave. */
	char line[4096], msg[4096];
	int n = snprintf(line, sizeof line, "%s: ", progname);

	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(msg, sizeof msg, fmt, ap);
	apply_alias(msg, line + n, sizeof line - (size_t)n - 1);
	n = (int)strlen(line);
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
	fflush(stderr);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnmsg(fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnmsg(fmt, ap);
	va_end(ap);
	exit(err_status(status));
}

void die_errno(const char *fmt, ...)
{
	char what[3072];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	die(EXIT_IO, "%s: %s", what, strerror(saved));
}
