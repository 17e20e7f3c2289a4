/* config_fn.c - the sections of functions.ini: keys, defaults, checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_fn.h"
#include "config_value.h"
#include "syscalls.h"

static const char *set_env(void *base, const char *v, bool cont);
static const char *set_nr(void *base, const char *v, bool cont);
static const char *set_dev(void *base, const char *v, bool cont);
static const char *set_ino(void *base, const char *v, bool cont);
static const char *set_mtime(void *base, const char *v, bool cont);
static const char *set_size(void *base, const char *v, bool cont);

#define FN(f) offsetof(struct fn_config, f)
static const struct key_def keys[] = {
	{ "path", KT_STR, FN(path), 0, 0, 0, NULL, false },
	{ "syscalls", KT_WORDS, FN(syscalls), 0, 0, 0, NULL, false },
	{ "warm", KT_UINT, FN(warm), 0, FN_WARM_MAX, 0, NULL, false },
	{ "max_concurrency", KT_UINT, FN(max_concurrency), 1,
	  FN_CONCURRENCY_MAX, 0, NULL, false },
	{ "queue", KT_UINT, FN(queue), 0, FN_QUEUE_MAX, 0, NULL, false },
	{ "timeout_ms", KT_UINT, FN(timeout_ms), 1, FN_TIME_MAX_MS, 0, NULL,
	  false },
	{ "cpu_ms", KT_UINT, FN(cpu_ms), 1, FN_TIME_MAX_MS, 0, NULL, false },
	{ "memory_mb", KT_SIZE, FN(memory_mb), FN_MEMORY_MIN_MB,
	  FN_MEMORY_MAX_MB, 20, NULL, false },
	{ "max_body_kb", KT_SIZE, FN(max_body_kb), 0, FN_BODY_MAX_KB, 10, NULL,
	  false },
	{ "max_output_kb", KT_SIZE, FN(max_output_kb), 1, FN_OUTPUT_MAX_KB, 10,
	  NULL, false },
	{ "network", KT_BOOL, FN(network), 0, 0, 0, NULL, false },
	{ "cpu_affinity", KT_BOOL, FN(cpu_affinity), 0, 0, 0, NULL, false },
	{ "read", KT_LIST, FN(read), 0, 0, 0, NULL, false },
	{ "write", KT_LIST, FN(write), 0, 0, 0, NULL, false },
	{ "env", KT_CUSTOM, FN(env), 0, 0, 0, set_env, true },
	/* the text form only: what config_load found */
	{ "dir", KT_STR, FN(dir), 0, 0, 0, NULL, false },
	{ "syscall_nr", KT_CUSTOM, 0, 0, 0, 0, set_nr, true },
	{ "bin_dev", KT_CUSTOM, 0, 0, 0, 0, set_dev, false },
	{ "bin_ino", KT_CUSTOM, 0, 0, 0, 0, set_ino, false },
	{ "bin_mtime_ns", KT_CUSTOM, 0, 0, 0, 0, set_mtime, false },
	{ "bin_size", KT_CUSTOM, 0, 0, 0, 0, set_size, false },
};
#define N_INI_KEYS 15

const struct key_table fn_keys_ini = { keys, N_INI_KEYS };
const struct key_table fn_keys_text = { keys, sizeof(keys) / sizeof(keys[0]) };

static const char *set_env(void *base, const char *v, bool cont)
{
	struct fn_config *fn = base;
	struct strlist words = { 0 };
	const char *err = NULL;
	size_t i;

	strlist_split(&words, v);
	for (i = 0; i < words.n && !err; i++)
		err = val_env_pair(words.v[i]);
	for (i = 0; i < words.n && !err; i++)
		strlist_push(&fn->env, words.v[i]);
	strlist_free(&words);
	return err;
}

/* A whole number of at most 63 bits, for the text-only keys. */
static const char *text_ll(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	if (!*v || *end || errno || *out < 0)
		return "not a whole number";
	return NULL;
}

