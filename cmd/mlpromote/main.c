/* mlpromote: the model registry. Parses the command line and dispatches. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "opts.h"
#include "registry_oci.h"
#include "version.h"

enum {
	O_APPROVED_BY = 256, O_CA_FILE, O_CONNECT_TIMEOUT, O_INSECURE_HTTP, O_STALL_TIMEOUT, O_EXPECT, O_FORCE, O_FORMAT, O_MAX_AGE, O_MODEL, O_OUTPUT,
	O_PRETTY, O_REASON, O_REGISTRY, O_REQUIRE_APPROVAL, O_RUN, O_STAGE, O_TO,
	O_VERDICT, O_VERSION
};

/* Options sorted by name; each command accepts only those in its list. */
static const struct option longopts[] = {
	{ "approved-by", required_argument, NULL, O_APPROVED_BY },
	{ "ca-file", required_argument, NULL, O_CA_FILE },
	{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT },
	{ "expect", required_argument, NULL, O_EXPECT },
	{ "force", no_argument, NULL, O_FORCE },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "insecure-http", no_argument, NULL, O_INSECURE_HTTP },
	{ "max-age", required_argument, NULL, O_MAX_AGE },
	{ "model", required_argument, NULL, O_MODEL },
	{ "output", required_argument, NULL, O_OUTPUT },
	{ "pretty", no_argument, NULL, O_PRETTY },
	{ "pubkey", required_argument, NULL, 'p' },
	{ "reason", required_argument, NULL, O_REASON },
	{ "registry", required_argument, NULL, O_REGISTRY },
	{ "require-approval", required_argument, NULL, O_REQUIRE_APPROVAL },
	{ "run", required_argument, NULL, O_RUN },
	{ "sign", required_argument, NULL, 's' },
	{ "stage", required_argument, NULL, O_STAGE },
	{ "stall-timeout", required_argument, NULL, O_STALL_TIMEOUT },
	{ "to", required_argument, NULL, O_TO },
	{ "verdict", required_argument, NULL, O_VERDICT },
	{ "version", required_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

struct command {
	const char *name;
	int (*run)(struct opts *o);
	const char *accepts;  /* option names, space-separated, each followed by a space */
};

/* Every command that opens a registry takes the OCI transport options. */
#define NET "ca-file connect-timeout insecure-http stall-timeout "

static const struct command commands[] = {
	{ "init", cmd_init, "registry require-approval " },
	{ "publish", cmd_publish, "registry model version run C pretty " NET },
	{ "promote", cmd_promote, "registry model version stage verdict approved-by expect force "
				  "reason sign pretty require-approval " NET },
	{ "rollback", cmd_rollback, "registry model stage to expect sign pretty " NET },
	{ "status", cmd_status, "registry model stage format max-age output pretty " NET },
	{ "history", cmd_history, "registry model format " NET },
	{ "pull", cmd_pull, "registry model stage version pretty " NET },
	{ "verify", cmd_verify, "registry model pubkey " NET },
	{ "keygen", cmd_keygen, "pubkey sign " },
};

static const char *option_name(int c)
{
	if (c == 'C')
		return "C";
	for (const struct option *lo = longopts; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

static void check_accepted(const struct command *cmd, int c)
{
	char key[32];
	const char *name = option_name(c);

	snprintf(key, sizeof key, "%s ", name);
	for (const char *p = cmd->accepts; (p = strstr(p, key)); p++)
		if (p == cmd->accepts || p[-1] == ' ')
			return;
	die(EXIT_USAGE, "%s%s: not an option of '%s' (see --help)", strlen(name) > 1 ? "--" : "-",
	    name, cmd->name);
}

static long long parse_seq(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || s[0] == '+' || s[0] == '-')
		die(EXIT_USAGE, "--expect '%s': not a sequence number", s);
	return v;
}

static long parse_seconds(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 3600)
		die(EXIT_USAGE, "--%s '%s': want whole seconds from 1 to 3600", opt, s);
	return v;
}

static void parse_options(const struct command *cmd, struct opts *o, int argc, char **argv,
			  struct oci_http_opts *net)
{
	int c;

	/* getopt's own messages would name the subcommand, not the tool. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":C:hp:s:", longopts, NULL)) != -1) {
		if (c == 'h')
			usage();
		if (c == ':')
			die(EXIT_USAGE, "option '%s' needs a value (see --help)", argv[optind - 1]);
		if (c == '?')
			die(EXIT_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
		check_accepted(cmd, c);
		switch (c) {
		case 'C': o->chdir = optarg; break;
		case 'p': o->pubkey = optarg; break;
		case 's': o->seckey = optarg; break;
		case O_APPROVED_BY: o->approved_by = optarg; break;
		case O_CA_FILE: net->ca_file = optarg; break;
		case O_CONNECT_TIMEOUT: net->connect_timeout = parse_seconds("connect-timeout", optarg); break;
		case O_INSECURE_HTTP: net->insecure_http = 1; break;
		case O_STALL_TIMEOUT: net->stall_timeout = parse_seconds("stall-timeout", optarg); break;
		case O_EXPECT: o->expect = parse_seq(optarg); break;
		case O_FORCE: o->force = 1; break;
		case O_FORMAT: o->format = optarg; break;
		case O_MAX_AGE: o->max_age = optarg; break;
		case O_MODEL: o->model = optarg; break;
		case O_OUTPUT: o->output = optarg; break;
		case O_PRETTY: o->pretty = 1; break;
		case O_REASON: o->reason = optarg; break;
		case O_REGISTRY: o->registry = optarg; break;
		case O_REQUIRE_APPROVAL: o->require_approval = optarg; break;
		case O_RUN: o->run = optarg; break;
		case O_STAGE: o->stage = optarg; break;
		case O_TO: o->to = optarg; break;
		case O_VERDICT: o->verdict = optarg; break;
		case O_VERSION: o->version = optarg; break;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
}

int main(int argc, char **argv)
{
	struct opts o = { .expect = -1 };
	struct oci_http_opts net = { .retries = -1 };
	const struct command *cmd = NULL;
	int status;

	err_init("mlpromote");
	if (argc < 2)
		die(EXIT_USAGE, "a subcommand is missing (see --help)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage();
	if (!strcmp(argv[1], "--version")) {
		version_print();
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		die(EXIT_USAGE, "'%s': no such subcommand (see --help)", argv[1]);
	parse_options(cmd, &o, argc - 1, argv + 1, &net);
	registry_oci_configure(&net);
	if (!o.registry || !*o.registry)
		o.registry = getenv("MLGATE_REGISTRY");
	status = cmd->run(&o);
	stdout_close();
	return status;
}
