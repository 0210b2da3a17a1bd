/* Exit statuses and one-line diagnostics shared by every mlgate tool. */
#ifndef MLGATE_ERR_H
#define MLGATE_ERR_H

#include <stdarg.h>

enum exit_status {
	EXIT_OK = 0,     /* ok, passed, verified, identical */
	EXIT_NO = 1,     /* a clean "no": gate failed, mismatch, tampering, lost race */
	EXIT_USAGE = 2,  /* usage or input error (unreadable, corrupt, truncated input) */
	EXIT_IO = 3      /* I/O or system error */
};

/* The tool's name, used as the prefix of every message. Set once in main(). */
void err_init(const char *progname);
const char *err_progname(void);

/*
 * mlrun-log in command mode must exit with 125 for its own failures, whatever
 * kind they are. When set to a nonzero value, die() exits with it instead.
 */
void err_override_status(int status);

/* "tool: message\n" on stderr. */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vwarnmsg(const char *fmt, va_list ap);

/* warnmsg(), then exit(status) (or the override). Runs atexit handlers. */
_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Messages name paths under from as under to instead: a tool that works in
 * a private temp copy of something names the thing (from "" turns it off).
 */
void err_path_alias(const char *from, const char *to);

/* die(EXIT_IO, "...: strerror(errno)") with the message prefix given. */
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit status die() would use for status: the override when set. */
int err_status(int status);

#endif