static const char *set_nr(void *base, const char *v, bool cont)
{
	struct fn_config *fn = base;
	struct strlist words = { 0 };
	const char *err = NULL;
	long long nr;
	size_t i;

	strlist_split(&words, v);
	for (i = 0; i < words.n && !err; i++) {
		err = text_ll(words.v[i], &nr);
		if (!err && nr > 4095)
			err = "not a syscall number";
		if (err)
			break;
		fn->syscall_nr = xreallocarray(fn->syscall_nr,
					       fn->n_syscalls + 1, sizeof(int));
		fn->syscall_nr[fn->n_syscalls++] = (int)nr;
	}
	strlist_free(&words);
	return err;
}

#define TEXT_SETTER(fname, field, type)                                \
	static const char *fname(void *base, const char *v, bool cont) \
	{                                                              \
		long long x;                                           \
		const char *err = text_ll(v, &x);                      \
		if (!err)                                              \
			((struct fn_config *)base)->field = (type)x;   \
		return err;                                            \
	}
TEXT_SETTER(set_dev, bin_dev, dev_t)
TEXT_SETTER(set_ino, bin_ino, ino_t)
TEXT_SETTER(set_mtime, bin_mtime_ns, long long)
TEXT_SETTER(set_size, bin_size, off_t)

void fn_defaults(struct fn_config *fn)
{
	memset(fn, 0, sizeof(*fn));
	fn->warm = 2;
	fn->max_concurrency = 32;
	fn->queue = 128;
	fn->timeout_ms = 10000;
	fn->cpu_ms = 5000;
	fn->memory_mb = 128;
	fn->max_body_kb = 1024;
	fn->max_output_kb = 10240;
	fn->cpu_affinity = true;
}

void fn_clear(struct fn_config *fn)
{
	free(fn->path);
	free(fn->dir);
	free(fn->syscalls);
	free(fn->syscall_nr);
	strlist_free(&fn->read);
	strlist_free(&fn->write);
	strlist_free(&fn->env);
	memset(fn, 0, sizeof(*fn));
}

/* One functions.ini (or text form) being parsed. */
struct fn_load {
	struct ini_run ini;
	const struct key_table *keys;
	bool text;
	const char *fdir;
	struct fn_config *fns;
	size_t n;
	struct fn_config cur;
	struct key_seen seen;
	bool in_section, keep;
};

static int line_of(struct fn_load *l, const char *key)
{
	return key_line(l->keys, &l->seen, key, l->cur.line);
}

/* The text form names paths that must not change when read back. */
static void check_text_safe(struct fn_load *l, const char *key,
			    const char *path, bool list)
{
	size_t len = strlen(path);

	if (len > FN_PATH_MAX)
		ini_error(&l->ini, line_of(l, key),
			  "%s: \"%s\" is longer "
			  "than %d characters once resolved",
			  key, path, FN_PATH_MAX);
	else if (list && path[strcspn(path, " \t")])
		ini_error(&l->ini, line_of(l, key),
			  "%s: \"%s\" contains "
			  "white space once resolved",
			  key, path);
	else if (strstr(path, " ;") || strstr(path, "\t;") ||
		 (len && strchr(" \t", path[len - 1])))
		ini_error(&l->ini, line_of(l, key),
			  "%s: \"%s\" cannot be "
			  "written in an ini value",
			  key, path);
}

static void check_binary(struct fn_load *l)
{
	struct fn_config *fn = &l->cur;
	int line = line_of(l, "path");
	struct stat st;

	if (stat(fn->path, &st) < 0) {
		ini_error(&l->ini, line,
			  "executable \"%s\" of function \"%s\""
			  ": %s",
			  fn->path, fn->name, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) ||
	    access(fn->path, X_OK) < 0) {
		ini_error(&l->ini, line,
			  "\"%s\" of function \"%s\" is not an "
			  "executable file",
			  fn->path, fn->name);
		return;
	}
	fn->bin_dev = st.st_dev;
	fn->bin_ino = st.st_ino;
	fn->bin_mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL +
			   st.st_mtim.tv_nsec;
	fn->bin_size = st.st_size;
}

static void resolve_path(struct fn_load *l)
{
	struct fn_config *fn = &l->cur;
	char *rel = fn->path;

	if (!rel)
		rel = xasprintf("%s/%s", fn->name, fn->name);
	fn->path = path_join(l->fdir, rel);
	free(rel);
	fn->dir = path_dirname(fn->path);
	check_text_safe(l, "path", fn->path, false);
	check_binary(l);
}

static void resolve_list(struct fn_load *l, const char *key,
			 struct strlist *list)
{
	struct stat st;
	size_t i;

