/* cgi_env.c - which of nginx's params reach a function, and how. */
#include "cgi_env.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FN_PREFIX "/fn/"

/* RFC 3875 meta-variables and the common extras servers set. */
static const char *const passed[] = {
	"AUTH_TYPE",	   "CONTENT_LENGTH",  "CONTENT_TYPE", "QUERY_STRING",
	"REMOTE_ADDR",	   "REMOTE_HOST",     "REMOTE_IDENT", "REMOTE_USER",
	"REMOTE_PORT",	   "REQUEST_METHOD",  "SERVER_NAME",  "SERVER_PORT",
	"SERVER_PROTOCOL", "SERVER_SOFTWARE", "SERVER_ADDR",  "REQUEST_URI",
	"DOCUMENT_URI",	   "REQUEST_SCHEME",  "HTTPS",	      NULL,
};

int cgi_target_parse(const char *uri, struct cgi_target *t)
{
	const char *name, *slash;
	size_t plen = strlen(FN_PREFIX);

	if (uri == NULL || strncmp(uri, FN_PREFIX, plen) != 0)
		return -1;
	name = uri + plen;
	slash = strchr(name, '/');
	t->uri = uri;
	t->name = name;
	t->name_len = slash ? (size_t)(slash - name) : strlen(name);
	t->path_info = slash ? slash : "";
	t->script_len = plen + t->name_len;
	return config_valid_name(t->name, t->name_len) ? 0 : -1;
}

static bool key_is(const char *kv, size_t klen, const char *name)
{
	return strlen(name) == klen && strncmp(kv, name, klen) == 0;
}

static bool is_passed(const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen;

	if (eq == NULL)
		return false;
	klen = (size_t)(eq - kv);
	/* httpoxy: a client header must not become a proxy setting */
	if (klen > 5 && strncmp(kv, "HTTP_", 5) == 0)
		return !key_is(kv, klen, "HTTP_PROXY");
	/* RFC 3875: these are absent, not empty, when they do not apply */
	if (eq[1] == '\0' && !key_is(kv, klen, "QUERY_STRING") &&
	    !key_is(kv, klen, "SERVER_NAME"))
		return false;
	for (size_t i = 0; passed[i]; i++)
		if (key_is(kv, klen, passed[i]))
			return true;
	return false;
}

struct env_buf {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct env_buf *e, const char *a, size_t alen, const char *b,
		size_t blen)
{
	if (e->len + alen + blen + 1 > e->cap) {
		e->full = true;
		return;
	}
	memcpy(e->buf + e->len, a, alen);
	memcpy(e->buf + e->len + alen, b, blen);
	e->len += alen + blen;
	e->buf[e->len++] = '\0';
}

char *cgi_env_template(const struct fn_config *fn, size_t *len)
{
	static const char gi[] = "GATEWAY_INTERFACE=CGI/1.1";
	size_t cap = sizeof(gi);
	struct env_buf e;

	for (size_t i = 0; i < fn->env.n; i++)
		cap += strlen(fn->env.v[i]) + 1;
	e = (struct env_buf){ .buf = malloc(cap), .cap = cap };
	if (e.buf == NULL)
		return NULL;
	put(&e, gi, strlen(gi), "", 0);
	for (size_t i = 0; i < fn->env.n; i++)
		put(&e, fn->env.v[i], strlen(fn->env.v[i]), "", 0);
	*len = e.len;
	return e.buf;
}

long cgi_env_build(char **params, const struct cgi_target *t, const char *tmpl,
		   size_t tmpl_len, char *buf, size_t cap)
{
	struct env_buf e = { .buf = buf, .cap = cap };

	put(&e, "SCRIPT_NAME=", 12, t->uri, t->script_len);
	if (t->path_info[0])
		put(&e, "PATH_INFO=", 10, t->path_info, strlen(t->path_info));
	for (size_t i = 0; params && params[i]; i++)
		if (is_passed(params[i]))
			put(&e, params[i], strlen(params[i]), "", 0);
	/* the fixed part last: the request's own variables come first */
	if (e.full || e.len + tmpl_len > e.cap)
		return -1;
	memcpy(e.buf + e.len, tmpl, tmpl_len);
	return (long)(e.len + tmpl_len);
}
