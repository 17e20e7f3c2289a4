/* config_value.c - parsing one value; no file or line knowledge here. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "config_value.h"

static _Thread_local char why[128];

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fputs("novo: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size ? size : 1);
	if (!p) {
		fputs("novo: out of memory\n", stderr);
		abort();
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xcalloc(1, n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("novo: out of memory\n", stderr);
		abort();
	}
	return s;
}

char *str_append(char *a, const char *sep, const char *b)
{
	size_t la = a ? strlen(a) : 0, ls = a ? strlen(sep) : 0;
	char *r = xcalloc(1, la + ls + strlen(b) + 1);

	if (a)
		memcpy(mempcpy(r, a, la), sep, ls);
	strcpy(r + la + ls, b);
	free(a);
	return r;
}

/* Digits only: no sign, no space, no hex. */
static const char *parse_ull(const char *s, unsigned long long *v,
			     const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return "not a whole number";
	*v = strtoull(s, &e, 10);
	if (*v > (1ULL << 50))
		return "number too large";
	*end = e;
	return NULL;
}

static const char *in_range(unsigned long long v, unsigned min, unsigned max,
			    unsigned *out)
{
	if (v < min || v > max) {
		snprintf(why, sizeof(why), "out of range %u..%u", min, max);
		return why;
	}
	*out = (unsigned)v;
	return NULL;
}

const char *val_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long long v;
	const char *end, *err = parse_ull(s, &v, &end);

	if (err)
		return err;
	if (*end)
		return "not a whole number";
	return in_range(v, min, max, out);
}

/* "", k, kb, m, mb, g, gb -> shift; -1 when unknown. */
static int suffix_shift(const char *s, unsigned unit)
{
	static const char *const sfx[] = { "k", "kb", "m", "mb", "g", "gb" };
	size_t i;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return (int)unit;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (!strcasecmp(s, sfx[i]))
			return 10 * (int)(i / 2 + 1);
	return -1;
}

const char *val_size(const char *s, unsigned shift, unsigned min, unsigned max,
		     unsigned *out)
{
	unsigned long long v;
	const char *end, *err = parse_ull(s, &v, &end);
	int sh;

	if (err)
		return err;
	sh = suffix_shift(end, shift);
	if (sh < 0)
		return "bad size suffix (k, kb, m, mb, g or gb)";
	v <<= sh;
	if (v & ((1ULL << shift) - 1)) {
		snprintf(why, sizeof(why), "not a whole number of %s",
			 shift == 10 ? "kilobytes" : "megabytes");
		return why;
	}
	return in_range(v >> shift, min, max, out);
}

const char *val_bool(const char *s, bool *out)
{
	static const char *const t[] = { "yes", "on", "true", "1" };
	static const char *const f[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, t[i]) || !strcasecmp(s, f[i])) {
			*out = !strcasecmp(s, t[i]);
			return NULL;
		}
	}
	return "not a boolean (yes/no, on/off, true/false, 1/0)";
}

const char *val_octal(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "01234567") != strlen(s))
		return "not an octal mode";
	v = strtoul(s, &end, 8);
	if (v > max)
		return "not an octal mode";
	*out = (unsigned)v;
	return NULL;
}

static const char *listen_unix(const char *path, struct server_config *srv)
{
	struct sockaddr_un sun;

	if (!*path)
		return "empty unix socket path";
	/* relative paths are checked again once made absolute */
	if (strlen(path) >= sizeof(sun.sun_path))
		return "unix socket path too long";
	srv->listen_unix = true;
	srv->listen_path = xstrdup(path);
	return NULL;
}

/* "a.b.c.d:port" or "[v6]:port". */
static const char *listen_tcp(const char *s, struct server_config *srv)
{
	char host[INET6_ADDRSTRLEN + 2];
	unsigned char bin[16];
	const char *colon = strrchr(s, ':'), *err;
	size_t hl = colon ? (size_t)(colon - s) : 0;
	int af = AF_INET;

	if (!colon || !hl || hl >= sizeof(host))
		return "expected unix:/path, address:port or [address]:port";
	if (s[0] == '[') {
		if (s[hl - 1] != ']')
			return "expected [address]:port";
		s++;
		hl -= 2;
		af = AF_INET6;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(af, host, bin) != 1)
		return "not a numeric IP address";
	err = val_uint(colon + 1, 1, 65535, &srv->listen_port);
	if (err)
		return "bad port (1..65535)";
	srv->listen_unix = false;
	srv->listen_host = xstrdup(host);
	return NULL;
}

