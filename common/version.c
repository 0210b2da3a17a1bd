#include <stdio.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "version.h"

void version_print(void)
{
	printf("%s (mlgate) %s\n", err_progname(), MLGATE_VERSION);
	stdout_close();
}

cJSON *version_libraries(void)
{
	cJSON *o = cJSON_CreateObject();

	json_set(o, "mlgate", cJSON_CreateString(MLGATE_VERSION));
	json_set(o, "cjson", cJSON_CreateString(cJSON_Version()));
	json_set(o, "openssl", cJSON_CreateString(OpenSSL_version(OPENSSL_VERSION)));
	return o;
}
