/* config_value.h - one value of a key: numbers, sizes, bools, addresses. */
#ifndef NOVO_CONFIG_VALUE_H
#define NOVO_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * Each parser returns NULL on success, or a short reason ("not a whole
 * number") that the caller puts after the key and the value.
 */
const char *val_uint(const char *s, unsigned min, unsigned max, unsigned *out);
/* A size: plain number in the key's unit (1 << shift bytes), or with a
 * suffix k kb m mb g gb (binary, case-insensitive). */
const char *val_size(const char *s, unsigned shift, unsigned min, unsigned max,
		     unsigned *out);
const char *val_bool(const char *s, bool *out);
const char *val_octal(const char *s, unsigned max, unsigned *out);
const char *val_listen(const char *s, struct server_config *srv);
/* Appends the space-separated addresses and CIDRs of s. */
const char *val_allow(const char *s, struct allow_rule **v, size_t *n);
const char *val_env_pair(const char *s);

bool allow_match(const struct allow_rule *r, int family,
		 const unsigned char *addr);

/* Appends each space-separated word of s to l. */
void strlist_split(struct strlist *l, const char *s);
void strlist_push(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);
bool strlist_equal(const struct strlist *a, const struct strlist *b);

/* a ", " b, or b alone when a is NULL; frees a. */
char *str_append(char *a, const char *sep, const char *b);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);

/*
 * base/rel (rel when absolute), normalized: realpath when it exists,
 * else "." and ".." removed by hand. Never NULL.
 */
char *path_join(const char *base, const char *rel);
char *path_dirname(const char *path);

#endif