const char *val_listen(const char *s, struct server_config *srv)
{
	const char *err;

	free(srv->listen_path);
	free(srv->listen_host);
	srv->listen_path = srv->listen_host = NULL;
	if (!strncmp(s, "unix:", 5))
		err = listen_unix(s + 5, srv);
	else
		err = listen_tcp(s, srv);
	if (!err) {
		free(srv->listen);
		srv->listen = xstrdup(s);
	}
	return err;
}

static void mask_rule(struct allow_rule *r)
{
	size_t len = r->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < len; i++) {
		unsigned bits = r->prefix > i * 8 ? r->prefix - i * 8 : 0;

		if (bits < 8)
			r->addr[i] &= (unsigned char)(0xff00 >> bits);
	}
}

static const char *allow_one(const char *w, struct allow_rule *r)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(w, '/');
	size_t hl = slash ? (size_t)(slash - w) : strlen(w);
	unsigned max;

	if (!hl || hl >= sizeof(host))
		return "not an address or CIDR";
	memcpy(host, w, hl);
	host[hl] = '\0';
	r->family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(r->family, host, r->addr) != 1)
		return "not a numeric IP address";
	max = r->family == AF_INET ? 32 : 128;
	r->prefix = max;
	if (slash && val_uint(slash + 1, 0, max, &r->prefix))
		return r->family == AF_INET ? "bad prefix length (0..32)" :
					      "bad prefix length (0..128)";
	mask_rule(r);
	return NULL;
}

const char *val_allow(const char *s, struct allow_rule **v, size_t *n)
{
	char *copy = xstrdup(s), *save = NULL, *w;
	const char *err = NULL;
	struct allow_rule r;

	for (w = strtok_r(copy, " \t", &save); w && !err;
	     w = strtok_r(NULL, " \t", &save)) {
		memset(&r, 0, sizeof(r));
		err = allow_one(w, &r);
		if (err) {
			snprintf(why, sizeof(why), "\"%s\": %s", w, err);
			err = why;
			break;
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = r;
	}
	free(copy);
	return err;
}

bool allow_match(const struct allow_rule *r, int family,
		 const unsigned char *addr)
{
	unsigned full = r->prefix / 8, rest = r->prefix % 8;
	unsigned char mask = (unsigned char)(0xff00 >> rest);

	if (r->family != family || memcmp(r->addr, addr, full))
		return false;
	return !rest || (addr[full] & mask) == r->addr[full];
}

const char *val_env_pair(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return "not KEY=VALUE (KEY: letters, digits, _)";
	for (i = 1; isalnum((unsigned char)s[i]) || s[i] == '_'; i++)
		;
	if (s[i] != '=')
		return "not KEY=VALUE (KEY: letters, digits, _)";
	return NULL;
}

void strlist_push(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void strlist_split(struct strlist *l, const char *s)
{
	char *copy = xstrdup(s), *save = NULL, *w;

	for (w = strtok_r(copy, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save))
		strlist_push(l, w);
	free(copy);
}

void strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool strlist_equal(const struct strlist *a, const struct strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

/* Removes ".", ".." and repeated slashes of an absolute path, in place. */
static void normalize(char *p)
{
	char *out = p, *seg = p;

	while (*seg) {
		char *end;
		size_t len;

		while (*seg == '/')
			seg++;
		end = strchrnul(seg, '/');
		len = (size_t)(end - seg);
		if (len == 2 && !strncmp(seg, "..", 2)) {
			while (out > p && *--out != '/')
				;
		} else if (len && !(len == 1 && *seg == '.')) {
			*out++ = '/';
			memmove(out, seg, len);
			out += len;
		}
		seg = end;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

char *path_join(const char *base, const char *rel)
{
	char *p, *real;

	p = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", base, rel);
	real = realpath(p, NULL);
	if (real) {
		free(p);
		return real;
	}
	normalize(p);
	return p;
}

char *path_dirname(const char *path)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');

	if (slash == d)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return d;
}
