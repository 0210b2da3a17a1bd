#ifndef MLGATE_VERSION_H
#define MLGATE_VERSION_H

#define MLGATE_VERSION "0.1.0"

/* Prints "TOOL (mlgate) VERSION" and the libraries' versions on stdout. */
void version_print(void);
/* {"mlgate": VERSION, "cjson": ..., "openssl": ...} for run records. */
struct cJSON *version_libraries(void);

#endif
