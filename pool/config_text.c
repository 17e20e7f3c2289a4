/* config_text.c - a function as text, for its spawner; and comparison. */
#include <stdlib.h>
#include <string.h>

#include "config_fn.h"
#include "config_value.h"

/* "key = w1 w2 ..." over indented lines, each at most INI_LINE_MAX. */
static void put_words(FILE *f, const char *key, char *const *w, size_t n)
{
	size_t col, i;

	col = (size_t)fprintf(f, "%s =", key);
	for (i = 0; i < n; i++) {
		if (col + 1 + strlen(w[i]) > INI_LINE_MAX) {
			fputs("\n ", f);
			col = 1;
		}
		col += (size_t)fprintf(f, " %s", w[i]);
	}
	fputc('\n', f);
}

static void put_list(FILE *f, const char *key, const struct strlist *l)
{
	if (l->n)
		put_words(f, key, l->v, l->n);
}

static void put_syscalls(FILE *f, const struct fn_config *fn)
{
	struct strlist words = { 0 };
	size_t i;

	strlist_split(&words, fn->syscalls ? fn->syscalls : "");
	put_list(f, "syscalls", &words);
	strlist_free(&words);
	for (i = 0; i < fn->n_syscalls; i++) {
		char nr[16];

		snprintf(nr, sizeof(nr), "%d", fn->syscall_nr[i]);
		strlist_push(&words, nr);
	}
	put_list(f, "syscall_nr", &words);
	strlist_free(&words);
}

char *config_fn_to_text(const struct fn_config *fn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "[%s]\npath = %s\ndir = %s\n", fn->name, fn->path, fn->dir);
	put_syscalls(f, fn);
	fprintf(f,
		"warm = %u\nmax_concurrency = %u\nqueue = %u\n"
		"timeout_ms = %u\ncpu_ms = %u\nmemory_mb = %u\n"
		"max_body_kb = %u\nmax_output_kb = %u\nnetwork = %s\n"
		"cpu_affinity = %s\n",
		fn->warm, fn->max_concurrency, fn->queue, fn->timeout_ms,
		fn->cpu_ms, fn->memory_mb, fn->max_body_kb, fn->max_output_kb,
		fn->network ? "yes" : "no", fn->cpu_affinity ? "on" : "off");
	put_list(f, "read", &fn->read);
	put_list(f, "write", &fn->write);
	put_list(f, "env", &fn->env);
	fprintf(f,
		"bin_dev = %llu\nbin_ino = %llu\nbin_mtime_ns = %lld\n"
		"bin_size = %lld\n",
		(unsigned long long)fn->bin_dev,
		(unsigned long long)fn->bin_ino, fn->bin_mtime_ns,
		(long long)fn->bin_size);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int config_fn_from_text(const char *text, struct fn_config *fn, FILE *errs)
{
	struct fn_config *fns = NULL;
	size_t n = 0;
	int errors = fn_parse("<function text>", text, NULL, &fns, &n, errs);

	if (errors)
		return errors;
	*fn = fns[0];
	free(fns);
	return 0;
}

static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool limits_equal(const struct fn_config *a, const struct fn_config *b)
{
	return a->warm == b->warm && a->max_concurrency == b->max_concurrency &&
	       a->queue == b->queue && a->timeout_ms == b->timeout_ms &&
	       a->cpu_ms == b->cpu_ms && a->memory_mb == b->memory_mb &&
	       a->max_body_kb == b->max_body_kb &&
	       a->max_output_kb == b->max_output_kb &&
	       a->network == b->network && a->cpu_affinity == b->cpu_affinity;
}

static bool binary_equal(const struct fn_config *a, const struct fn_config *b)
{
	return str_equal(a->path, b->path) && str_equal(a->dir, b->dir) &&
	       a->bin_dev == b->bin_dev && a->bin_ino == b->bin_ino &&
	       a->bin_mtime_ns == b->bin_mtime_ns && a->bin_size == b->bin_size;
}

static bool sandbox_equal(const struct fn_config *a, const struct fn_config *b)
{
	return str_equal(a->syscalls, b->syscalls) &&
	       a->n_syscalls == b->n_syscalls &&
	       (!a->n_syscalls || !memcmp(a->syscall_nr, b->syscall_nr,
					  a->n_syscalls * sizeof(int))) &&
	       strlist_equal(&a->read, &b->read) &&
	       strlist_equal(&a->write, &b->write) &&
	       strlist_equal(&a->env, &b->env);
}

bool config_fn_equal(const struct fn_config *a, const struct fn_config *b)
{
	return !strcmp(a->name, b->name) && binary_equal(a, b) &&
	       limits_equal(a, b) && sandbox_equal(a, b);
}