	for (i = 0; i < list->n; i++) {
		char *abs = path_join(l->fdir, list->v[i]);

		free(list->v[i]);
		list->v[i] = abs;
		if (stat(abs, &st) < 0)
			ini_error(&l->ini, line_of(l, key), "%s: \"%s\": %s",
				  key, abs, strerror(errno));
		else
			check_text_safe(l, key, abs, true);
	}
}

static void resolve_syscalls(struct fn_load *l)
{
	struct fn_config *fn = &l->cur;
	char err[256];

	if (!fn->syscalls)
		fn->syscalls = xstrdup("@cgi");
	if (syscalls_resolve(fn->syscalls, &fn->syscall_nr, &fn->n_syscalls,
			     err, sizeof(err)) < 0)
		ini_error(&l->ini, line_of(l, "syscalls"), "syscalls: %s", err);
}

/* Ends the current section: checks it, then keeps it or drops it. */
static void finish_section(struct fn_load *l)
{
	struct fn_config *fn = &l->cur;
	int before = l->ini.errors;

	if (!l->in_section)
		return;
	l->in_section = false;
	if (l->keep && !l->text) {
		resolve_path(l);
		resolve_list(l, "read", &fn->read);
		resolve_list(l, "write", &fn->write);
		resolve_syscalls(l);
	}
	if (!l->keep || l->ini.errors != before) {
		fn_clear(fn);
		return;
	}
	l->fns = xreallocarray(l->fns, l->n + 1, sizeof(*l->fns));
	l->fns[l->n++] = *fn;
	memset(fn, 0, sizeof(*fn));
}

static const struct fn_config *find_name(struct fn_load *l, const char *name,
					 size_t len)
{
	return config_find(l->fns, l->n, name, len);
}

static void on_section(struct ini_run *r, const char *name, size_t len)
{
	struct fn_load *l = r->user;
	const struct fn_config *dup;

	finish_section(l);
	fn_defaults(&l->cur);
	memset(&l->seen, 0, sizeof(l->seen));
	l->cur.line = r->line;
	l->in_section = true;
	l->keep = false;
	if (!name)
		return;
	if (!config_valid_name(name, len)) {
		ini_error(r, r->line,
			  "bad function name \"%.*s\": expected "
			  "1 to %d of A-Z a-z 0-9 _ -",
			  (int)(len > 80 ? 80 : len), name, NOVO_NAME_MAX);
		return;
	}
	dup = find_name(l, name, len);
	if (dup) {
		ini_error(r, r->line,
			  "duplicate function \"%.*s\" (first at "
			  "line %d)",
			  (int)len, name, dup->line);
		return;
	}
	memcpy(l->cur.name, name, len);
	l->keep = true;
}

static void on_key(struct ini_run *r, const char *key, const char *value,
		   bool cont)
{
	struct fn_load *l = r->user;

	if (!l->in_section) {
		if (!cont)
			ini_error(r, r->line,
				  "\"%s\" outside a [function] "
				  "section",
				  key);
		return;
	}
	key_apply(r, l->keys, &l->seen, &l->cur, key, value, cont);
}

static int parse_text(struct fn_load *l, const char *text)
{
	ini_run_string(&l->ini, text);
	finish_section(l);
	if (!l->ini.errors && l->n != 1)
		ini_error(&l->ini, l->ini.line,
			  "expected one function, "
			  "found %zu",
			  l->n);
	return l->ini.errors;
}

int fn_parse(const char *file, const char *text, const char *functions_dir,
	     struct fn_config **fns, size_t *n, FILE *errs)
{
	struct fn_load l = { .ini = { .file = file, .errs = errs } };

	l.ini.user = &l;
	l.ini.on_section = on_section;
	l.ini.on_key = on_key;
	l.text = text != NULL;
	l.keys = l.text ? &fn_keys_text : &fn_keys_ini;
	l.fdir = functions_dir;
	if (l.text)
		parse_text(&l, text);
	else if (ini_run_file(&l.ini, file) < 0)
		return -1;
	else
		finish_section(&l);
	if (l.ini.errors) {
		config_free_functions(l.fns, l.n);
		return l.ini.errors;
	}
	*fns = l.fns;
	*n = l.n;
	return 0;
}
