/* Where and by whom a run was made, taken when it starts. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ci.h"
#include "jsonio.h"
#include "runlog.h"
#include "version.h"
#include "xalloc.h"

static char *cwd_get(void)
{
	size_t size = 256;

	for (;;) {
		char *buf = xmalloc(size);
		if (getcwd(buf, size))
			return buf;
		free(buf);
		if (errno != ERANGE || size > (1u << 20))
			return NULL;
		size *= 2;
	}
}

static const char *user_get(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *u;

	if (pw && pw->pw_name && *pw->pw_name)
		return pw->pw_name;
	u = getenv("USER");
	if (!u || !*u)
		u = getenv("LOGNAME");
	return u && *u ? u : NULL;
}

/* The environment's strings, made fit for a record. */
static void set_text(cJSON *env, const char *key, const char *s)
{
	char *clean = s ? utf8_sanitize(s) : NULL;

	json_set_string_or_null(env, key, clean);
	free(clean);
}

cJSON *envinfo_collect(void)
{
	cJSON *env = cJSON_CreateObject();
	char host[256];
	char *cwd = cwd_get();

	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		set_text(env, "host", host);
	} else {
		json_set_string_or_null(env, "host", NULL);
	}
	set_text(env, "user", user_get());
	set_text(env, "cwd", cwd);
	free(cwd);
	json_set(env, "git", gitinfo_collect());
	json_set(env, "ci", ci_context());
	json_set(env, "versions", version_libraries());
	return env;
}
