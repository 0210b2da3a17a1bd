/*
 * Run parameters: -p KEY=VAL on the command line and the --params file
 * (a JSON object, or flat "key: value" / KEY=VAL lines as .env files and
 * simple YAML write them).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "runlog.h"
#include "xalloc.h"

cJSON *param_value(const char *val)
{
	size_t len = strlen(val);
	double v;

	if (strcmp(val, "true") == 0)
		return cJSON_CreateTrue();
	if (strcmp(val, "false") == 0)
		return cJSON_CreateFalse();
	/* JSON's number grammar, whole string, finite (NaN/Infinity stay text). */
	if (len > 0 && (val[0] == '-' || (val[0] >= '0' && val[0] <= '9')) &&
	    number_scan(val, val + len, &v) == len && isfinite(v))
		return cJSON_CreateNumber(v);
	return cJSON_CreateString(val);
}

void param_add_arg(cJSON *obj, const char *arg, const char *what, int typed)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (!utf8_valid(arg))
		die(EXIT_USAGE, "%s: an argument that is not valid UTF-8", what);
	if (!eq || eq == arg)
		die(EXIT_USAGE, "%s '%s': expected KEY=VALUE", what, arg);
	key = xstrndup(arg, (size_t)(eq - arg));
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		die(EXIT_USAGE, "%s '%s': key '%s' given twice", what, arg, key);
	cJSON_AddItemToObject(obj, key, typed ? param_value(eq + 1) : cJSON_CreateString(eq + 1));
	free(key);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One "key: value" or KEY=VAL line (blank ends trimmed already) into obj. */
static void flat_line(cJSON *obj, const char *path, int lineno, const char *line, const char *bol)
{
	const char *colon = strchr(line, ':'), *eq = strchr(line, '=');
	const char *sep = colon && (!eq || colon < eq) ? colon : eq;
	const char *k = line, *kend, *v;
	char *key, *val;
	size_t vlen;

	if (strncmp(k, "export ", 7) == 0)
		k += 7;
	if (!sep)
		die(EXIT_USAGE, "%s:%d:%d: expected 'key: value' or KEY=VALUE", path, lineno,
		    (int)(line - bol) + 1);
	kend = sep;
	while (kend > k && is_blank(kend[-1]))
		kend--;
	if (kend == k)
		die(EXIT_USAGE, "%s:%d:%d: empty key", path, lineno, (int)(sep - bol) + 1);
	v = sep + 1;
	while (is_blank(*v))
		v++;
	vlen = strlen(v);
	key = xstrndup(k, (size_t)(kend - k));
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		die(EXIT_USAGE, "%s:%d:%d: key '%s' given twice", path, lineno, (int)(k - bol) + 1, key);
	/* A quoted value is a string as written, as in YAML and .env files. */
	if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
		val = xstrndup(v + 1, vlen - 2);
		cJSON_AddItemToObject(obj, key, cJSON_CreateString(val));
	} else {
		val = xstrndup(v, vlen);
		cJSON_AddItemToObject(obj, key, param_value(val));
	}
	free(val);
	free(key);
}

static cJSON *params_parse_flat(const char *path, char *buf)
{
	cJSON *obj = cJSON_CreateObject();
	int lineno = 0;
	char *line = buf;

	while (line && *line) {
		char *nl = strchr(line, '\n'), *s = line, *e;

		lineno++;
		if (nl)
			*nl = '\0';
		e = s + strlen(s);
		while (e > s && is_blank(e[-1]))
			*--e = '\0';
		if (*s == ' ' || *s == '\t') {
			while (is_blank(*s))
				s++;
			if (*s && *s != '#')
				die(EXIT_USAGE, "%s:%d:%d: nested values are not supported (use a JSON file)",
				    path, lineno, (int)(s - line) + 1);
		}
		if (*s && *s != '#' && strcmp(s, "---") != 0)
			flat_line(obj, path, lineno, s, line);
		line = nl ? nl + 1 : NULL;
	}
	return obj;
}

cJSON *params_read_file(const char *path)
{
	char *buf;
	size_t len, i = 0;
	cJSON *obj;

	if (file_read(path, &buf, &len) < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", file_display_name(path), strerror(errno));
	if (memchr(buf, '\0', len))
		die(EXIT_USAGE, "%s: a NUL byte in a params file", file_display_name(path));
	if (!utf8_valid(buf))
		die(EXIT_USAGE, "%s: not valid UTF-8", file_display_name(path));
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	if (i < len && buf[i] == '{') {
		struct json_error err;

		obj = json_parse_strict(buf, len, &err);
		if (!obj)
			die(EXIT_USAGE, "%s:%d:%d: %s", file_display_name(path), err.line, err.col, err.msg);
	} else {
		obj = params_parse_flat(file_display_name(path), buf);
	}
	free(buf);
	return obj;
}

cJSON *params_merge(const cJSON *file, const cJSON *cli)
{
	cJSON *out = file ? cJSON_Duplicate(file, 1) : cJSON_CreateObject();
	const cJSON *it;

	if (!out)
		die(EXIT_IO, "out of memory");
	cJSON_ArrayForEach(it, cli) {
		cJSON *dup = cJSON_Duplicate(it, 1);
		if (!dup)
			die(EXIT_IO, "out of memory");
		json_set(out, it->string, dup);
	}
	return out;
}
