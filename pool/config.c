/* config.c - novod.ini ([server], [lkm]) and the public config API. */
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "config_fn.h"
#include "config_value.h"

/* Limits of the keys of [server] (documented in docs/config.md). */
#define BUSY_POLL_MAX_US 10000

static const char *set_listen(void *base, const char *v, bool cont)
{
	return val_listen(v, base);
}

static const char *set_allow(void *base, const char *v, bool cont)
{
	struct server_config *srv = base;

	return val_allow(v, &srv->allow, &srv->n_allow);
}

static const char *set_lkm(void *base, const char *v, bool cont)
{
	static const char *const modes[] = { "auto", "require", "off" };
	struct server_config *srv = base;
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(v, modes[i])) {
			srv->lkm_mode = (enum lkm_mode)i;
			return NULL;
		}
	}
	return "expected auto, require or off";
}

#define SRV(f) offsetof(struct server_config, f)
static const struct key_def server_keys[] = {
	{ "listen", KT_CUSTOM, 0, 0, 0, 0, set_listen, false },
	{ "allow", KT_CUSTOM, 0, 0, 0, 0, set_allow, true },
	{ "functions", KT_STR, SRV(functions_file), 0, 0, 0, NULL, false },
	{ "functions_dir", KT_STR, SRV(functions_dir), 0, 0, 0, NULL, false },
	{ "status_path", KT_STR, SRV(status_path), 0, 0, 0, NULL, false },
	{ "user", KT_STR, SRV(user), 0, 0, 0, NULL, false },
	{ "sandbox", KT_BOOL, SRV(sandbox), 0, 0, 0, NULL, false },
	{ "busy_poll_us", KT_UINT, SRV(busy_poll_us), 0, BUSY_POLL_MAX_US, 0,
	  NULL, false },
	{ "listen_owner", KT_STR, SRV(listen_owner), 0, 0, 0, NULL, false },
	{ "listen_group", KT_STR, SRV(listen_group), 0, 0, 0, NULL, false },
	{ "listen_mode", KT_OCTAL, SRV(listen_mode), 0, 0777, 0, NULL, false },
	{ "log", KT_STR, SRV(log), 0, 0, 0, NULL, false },
};
static const struct key_def lkm_keys[] = {
	{ "mode", KT_CUSTOM, 0, 0, 0, 0, set_lkm, false },
};

enum { SEC_SERVER, SEC_LKM, N_SEC };
static const char *const section_names[N_SEC] = { "server", "lkm" };
static const struct key_table tables[N_SEC] = {
	{ server_keys, sizeof(server_keys) / sizeof(server_keys[0]) },
	{ lkm_keys, 1 },
};

struct srv_load {
	struct ini_run ini;
	struct server_config *srv;
	int sec; /* SEC_*, or -1 outside a known section */
	bool unknown; /* inside an unknown or broken section */
	int sec_line[N_SEC];
	struct key_seen seen[N_SEC];
};

static void server_defaults(struct server_config *srv)
{
	val_listen("unix:/run/novo/novod.sock", srv);
	srv->functions_file = xstrdup("functions.ini");
	srv->functions_dir = xstrdup("../functions");
	srv->status_path = xstrdup("/novo-status");
	srv->user = xstrdup("nobody");
	srv->sandbox = true;
	srv->busy_poll_us = 1000;
	srv->listen_mode = 0660;
	srv->lkm_mode = LKM_AUTO;
}

static void on_section(struct ini_run *r, const char *name, size_t len)
{
	struct srv_load *l = r->user;
	int i;

	l->sec = -1;
	l->unknown = true;
	for (i = 0; name && i < N_SEC; i++) {
		if (strlen(section_names[i]) != len ||
		    memcmp(name, section_names[i], len))
			continue;
		l->unknown = false;
		if (l->sec_line[i]) {
			/* its keys are ignored, not reported one by one */
			l->unknown = true;
			ini_error(r, r->line,
				  "duplicate section [%s] (first "
				  "at line %d)",
				  section_names[i], l->sec_line[i]);
			return;
		}
		l->sec_line[i] = r->line;
		l->sec = i;
		return;
	}
	if (name)
		ini_error(r, r->line,
			  "unknown section [%.*s] (expected "
			  "[server] or [lkm])",
			  (int)(len > 80 ? 80 : len), name);
}

