/* dlopen("libcurl.so.4") once, and the table of the functions we use. */
#include <dlfcn.h>
#include <string.h>

#include "err.h"
#include "oci_curl.h"

static struct oci_curl curl_table;
static void *curl_lib;

/* ISO C has no conversion from void * to a function pointer; POSIX
 * guarantees the representation, so copy the bytes. */
static void load_symbol(void *fnptr, size_t size, const char *name)
{
	void *sym = dlsym(curl_lib, name);

	if (sym == NULL)
		die(EXIT_IO, "libcurl.so.4 lacks '%s'", name);
	memcpy(fnptr, &sym, size);
}

#define LOAD(field, name) load_symbol(&curl_table.field, sizeof curl_table.field, name)

const struct oci_curl *oci_curl_load(void)
{
	if (curl_lib != NULL)
		return &curl_table;
	curl_lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (curl_lib == NULL)
		die(EXIT_IO, "cannot load libcurl for oci:// registries: %s", dlerror());
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_reset, "curl_easy_reset");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(easy_escape, "curl_easy_escape");
	LOAD(free, "curl_free");
	if (curl_table.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die(EXIT_IO, "cannot initialise libcurl");
	return &curl_table;
}
