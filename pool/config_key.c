/* config_key.c - applying "key = value" through a table of key_def. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_key.h"
#include "config_value.h"

int key_index(const struct key_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return (int)i;
	return -1;
}

static bool takes_lines(const struct key_def *k)
{
	return k->type == KT_WORDS || k->type == KT_LIST ||
	       (k->type == KT_CUSTOM && k->multi);
}

/* s, then each word of v after a single space. */
static char *append_words(char *s, const char *v)
{
	struct strlist w = { 0 };
	size_t i;

	strlist_split(&w, v);
	for (i = 0; i < w.n; i++)
		s = str_append(s, " ", w.v[i]);
	strlist_free(&w);
	return s;
}

static const char *set_value(const struct key_def *k, void *base, const char *v,
			     bool cont)
{
	char *field = (char *)base + k->off;

	switch (k->type) {
	case KT_UINT:
		return val_uint(v, k->min, k->max, (unsigned *)field);
	case KT_SIZE:
		return val_size(v, k->shift, k->min, k->max, (unsigned *)field);
	case KT_BOOL:
		return val_bool(v, (bool *)field);
	case KT_OCTAL:
		return val_octal(v, k->max, (unsigned *)field);
	case KT_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return NULL;
	case KT_WORDS:
		if (!cont) {
			free(*(char **)field);
			*(char **)field = NULL;
		}
		*(char **)field = append_words(*(char **)field, v);
		return NULL;
	case KT_LIST:
		strlist_split((struct strlist *)field, v);
		return NULL;
	case KT_CUSTOM:
		return k->set(base, v, cont);
	}
	return "unknown key type";
}

void key_apply(struct ini_run *r, const struct key_table *t,
	       struct key_seen *seen, void *base, const char *name,
	       const char *value, bool cont)
{
	int i = key_index(t, name);
	const char *err;

	if (cont && seen->skip_cont)
		return;
	seen->skip_cont = !cont;
	if (i < 0) {
		ini_error(r, r->line, "unknown key \"%s\"", name);
		return;
	}
	if (cont && !takes_lines(&t->v[i])) {
		ini_error(r, r->line,
			  "\"%s\" takes one value (an indented "
			  "line continues the key above it)",
			  name);
		return;
	}
	if (!cont && seen->line[i]) {
		ini_error(r, r->line,
			  "duplicate key \"%s\" (first set at "
			  "line %d)",
			  name, seen->line[i]);
		return;
	}
	seen->skip_cont = false;
	if (!cont)
		seen->line[i] = r->line;
	err = set_value(&t->v[i], base, value, cont);
	if (err)
		ini_error(r, r->line, "bad value \"%s\" for \"%s\": %s", value,
			  name, err);
}

int key_line(const struct key_table *t, const struct key_seen *seen,
	     const char *name, int fallback)
{
	int i = key_index(t, name);

	return i >= 0 && seen->line[i] ? seen->line[i] : fallback;
}
