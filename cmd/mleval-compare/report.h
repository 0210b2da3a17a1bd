/* Human views of a verdict: a terminal table, markdown, JUnit XML. */
#ifndef MLEVAL_REPORT_H
#define MLEVAL_REPORT_H

#include <cjson/cJSON.h>
#include "strbuf.h"

void report_table(const cJSON *verdict, struct strbuf *sb);
void report_markdown(const cJSON *verdict, struct strbuf *sb);
void report_junit(const cJSON *verdict, struct strbuf *sb);

#endif
