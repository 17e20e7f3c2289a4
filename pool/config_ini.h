/* config_ini.h - inih driven line by line, so that every message has a line. */
#ifndef NOVO_CONFIG_INI_H
#define NOVO_CONFIG_INI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Debian's libinih is built without INI_HANDLER_LINENO and without
 * section callbacks, with 200-byte lines: our own reader feeds it one
 * line at a time, so it knows the line of each key, sees every section
 * header (an empty [name] is a valid function) and rejects long lines
 * instead of letting inih split them.
 */
#define INI_LINE_MAX 198 /* characters of one line, newline excluded */

struct ini_run;

/* name is NULL for a malformed header: ignore the keys that follow. */
typedef void (*ini_section_fn)(struct ini_run *r, const char *name, size_t len);
/* cont: the line is an indented continuation of the previous key. */
typedef void (*ini_key_fn)(struct ini_run *r, const char *key,
			   const char *value, bool cont);

struct ini_run {
	const char *file; /* as printed in messages */
	FILE *errs;
	int errors;
	int line; /* line being parsed, 1-based */
	void *user;
	ini_section_fn on_section;
	ini_key_fn on_key;
	/* reader state */
	FILE *fp;
	const char *str;
	char *buf;
	size_t cap;
	bool cont;
	bool have_key;
};

void ini_error(struct ini_run *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Returns 0, or -1 with errno when the file cannot be opened. */
int ini_run_file(struct ini_run *r, const char *path);
void ini_run_string(struct ini_run *r, const char *text);

#endif