static void on_key(struct ini_run *r, const char *key, const char *value,
		   bool cont)
{
	struct srv_load *l = r->user;

	if (l->sec < 0) {
		if (!l->unknown && !cont)
			ini_error(r, r->line, "\"%s\" outside a section", key);
		return;
	}
	key_apply(r, &tables[l->sec], &l->seen[l->sec], l->srv, key, value,
		  cont);
}

/* The line of a [server] key, or of [server], or 1. */
static int srv_line(struct srv_load *l, const char *key)
{
	int fallback = l->sec_line[SEC_SERVER] ? l->sec_line[SEC_SERVER] : 1;

	return key_line(&tables[SEC_SERVER], &l->seen[SEC_SERVER], key,
			fallback);
}

static void check_allow(struct srv_load *l)
{
	struct server_config *srv = l->srv;

	if (srv->listen_unix)
		return;
	if (!key_line(&tables[SEC_SERVER], &l->seen[SEC_SERVER], "allow", 0))
		val_allow("127.0.0.1 ::1", &srv->allow, &srv->n_allow);
	else if (!srv->n_allow)
		ini_error(&l->ini, srv_line(l, "allow"),
			  "allow is empty: no "
			  "TCP peer could connect");
}

static void check_dir(struct srv_load *l, const char *key, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		ini_error(&l->ini, srv_line(l, key), "%s \"%s\": %s", key, dir,
			  strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		ini_error(&l->ini, srv_line(l, key),
			  "%s \"%s\" is not a "
			  "folder",
			  key, dir);
}

static void resolve_socket(struct srv_load *l, const char *base)
{
	struct server_config *srv = l->srv;
	char *p = path_join(base, srv->listen_path), *listen;
	const char *err;

	listen = xasprintf("unix:%s", p);
	err = val_listen(listen, srv);
	if (err)
		ini_error(&l->ini, srv_line(l, "listen"), "listen \"%s\": %s",
			  listen, err);
	free(listen);
	free(p);
}

/* Paths relative to the folder of novod.ini become absolute. */
static void resolve_paths(struct srv_load *l, const char *base)
{
	struct server_config *srv = l->srv;
	char *p;

	if (srv->listen_unix && srv->listen_path && srv->listen_path[0] != '/')
		resolve_socket(l, base);
	p = srv->functions_file;
	srv->functions_file = path_join(base, p);
	free(p);
	p = srv->functions_dir;
	srv->functions_dir = path_join(base, p);
	free(p);
	check_dir(l, "functions_dir", srv->functions_dir);
	if (srv->log && !*srv->log) {
		free(srv->log);
		srv->log = NULL;
	}
	if (srv->log) {
		p = srv->log;
		srv->log = path_join(base, p);
		free(p);
		p = path_dirname(srv->log);
		check_dir(l, "log", p);
		free(p);
	}
}

static void check_names(struct srv_load *l)
{
	struct server_config *srv = l->srv;

	if (!getpwnam(srv->user))
		ini_error(&l->ini, srv_line(l, "user"), "unknown user \"%s\"",
			  srv->user);
	if (srv->listen_owner && *srv->listen_owner &&
	    !getpwnam(srv->listen_owner))
		ini_error(&l->ini, srv_line(l, "listen_owner"),
			  "unknown user "
			  "\"%s\"",
			  srv->listen_owner);
	if (srv->listen_group && *srv->listen_group &&
	    !getgrnam(srv->listen_group))
		ini_error(&l->ini, srv_line(l, "listen_group"),
			  "unknown group "
			  "\"%s\"",
			  srv->listen_group);
}

static void check_status_path(struct srv_load *l)
{
	const char *p = l->srv->status_path;
	int line = srv_line(l, "status_path");

	if (p[0] != '/' || p[strcspn(p, " \t?#")] || strlen(p) > 255)
		ini_error(&l->ini, line,
			  "status_path \"%s\": expected a "
			  "URI path such as /novo-status",
			  p);
	else if (!strncmp(p, "/fn/", 4) || !strcmp(p, "/fn"))
		ini_error(&l->ini, line,
			  "status_path \"%s\" is inside /fn/, "
			  "where functions are served",
			  p);
}

/* Parses novod.ini into cfg->server; returns the number of errors. */
static int load_server(const char *file, struct server_config *srv, FILE *errs)
{
	struct srv_load l = { .ini = { .file = file, .errs = errs } };
	char *base;

	l.ini.user = &l;
	l.ini.on_section = on_section;
	l.ini.on_key = on_key;
	l.srv = srv;
	l.sec = -1;
	server_defaults(srv);
	if (ini_run_file(&l.ini, file) < 0) {
		fprintf(errs, "%s: cannot open: %s\n", file, strerror(errno));
		return 1;
	}
	base = path_dirname(file);
	resolve_paths(&l, base);
	free(base);
	check_allow(&l);
	check_names(&l);
	check_status_path(&l);
	srv->functions_line = srv_line(&l, "functions");
	return l.ini.errors;
}

int config_load_server(const char *novod_ini, struct server_config *srv,
		       FILE *errs)
{
	int errors;

	memset(srv, 0, sizeof(*srv));
	srv->file = realpath(novod_ini, NULL);
	if (!srv->file) {
		fprintf(errs, "%s: cannot open: %s\n", novod_ini,
			strerror(errno));
		return 1;
	}
	errors = load_server(srv->file, srv, errs);
	if (errors)
		config_free_server(srv);
	return errors;
}

int config_load(const char *novod_ini, struct novo_config *cfg, FILE *errs)
{
	int errors;

	memset(cfg, 0, sizeof(*cfg));
	errors = config_load_server(novod_ini, &cfg->server, errs);
	if (!errors)
		errors = config_load_functions(&cfg->server, &cfg->fns,
					       &cfg->n_fns, errs);
	if (errors)
		config_free(cfg);
	return errors;
}

int config_load_functions(const struct server_config *srv,
			  struct fn_config **fns, size_t *n_fns, FILE *errs)
{
	int errors;

	*fns = NULL;
	*n_fns = 0;
	errors = fn_parse(srv->functions_file, NULL, srv->functions_dir, fns,
			  n_fns, errs);
	if (errors < 0) {
		fprintf(errs, "%s:%d: cannot open functions file \"%s\": %s\n",
			srv->file, srv->functions_line, srv->functions_file,
			strerror(errno));
		return 1;
	}
	return errors;
}

void config_free_functions(struct fn_config *fns, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fn_clear(&fns[i]);
	free(fns);
}

void config_fn_clear(struct fn_config *fn)
{
	fn_clear(fn);
}

void config_free_server(struct server_config *s)
{
	free(s->file);
	free(s->listen);
	free(s->listen_path);
	free(s->listen_host);
	free(s->allow);
	free(s->functions_file);
	free(s->functions_dir);
	free(s->status_path);
	free(s->user);
	free(s->listen_owner);
	free(s->listen_group);
	free(s->log);
	memset(s, 0, sizeof(*s));
}

void config_free(struct novo_config *cfg)
{
	config_free_server(&cfg->server);
	config_free_functions(cfg->fns, cfg->n_fns);
	memset(cfg, 0, sizeof(*cfg));
}

bool config_valid_name(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > NOVO_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

const struct fn_config *config_find(const struct fn_config *fns, size_t n,
				    const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(fns[i].name) == len &&
		    !memcmp(fns[i].name, name, len))
			return &fns[i];
	return NULL;
}

bool config_allowed(const struct server_config *srv,
		    const struct sockaddr *addr)
{
	const struct sockaddr_in6 *in6 = (const void *)addr;
	const unsigned char *a;
	int family = addr->sa_family;
	size_t i;

	if (family == AF_UNIX)
		return true;
	if (family == AF_INET) {
		a = (const void *)&(
			    (const struct sockaddr_in *)(const void *)addr)
			    ->sin_addr;
	} else if (family == AF_INET6 &&
		   IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		family = AF_INET; /* a v4 peer on a dual-stack socket */
		a = in6->sin6_addr.s6_addr + 12;
	} else if (family == AF_INET6) {
		a = in6->sin6_addr.s6_addr;
	} else {
		return false;
	}
	for (i = 0; i < srv->n_allow; i++)
		if (allow_match(&srv->allow[i], family, a))
			return true;
	return false;
}
