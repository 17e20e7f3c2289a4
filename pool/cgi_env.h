/* cgi_env.h - the RFC 3875 environment a function gets, and nothing else. */
#ifndef NOVO_CGI_ENV_H
#define NOVO_CGI_ENV_H

#include <stddef.h>

#include "config.h"

struct cgi_target {
	const char *name; /* function name (points into the URI) */
	size_t name_len;
	const char *path_info; /* "" or "/..." */
	size_t script_len; /* SCRIPT_NAME = uri[0..script_len) */
	const char *uri;
};

/*
 * Splits a DOCUMENT_URI "/fn/<name>[/<path-info>]". Returns 0, or -1 when
 * the URI is not under /fn/ or the name is not a valid section name.
 */
int cgi_target_parse(const char *uri, struct cgi_target *t);

/*
 * The part of every request's environment that is the same for one
 * function (GATEWAY_INTERFACE and its env pairs), made once when its pool
 * is: "K=V\0K=V\0". malloc'd; NULL when out of memory.
 */
char *cgi_env_template(const struct fn_config *fn, size_t *len);

/*
 * Writes "K=V\0K=V\0..." into buf: SCRIPT_NAME, PATH_INFO, nginx's params
 * that are RFC 3875 meta-variables or HTTP_* headers, then the function's
 * template. Returns the length, or -1 when it does not fit.
 */
long cgi_env_build(char **params, const struct cgi_target *t, const char *tmpl,
		   size_t tmpl_len, char *buf, size_t cap);

#endif
