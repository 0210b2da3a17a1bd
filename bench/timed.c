/*
 * The demo's stand-in for each tool (bench/run.sh, section demo): installed
 * under the tool's name, it runs the real one and appends to
 * $BENCH_DEMO_LOG one line:
 *
 *     KIND START_NS END_NS CPU_US NAME ARG1
 *
 * KIND is "train" for python3 (the training, whose time is taken off the
 * mlrun-log call that runs it) and "tool" for the rest; START and END are
 * taken just around posix_spawn and wait4, so what is logged is the tool's
 * own time, its start-up included, and not this wrapper's; CPU is the
 * tool's user + system time (its waited-for children included) from wait4.
 * The real programs: $BENCH_REAL_BIN/NAME, and $BENCH_REAL_PYTHON for
 * python3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *need(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		fprintf(stderr, "timed: %s is not set\n", var);
		exit(127);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int train = strcmp(name, "python3") == 0;
	const char *log = need("BENCH_DEMO_LOG");
	char real[4096], line[512];
	struct rusage ru;
	long long t0, t1, cpu;
	int status, fd, n;
	pid_t pid;

	(void)argc;
	if (train)
		snprintf(real, sizeof real, "%s", need("BENCH_REAL_PYTHON"));
	else
		snprintf(real, sizeof real, "%s/%s", need("BENCH_REAL_BIN"), name);
	argv[0] = real;
	t0 = now_ns();
	if ((errno = posix_spawn(&pid, real, NULL, NULL, argv, environ)) != 0) {
		fprintf(stderr, "timed: cannot run '%s': %s\n", real, strerror(errno));
		return 127;
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("timed: wait4");
			return 127;
		}
	t1 = now_ns();
	cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	      ru.ru_stime.tv_usec;
	n = snprintf(line, sizeof line, "%s %lld %lld %lld %s %.64s\n", train ? "train" : "tool", t0, t1,
		     cpu, name, argv[1] ? argv[1] : "-");
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || n < 0 || write(fd, line, (size_t)n) != n) {
		perror("timed: cannot write the log");
		return 127;
	}
	close(fd);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
