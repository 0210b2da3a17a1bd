/* The synopsis, word for word as in mlpromote(1). */
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "fileio.h"
#include "opts.h"

static const char synopsis[] =
"usage: mlpromote init [--registry DIR] [--require-approval STAGE,...]\n"
"       mlpromote publish [--registry DIR] --model M --version V [--run RUN] [-C DIR] [--pretty]\n"
"                 FILE ...\n"
"       mlpromote promote [--registry DIR] --model M --version V [--stage S] [--verdict FILE]\n"
"                 [--approved-by WHO] [--expect SEQ] [--force --reason TEXT] [--sign SECKEY]\n"
"                 [--require-approval STAGE,...] [--pretty]\n"
"       mlpromote rollback [--registry DIR] --model M [--stage S] [--to V] [--expect SEQ]\n"
"                 [--sign SECKEY] [--pretty]\n"
"       mlpromote status [--registry DIR] [--model M] [--stage S] [--format json|table|prometheus]\n"
"                 [--max-age DURATION] [--output FILE] [--pretty]\n"
"       mlpromote history [--registry DIR] --model M [--format json|table]\n"
"       mlpromote pull [--registry DIR] --model M [--stage S | --version V] [--pretty] DIR\n"
"       mlpromote verify [--registry DIR] [--model M] [--pubkey FILE]\n"
"       mlpromote keygen -p PUBFILE -s SECFILE\n"
"       mlpromote COMMAND --registry oci://HOST[:PORT]/NAMESPACE [--ca-file PEM] [--insecure-http]\n"
"                 [--connect-timeout SECS] [--stall-timeout SECS]\n"
"       mlpromote --help | --version\n";

void usage(void)
{
	fputs(synopsis, stdout);
	stdout_close();
	exit(EXIT_OK);
}
