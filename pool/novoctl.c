/* novoctl.c - novod's command line: status, reload, check, learn. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fcgi_client.h"
#include "learn.h"

#define TIMEOUT_MS 5000
#define REPLY_MAX (4 << 20)
#define JSON_DEPTH 8

static const char *usage_text =
	"usage: novoctl [-c novod.ini] status [--json]\n"
	"       novoctl [-c novod.ini] reload\n"
	"       novoctl [-c novod.ini] check\n"
	"       novoctl [-c novod.ini] learn NAME ...\n"
	"default -c: conf/novod.ini when it exists here, else "
	"/etc/novo/novod.ini\n";

/* ---- the status JSON, read just enough for the table ---- */

static const char *const cols[] = { "requests", "2xx",	      "4xx",   "5xx",
				    "timeouts", "violations", "warm",  "busy",
				    "queued",	"p50_ms",     "p99_ms" };
#define N_COLS (sizeof(cols) / sizeof(cols[0]))
static const int width[N_COLS] = { 9, 8, 6, 6, 8, 10, 5, 5, 6, 8, 8 };

struct row {
	char name[NOVO_NAME_MAX + 1];
	double v[N_COLS];
};

struct status {
	long pid;
	char lkm[16];
	struct row *rows;
	size_t n;
};

struct json {
	const char *p;
};

static void ws(struct json *j)
{
	while (isspace((unsigned char)*j->p))
		j->p++;
}

static bool eat(struct json *j, char c)
{
	ws(j);
	if (*j->p != c)
		return false;
	j->p++;
	return true;
}

/* A string into out (escapes kept as the escaped character). */
static bool jstring(struct json *j, char *out, size_t n)
{
	size_t len = 0;

	if (!eat(j, '"'))
		return false;
	for (; *j->p && *j->p != '"'; j->p++) {
		if (*j->p == '\\' && j->p[1])
			j->p++;
		if (len + 1 < n)
			out[len++] = *j->p;
	}
	out[len] = '\0';
	return eat(j, '"');
}

static bool jnumber(struct json *j, double *v)
{
	char *end;

	ws(j);
	*v = strtod(j->p, &end);
	if (end == j->p)
		return false;
	j->p = end;
	return true;
}

static bool jskip(struct json *j, int depth);

/* Calls member() for each "key": of an object, positioned on its value. */
static bool jobject(struct json *j, int depth,
		    bool (*member)(struct json *, const char *, void *, int),
		    void *arg)
{
	char key[80];

	if (depth > JSON_DEPTH || !eat(j, '{'))
		return false;
	if (eat(j, '}'))
		return true;
	do {
		if (!jstring(j, key, sizeof(key)) || !eat(j, ':') ||
		    !member(j, key, arg, depth + 1))
			return false;
	} while (eat(j, ','));
	return eat(j, '}');
}

static bool skip_member(struct json *j, const char *key, void *arg, int depth)
{
	return jskip(j, depth);
}

static bool jskip(struct json *j, int depth)
{
	char s[2];
	double d;

	ws(j);
	if (*j->p == '{')
		return jobject(j, depth, skip_member, NULL);
	if (*j->p == '"')
		return jstring(j, s, sizeof(s));
	if (*j->p == '[') {
		j->p++;
		if (eat(j, ']'))
			return true;
		do {
			if (depth > JSON_DEPTH || !jskip(j, depth + 1))
				return false;
		} while (eat(j, ','));
		return eat(j, ']');
	}
	if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		return (j->p += 4, true);
	if (!strncmp(j->p, "false", 5))
		return (j->p += 5, true);
	return jnumber(j, &d);
}

/* A counter of a function, or its "responses" object. */
static bool fn_member(struct json *j, const char *key, void *arg, int depth)
{
	struct row *r = arg;
	size_t i;

	if (!strcmp(key, "responses"))
		return jobject(j, depth, fn_member, r);
	for (i = 0; i < N_COLS; i++)
		if (!strcmp(key, cols[i]))
			return jnumber(j, &r->v[i]);
	return jskip(j, depth);
}

