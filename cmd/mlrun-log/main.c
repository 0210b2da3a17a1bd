/* mlrun-log: record a training run (params, metrics, data, artifacts, env). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "runlog.h"
#include "version.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: mlrun-log [-d RUNDIR] [-p KEY=VAL]... [--params FILE] [--data SNAPSHOT]\n"
	"                 [-a ARTIFACT]... [-n NAME] [-t KEY=VAL]... [--force] [--pretty]\n"
	"                 [-- COMMAND [ARG...]]\n"
	"       mlrun-log ls [--sort [-]METRIC] [--filter RULE]... [--format json|table|markdown]\n"
	"                 DIR...\n";

static _Noreturn void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	if (status)
		exit(err_status(status));
	stdout_close();
	exit(0);
}

enum { OPT_DATA = 256, OPT_FORCE, OPT_PARAMS, OPT_PRETTY };

static const struct option longopts[] = {
	{ "artifact", required_argument, NULL, 'a' },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "dir", required_argument, NULL, 'd' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ "name", required_argument, NULL, 'n' },
	{ "param", required_argument, NULL, 'p' },
	{ "params", required_argument, NULL, OPT_PARAMS },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "tag", required_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* `-- COMMAND` makes every failure of ours 125, usage errors included, as
 * timeout(1) does: the caller must tell them from the command's statuses. */
static int has_command(int argc, char **argv)
{
	for (int i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], "--") == 0)
			return 1;
	return 0;
}

static void parse_options(int argc, char **argv, struct run_opts *o)
{
	int c;

	/* '+': stop at the first operand, so the command's options stay its own;
	 * ':': our own one-line messages. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:a:d:hn:p:t:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->artifacts = xreallocarray(o->artifacts, o->nartifacts + 1, sizeof *o->artifacts);
			o->artifacts[o->nartifacts++] = optarg;
			break;
		case 'd': o->rundir = optarg; break;
		case 'h': usage(0);
		case 'n': o->name = optarg; break;
		case 'p': param_add_arg(o->cli_params, optarg, "-p", 1); break;
		case 't': param_add_arg(o->tags, optarg, "-t", 0); break;
		case 'V':
			version_print(); /* closes stdout itself */
			exit(0);
		case OPT_DATA: o->data_file = optarg; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_PARAMS: o->params_file = optarg; break;
		case OPT_PRETTY: o->pretty = 1; break;
		case ':': die(EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
		default: die(EXIT_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0)
			die(EXIT_USAGE, "unexpected argument '%s' (a command goes after --)", argv[optind]);
		o->command = argv + optind;
	}
	if (o->rundir && !*o->rundir)
		die(EXIT_USAGE, "-d: empty run directory");
	if (o->name && (!*o->name || !utf8_valid(o->name)))
		die(EXIT_USAGE, "-n: an empty name, or not valid UTF-8");
}

int main(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct child_fate fate = { 0, 0 };
	struct metrics *m;
	struct run *r;
	int status = 0;

	err_init("mlrun-log");
	if (argc > 1 && strcmp(argv[1], "ls") == 0)
		return ls_main(argc - 1, argv + 1);
	if (has_command(argc, argv))
		err_override_status(125);
	/* Our stderr going away (| head) costs the echo, never the record. */
	signal(SIGPIPE, SIG_IGN);
	o.cli_params = cJSON_CreateObject();
	o.tags = cJSON_CreateObject();
	parse_options(argc, argv, &o);

	r = run_begin(&o);
	m = metrics_open(run_metrics_path(r));
	if (o.command) {
		int rc = capture_command(o.command, m, &fate);
		if (rc) {
			metrics_free(m);
			run_free(r);
			cJSON_Delete(o.cli_params);
			cJSON_Delete(o.tags);
			free(o.artifacts);
			exit(rc);
		}
		status = fate.signal ? 128 + fate.signal : fate.exit_code;
	} else {
		fate.signal = capture_filter(m);
		fate.exit_code = -1;
		status = fate.signal ? 128 + fate.signal : 0;
	}
	run_end(r, m, o.command || fate.signal ? &fate : NULL);
	metrics_free(m);
	run_free(r);
	cJSON_Delete(o.cli_params);
	cJSON_Delete(o.tags);
	free(o.artifacts);
	stdout_close();
	return status;
}
