/*
 * oci-test: drives mlpromote's OCI client (cmd/mlpromote/oci_*.c) against a
 * real registry from tests/oci.bats, before the subcommands are wired to it.
 *
 * oci-test [options] oci://HOST[:PORT]/NS NAME COMMAND [ARG...]
 *   push-blob FILE          prints "sent DIGEST" or "exists DIGEST"
 *   exists DIGEST           exit 0 when there, 1 when not
 *   fetch DIGEST OUT        the blob into OUT, re-hashed; exit 1 when absent
 *   put-manifest REF FILE   FILE's bytes as an OCI image manifest; prints its digest
 *   get-manifest REF        the manifest on stdout; exit 1 when absent
 *   tags                    one tag a line
 * options: --ca-file F --insecure-http --chunk BYTES --connect-timeout S
 *          --stall-timeout S --retries N
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "hash.h"
#include "oci_client.h"

static _Noreturn void usage(void)
{
	fputs("usage: oci-test [--ca-file F] [--insecure-http] [--chunk BYTES] "
	      "[--connect-timeout S] [--stall-timeout S] [--retries N] "
	      "REGISTRY NAME COMMAND [ARG...]\n", stderr);
	exit(EXIT_USAGE);
}

static int push_blob(struct oci_client *cl, const char *path)
{
	char digest[HASH_STR_LEN];
	uint64_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || hash_fd(fd, digest, &size) != 0)
		die_errno("cannot read '%s'", path);
	int sent = oci_blob_push_fd(cl, fd, size, digest);
	close(fd);
	printf("%s %s\n", sent ? "sent" : "exists", digest);
	return 0;
}

static int fetch(struct oci_client *cl, const char *digest, const char *out)
{
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die_errno("cannot create '%s'", out);
	int rc = oci_blob_fetch(cl, digest, fd);
	if (close(fd) != 0)
		die_errno("cannot write '%s'", out);
	if (rc == 2)
		die(EXIT_NO, "registry '%s': blob %s in '%s' does not hash to its digest",
		    cl->http.host, digest, cl->repo);
	return rc;
}

static int run(struct oci_client *cl, int argc, char **argv)
{
	const char *cmd = argv[0];
	char digest[HASH_STR_LEN];

	if (strcmp(cmd, "push-blob") == 0 && argc == 2)
		return push_blob(cl, argv[1]);
	if (strcmp(cmd, "exists") == 0 && argc == 2)
		return oci_blob_exists(cl, argv[1], NULL) ? 0 : 1;
	if (strcmp(cmd, "fetch") == 0 && argc == 3)
		return fetch(cl, argv[1], argv[2]);
	if (strcmp(cmd, "put-manifest") == 0 && argc == 3) {
		size_t len;
		char *data = file_read_or_die(argv[2], &len);
		oci_manifest_put(cl, argv[1], OCI_MANIFEST_TYPE, data, len, digest);
		free(data);
		printf("%s\n", digest);
		return 0;
	}
	if (strcmp(cmd, "get-manifest") == 0 && argc == 2) {
		struct strbuf body = STRBUF_INIT;
		int rc = oci_manifest_get(cl, argv[1], &body, digest);
		if (rc == 0)
			stdout_write(body.buf ? body.buf : "", body.len);
		strbuf_release(&body);
		return rc;
	}
	if (strcmp(cmd, "tags") == 0 && argc == 1) {
		size_t n;
		char **tags = oci_tags_list(cl, &n);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", tags[i]);
		oci_tags_free(tags, n);
		return 0;
	}
	usage();
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ca-file", required_argument, NULL, 'c' },
		{ "chunk", required_argument, NULL, 'k' },
		{ "connect-timeout", required_argument, NULL, 't' },
		{ "insecure-http", no_argument, NULL, 'i' },
		{ "retries", required_argument, NULL, 'r' },
		{ "stall-timeout", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct oci_http_opts opts = { .retries = -1 };
	struct oci_client cl;
	size_t chunk = 0;
	int c;

	err_init("oci-test");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opts.ca_file = optarg; break;
		case 'i': opts.insecure_http = 1; break;
		case 'k': chunk = strtoul(optarg, NULL, 10); break;
		case 'r': opts.retries = atoi(optarg); break;
		case 's': opts.stall_timeout = atol(optarg); break;
		case 't': opts.connect_timeout = atol(optarg); break;
		default: usage();
		}
	}
	if (argc - optind < 3)
		usage();
	oci_client_open(&cl, argv[optind], argv[optind + 1], &opts);
	if (chunk > 0)
		cl.chunk = chunk;
	int rc = run(&cl, argc - optind - 2, argv + optind + 2);
	oci_client_close(&cl);
	stdout_close();
	return rc;
}
