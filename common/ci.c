#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ci.h"
#include "jsonio.h"
#include "utf8.h"
#include "xalloc.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

enum ci_provider ci_detect(void)
{
	const char *gha = env("GITHUB_ACTIONS");

	if (gha && strcmp(gha, "true") == 0)
		return CI_GITHUB;
	if (env("JENKINS_URL") || (env("BUILD_URL") && env("JOB_NAME")))
		return CI_JENKINS;
	if (env("CI"))
		return CI_OTHER;
	return CI_NONE;
}

const char *ci_provider_name(enum ci_provider p)
{
	switch (p) {
	case CI_GITHUB: return "github-actions";
	case CI_JENKINS: return "jenkins";
	case CI_OTHER: return "ci";
	default: return NULL;
	}
}

/* Environment values are bytes, records are UTF-8: bad bytes become U+FFFD. */
static void set_env(cJSON *o, const char *key, const char *var)
{
	const char *v = var ? env(var) : NULL;
	char *clean = v ? utf8_sanitize(v) : NULL;

	json_set_string_or_null(o, key, clean);
	free(clean);
}

static cJSON *github_context(cJSON *o)
{
	const char *server = env("GITHUB_SERVER_URL"), *repo = env("GITHUB_REPOSITORY");
	const char *run = env("GITHUB_RUN_ID"), *attempt = env("GITHUB_RUN_ATTEMPT");

	set_env(o, "server", "GITHUB_SERVER_URL");
	set_env(o, "repository", "GITHUB_REPOSITORY");
	set_env(o, "workflow", "GITHUB_WORKFLOW");
	set_env(o, "job", "GITHUB_JOB");
	set_env(o, "run_id", "GITHUB_RUN_ID");
	set_env(o, "run_attempt", "GITHUB_RUN_ATTEMPT");
	set_env(o, "build_number", "GITHUB_RUN_NUMBER");
	set_env(o, "sha", "GITHUB_SHA");
	set_env(o, "ref", "GITHUB_REF");
	set_env(o, "actor", "GITHUB_ACTOR");
	if (server && repo && run) {
		char *url = attempt ? xasprintf("%s/%s/actions/runs/%s/attempts/%s", server, repo, run, attempt)
				    : xasprintf("%s/%s/actions/runs/%s", server, repo, run);
		json_set_string_or_null(o, "build_url", url);
		free(url);
	} else {
		json_set_string_or_null(o, "build_url", NULL);
	}
	return o;
}

static cJSON *jenkins_context(cJSON *o)
{
	set_env(o, "server", "JENKINS_URL");
	set_env(o, "repository", "GIT_URL");
	set_env(o, "workflow", NULL);
	set_env(o, "job", "JOB_NAME");
	set_env(o, "run_id", "BUILD_ID");
	set_env(o, "run_attempt", NULL);
	set_env(o, "build_number", "BUILD_NUMBER");
	set_env(o, "sha", "GIT_COMMIT");
	set_env(o, "ref", "GIT_BRANCH");
	set_env(o, "actor", "BUILD_USER_ID");
	set_env(o, "build_url", "BUILD_URL");
	return o;
}

cJSON *ci_context(void)
{
	enum ci_provider p = ci_detect();
	cJSON *o;

	if (p == CI_NONE)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	json_set_string_or_null(o, "provider", ci_provider_name(p));
	if (p == CI_GITHUB)
		return github_context(o);
	if (p == CI_JENKINS)
		return jenkins_context(o);
	static const char *const keys[] = { "server", "repository", "workflow", "job", "run_id",
		"run_attempt", "build_number", "sha", "ref", "actor", "build_url", NULL };
	for (const char *const *k = keys; *k; k++)
		json_set_string_or_null(o, *k, NULL);
	return o;
}

const char *ci_actor(void)
{
	static const char *const vars[] = { "GITHUB_ACTOR", "BUILD_USER_ID", "USER", "LOGNAME", NULL };

	static char *clean;
	struct passwd *pw;

	for (const char *const *v = vars; *v; v++)
		if (env(*v)) {
			if (!clean)
				clean = utf8_sanitize(env(*v));
			return clean;
		}
	/* Containers and CI runners often set no USER: the account still has a name. */
	pw = getpwuid(geteuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}
