/*
 * The "plain cJSON-per-line loop" reference of bench/run.sh: what a
 * metric logger without a fast path does. Reads lines from stdin, parses
 * each with cJSON, keeps the objects whose members are all numbers, and
 * writes each kept one to FILE (as mlrun-log writes metrics.jsonl):
 *   cjson-lines print FILE   re-serialised by cJSON_PrintUnformatted
 *   cjson-lines copy FILE    the line as read (the parse is the only cost)
 * Not part of mlgate; built by bench/run.sh only.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

static int all_numbers(const cJSON *obj)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj) || obj->child == NULL)
		return 0;
	for (m = obj->child; m != NULL; m = m->next)
		if (!cJSON_IsNumber(m))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long kept = 0;
	FILE *out;
	int copy;

	if (argc != 3 || (strcmp(argv[1], "print") != 0 && strcmp(argv[1], "copy") != 0)) {
		fprintf(stderr, "usage: cjson-lines print|copy FILE < log\n");
		return 2;
	}
	copy = strcmp(argv[1], "copy") == 0;
	out = fopen(argv[2], "w");
	if (out == NULL) {
		perror(argv[2]);
		return 1;
	}
	while ((len = getline(&line, &cap, stdin)) != -1) {
		cJSON *obj = cJSON_ParseWithLength(line, (size_t)len);
		if (all_numbers(obj) && copy) {
			fwrite(line, 1, (size_t)len, out);
			kept++;
		} else if (all_numbers(obj)) {
			char *text = cJSON_PrintUnformatted(obj);
			if (text != NULL) {
				fputs(text, out);
				fputc('\n', out);
				cJSON_free(text);
				kept++;
			}
		}
		cJSON_Delete(obj);
	}
	free(line);
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return kept > 0 ? 0 : 1;
}
