/*
 * CI context from the environment: GitHub Actions (GITHUB_*) and Jenkins
 * (BUILD_URL, JOB_NAME, BUILD_NUMBER, GIT_COMMIT). Values only, never
 * secrets.
 */
#ifndef MLGATE_CI_H
#define MLGATE_CI_H

#include <cjson/cJSON.h>

enum ci_provider { CI_NONE, CI_GITHUB, CI_JENKINS, CI_OTHER };

enum ci_provider ci_detect(void);
/* "github-actions", "jenkins", "ci" (CI=true only) or NULL. */
const char *ci_provider_name(enum ci_provider p);
/*
 * A new object: {"provider", "build_url", "job", "build_number", "actor",
 * "repository", "sha", "ref", "run_id", "run_attempt", "workflow", "server"},
 * absent values null; or JSON null when not in CI.
 */
cJSON *ci_context(void);
/* The actor to record: GITHUB_ACTOR, BUILD_USER_ID, USER, LOGNAME, the
 * effective user's account name, or "unknown". */
const char *ci_actor(void);

#endif
