/*
 * mlsnapshot: what data. A content-hashed snapshot of a directory tree, a
 * deterministic archive of it, and verify / diff / extract against either.
 * The first argument "verify", "diff" or "extract" names a subcommand;
 * anything else is the DIR to snapshot (a directory called "verify" is
 * "./verify").
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "err.h"
#include "extract.h"
#include "fileio.h"
#include "hashpool.h"
#include "snapshot.h"
#include "tarread.h"
#include "tarwrite.h"
#include "version.h"

static const char usage_text[] =
	"usage: mlsnapshot [-o ARCHIVE] [-x GLOB]... [-j N] [--no-cache] [--pretty] DIR\n"
	"       mlsnapshot verify [-j N] [--max-ratio N] [--max-size SIZE] [--pretty]\n"
	"                  SNAPSHOT DIR|ARCHIVE\n"
	"       mlsnapshot diff [-j N] [--max-ratio N] [--max-size SIZE] [--pretty] A B\n"
	"       mlsnapshot extract [--max-ratio N] [--max-size SIZE] [--pretty] [--snapshot S]\n"
	"                  ARCHIVE DIR\n"
	"       mlsnapshot --help | --version\n";

enum { OPT_NO_CACHE = 256, OPT_PRETTY, OPT_SNAPSHOT, OPT_MAX_SIZE, OPT_MAX_RATIO };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "max-ratio", required_argument, NULL, OPT_MAX_RATIO },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "output", required_argument, NULL, 'o' },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
	{ "version", no_argument, NULL, 'V' },
	{ "exclude", required_argument, NULL, 'x' },
	{ NULL, 0, NULL, 0 }
};

/* A usage error is one line, as every error is; --help has the rest. */
_Noreturn static void usage(const char *fmt, const char *arg)
{
	char msg[1024];

	snprintf(msg, sizeof msg, fmt, arg);
	die(EXIT_USAGE, "%s (see --help)", msg);
}

/* Which options each mode takes: the letters, and the long-only ones by name. */
static void check_allowed(const char *mode, int opt, const char *allowed)
{
	if (opt < 256 ? strchr(allowed, opt) != NULL : strchr(allowed, opt - 256 + 'A') != NULL)
		return;
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == opt)
			die(EXIT_USAGE, "option '--%s' does not apply to %s", o->name, mode);
	die(EXIT_USAGE, "an option does not apply to %s", mode);
}

static long parse_jobs(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (!*s || *end || n < 1 || n > 1024)
		usage("-j wants a number of threads from 1 to 1024, not '%s'", s);
	return n;
}

int main(int argc, char **argv)
{
	const char *mode = "snapshot", *allowed = "ojxAB"; /* A: --no-cache, B: --pretty */
	struct snapshot_opts so = { .x = EXCLUDES_INIT, .use_cache = 1 };
	struct extract_opts eo = { .max_size = EXTRACT_MAX_SIZE, .max_ratio = EXTRACT_MAX_RATIO };
	int c, status, threads = hashpool_default_threads();

	err_init("mlsnapshot");
	/*
	 * Names are UTF-8 (JSON's encoding): libarchive converts them through the
	 * locale's, so fix it, whatever LANG says, and archives stay byte-identical.
	 */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	opterr = 0; /* our own messages: getopt's would name the subcommand as the tool */
	if (argc > 1 && (!strcmp(argv[1], "verify") || !strcmp(argv[1], "diff"))) {
		mode = argv[1], allowed = "jBDE"; /* --pretty --max-size --max-ratio */
		argc--, argv++;
	} else if (argc > 1 && !strcmp(argv[1], "extract")) {
		mode = argv[1], allowed = "BCDE"; /* --snapshot --max-size --max-ratio */
		argc--, argv++;
	}
	while ((c = getopt_long(argc, argv, "hj:o:Vx:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			stdout_close();
			return 0;
		case 'V':
			version_print();
			return 0;
		case '?':
			usage("unknown option or missing argument in '%s'", argv[optind - 1]);
		}
		check_allowed(mode, c, allowed);
		switch (c) {
		case 'j': threads = (int)parse_jobs(optarg); break;
		case 'o': so.output = optarg; break;
		case 'x': excludes_add(&so.x, optarg); break;
		case OPT_NO_CACHE: so.use_cache = 0; break;
		case OPT_PRETTY: so.pretty = eo.pretty = 1; break;
		case OPT_SNAPSHOT: eo.snapshot = optarg; break;
		case OPT_MAX_SIZE:
			if (extract_parse_size(optarg, &eo.max_size) < 0)
				usage("--max-size wants a size such as 512M or 10G, not '%s'", optarg);
			break;
		case OPT_MAX_RATIO:
			if (extract_parse_ratio(optarg, &eo.max_ratio) < 0)
				usage("--max-ratio wants a number of at least 1, not '%s'", optarg);
			break;
		}
	}
	argc -= optind, argv += optind;
	if (!strcmp(mode, "snapshot")) {
		if (argc != 1)
			usage(argc ? "one DIR only, not '%s'" : "a DIR to snapshot is missing%s",
			      argc ? argv[1] : "");
		if (so.output && !tarwrite_suffix_known(so.output))
			usage("'%s': the archive name must end in .tar, .tar.gz, .tgz, .tar.zst or .tzst",
			      so.output);
		so.root = argv[0];
		so.threads = threads;
		status = snapshot_main(&so);
	} else {
		if (argc != 2)
			usage("%s takes two operands", mode);
		if (!strcmp(mode, "extract")) {
			eo.archive = argv[0], eo.dir = argv[1];
			status = extract_main(&eo);
		} else {
			struct tarread_limits lim = { eo.max_size, eo.max_ratio };
			status = compare_main(mode, argv[0], argv[1], threads, &lim, so.pretty);
		}
	}
	excludes_free(&so.x);
	stdout_close();
	return status;
}
