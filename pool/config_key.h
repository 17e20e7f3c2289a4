/* config_key.h - table-driven keys of a section: type, place, limits. */
#ifndef NOVO_CONFIG_KEY_H
#define NOVO_CONFIG_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "config_ini.h"

enum key_type {
	KT_UINT, /* unsigned, min..max */
	KT_SIZE, /* unsigned in units of 1 << shift bytes, with suffixes */
	KT_BOOL, /* bool */
	KT_STR, /* char *, one value */
	KT_WORDS, /* char *, words of continuation lines joined by a space */
	KT_LIST, /* struct strlist, each word an item */
	KT_OCTAL, /* unsigned, octal, up to max */
	KT_CUSTOM, /* set() */
};

#define KEY_MAX 32 /* keys of one table */

struct key_def {
	const char *name;
	enum key_type type;
	size_t off;
	unsigned min, max, shift;
	/* KT_CUSTOM: NULL or a reason; cont tells a continuation line */
	const char *(*set)(void *base, const char *value, bool cont);
	bool multi; /* KT_CUSTOM: takes continuation lines */
};

struct key_table {
	const struct key_def *v;
	size_t n;
};

/* Where each key of one section was set (0: not set). */
struct key_seen {
	int line[KEY_MAX];
	bool skip_cont; /* the key above was refused: so are its lines */
};

int key_index(const struct key_table *t, const char *name);

/*
 * Applies "name = value" to base: unknown key, duplicate key, a
 * continuation of a one-value key or a bad value is reported at the
 * current line of r.
 */
void key_apply(struct ini_run *r, const struct key_table *t,
	       struct key_seen *seen, void *base, const char *name,
	       const char *value, bool cont);

/* The line a key was set on, or fallback when left at its default. */
int key_line(const struct key_table *t, const struct key_seen *seen,
	     const char *name, int fallback);

#endif