static bool functions_member(struct json *j, const char *key, void *arg,
			     int depth)
{
	struct status *st = arg;
	struct row *r;

	st->rows = realloc(st->rows, (st->n + 1) * sizeof(*st->rows));
	if (!st->rows)
		return false;
	r = &st->rows[st->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", key);
	return jobject(j, depth, fn_member, r);
}

static bool top_member(struct json *j, const char *key, void *arg, int depth)
{
	struct status *st = arg;
	double d;

	if (!strcmp(key, "functions"))
		return jobject(j, depth, functions_member, st);
	if (!strcmp(key, "lkm"))
		return jstring(j, st->lkm, sizeof(st->lkm));
	if (!strcmp(key, "pid") && jnumber(j, &d))
		return (st->pid = (long)d, true);
	return jskip(j, depth);
}

static bool parse_status(const char *body, struct status *st)
{
	struct json j = { body };

	memset(st, 0, sizeof(*st));
	return jobject(&j, 0, top_member, st);
}

static void print_table(const struct status *st)
{
	size_t i, c;

	printf("novod pid %ld, lkm %s, %zu function%s\n", st->pid,
	       st->lkm[0] ? st->lkm : "?", st->n, st->n == 1 ? "" : "s");
	printf("%-20s", "function");
	for (c = 0; c < N_COLS; c++)
		printf(" %*s", width[c], cols[c]);
	for (i = 0; i < st->n; i++) {
		printf("\n%-20s", st->rows[i].name);
		for (c = 0; c < N_COLS; c++)
			printf(" %*.*f", width[c], c >= N_COLS - 2 ? 2 : 0,
			       st->rows[i].v[c]);
	}
	putchar('\n');
}

/* ---- talking to novod ---- */

/* The body of status_path, or NULL with the reason on stderr. */
static char *fetch_status(const struct server_config *srv)
{
	struct fcgi_reply r;
	char err[256], *body, *json = NULL;
	int fd = fcgi_connect(srv, TIMEOUT_MS, err, sizeof(err));

	if (fd < 0) {
		fprintf(stderr, "novoctl: %s (is novod running?)\n", err);
		return NULL;
	}
	if (fcgi_get(fd, srv->status_path, TIMEOUT_MS, REPLY_MAX, &r, err,
		     sizeof(err)) < 0) {
		fprintf(stderr, "novoctl: %s: %s\n", srv->listen, err);
		close(fd);
		return NULL;
	}
	close(fd);
	body = strstr(r.out, "\r\n\r\n");
	if (body && !strncasecmp(r.out, "Status:", 7) &&
	    strncmp(r.out + 7 + strspn(r.out + 7, " "), "200", 3))
		fprintf(stderr, "novoctl: novod answered %.*s\n",
			(int)strcspn(r.out, "\r\n"), r.out);
	else if (body)
		json = strdup(body + 4);
	else
		fprintf(stderr, "novoctl: malformed reply from novod\n");
	fcgi_reply_free(&r);
	return json;
}

static int load_server(const char *file, struct server_config *srv)
{
	if (config_load_server(file, srv, stderr) == 0)
		return 0;
	fprintf(stderr, "novoctl: %s has errors\n", file);
	return -1;
}

enum show { SHOW_TABLE, SHOW_JSON, SHOW_NOTHING };

static int show_status(const struct server_config *srv, enum show how,
		       struct status *out)
{
	struct status st;
	char *json = fetch_status(srv);
	bool ok;

	if (!json)
		return 1;
	if (how == SHOW_JSON)
		fputs(json, stdout);
	ok = parse_status(json, &st);
	free(json);
	if (!ok) {
		fprintf(stderr, "novoctl: cannot read novod's status JSON\n");
		free(st.rows);
		return 1;
	}
	if (how == SHOW_TABLE)
		print_table(&st);
	if (out)
		*out = st;
	else
		free(st.rows);
	return 0;
}

static int cmd_status(const char *file, int argc, char **argv)
{
	struct server_config srv;
	bool raw = argc > 1 && !strcmp(argv[1], "--json");
	int rc;

	if (argc > 2 || (argc == 2 && !raw)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (load_server(file, &srv) < 0)
		return 1;
	rc = show_status(&srv, raw ? SHOW_JSON : SHOW_TABLE, NULL);
	config_free_server(&srv);
	return rc;
}

static int cmd_check(const char *file)
{
	struct novo_config cfg;
	size_t n;

	if (config_load(file, &cfg, stderr)) {
		fprintf(stderr, "novoctl: %s: test failed\n", file);
		return 1;
	}
	n = cfg.n_fns;
	printf("novoctl: %s and %s are ok, %zu function%s\n", cfg.server.file,
	       cfg.server.functions_file, n, n == 1 ? "" : "s");
	config_free(&cfg);
	return 0;
}

/* Checks here first: novod would refuse a bad config and keep the old. */
static int cmd_reload(const char *file)
{
	struct novo_config cfg;
	struct status st;
	struct timespec wait = { 1, 100000000 }; /* SPEC: within a second */
	int rc;

	if (config_load(file, &cfg, stderr)) {
		fprintf(stderr,
			"novoctl: not reloading: fix the errors above "
			"(novod keeps serving the old configuration)\n");
		return 1;
	}
	rc = show_status(&cfg.server, SHOW_NOTHING, &st);
	if (!rc && (st.pid <= 1 || kill((pid_t)st.pid, SIGHUP) < 0)) {
		fprintf(stderr, "novoctl: SIGHUP to novod pid %ld: %s\n",
			st.pid, strerror(errno));
		rc = 1;
	}
	if (!rc) {
		free(st.rows);
		printf("novoctl: sent SIGHUP to novod pid %ld; now:\n", st.pid);
		nanosleep(&wait, NULL);
		rc = show_status(&cfg.server, SHOW_TABLE, NULL);
	}
	config_free(&cfg);
	return rc;
}

static const char *default_config(void)
{
	if (access("conf/novod.ini", F_OK) == 0)
		return "conf/novod.ini";
	return "/etc/novo/novod.ini";
}

/* learn parses its own flags: hand it ours, -c included. */
static int cmd_learn(const char *file, int argc, char **argv)
{
	char **av = calloc((size_t)argc + 3, sizeof(*av));
	int rc;

	if (av == NULL)
		return 1;
	memcpy(av, argv, (size_t)argc * sizeof(*av));
	av[argc] = "-c";
	av[argc + 1] = (char *)file;
	optind = 0; /* glibc: start getopt afresh */
	rc = learn_main(argc + 2, av);
	free(av);
	return rc;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *cmd;
	int opt;

	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		if (opt != 'c') {
			fputs(usage_text, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
		file = optarg;
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (!file)
		file = default_config();
	cmd = argv[optind];
	if (!strcmp(cmd, "status"))
		return cmd_status(file, argc - optind, argv + optind);
	if (!strcmp(cmd, "check") && argc - optind == 1)
		return cmd_check(file);
	if (!strcmp(cmd, "reload") && argc - optind == 1)
		return cmd_reload(file);
	if (!strcmp(cmd, "learn"))
		return cmd_learn(file, argc - optind, argv + optind);
	fputs(usage_text, stderr);
	return 2;
}
