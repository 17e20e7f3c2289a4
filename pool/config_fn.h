/* config_fn.h - functions.ini sections, and their text form. */
#ifndef NOVO_CONFIG_FN_H
#define NOVO_CONFIG_FN_H

#include "config.h"
#include "config_key.h"

/* Limits of the keys of a function (documented in docs/config.md). */
#define FN_WARM_MAX 256
#define FN_CONCURRENCY_MAX 4096
#define FN_QUEUE_MAX 65536
#define FN_TIME_MAX_MS 3600000u
#define FN_MEMORY_MIN_MB 4
#define FN_MEMORY_MAX_MB 1048576u
#define FN_BODY_MAX_KB 1048576u
#define FN_OUTPUT_MAX_KB 4194304u
/* A resolved path must fit one line of the text form. */
#define FN_PATH_MAX (INI_LINE_MAX - 16)

/* Keys of functions.ini; the text form adds the resolved ones. */
extern const struct key_table fn_keys_ini, fn_keys_text;

/*
 * Parses functions.ini (text == NULL: read file) or the text form
 * (text != NULL: no filesystem checks; label names it in messages).
 * Returns the number of errors; *fns is set only when 0.
 */
int fn_parse(const char *file, const char *text, const char *functions_dir,
	     struct fn_config **fns, size_t *n, FILE *errs);

void fn_defaults(struct fn_config *fn);
void fn_clear(struct fn_config *fn);

#endif
