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
 * Writes "K=V\0K=V\0..." into buf from nginx's params (the meta-variables
 * of RFC 3875 and HTTP_* headers only), SCRIPT_NAME, PATH_INFO, and the
 * function's env pairs. Returns the length, or -1 when it does not fit.
 */
long cgi_env_build(char **params, const struct cgi_target *t,
		   const struct fn_config *fn, char *buf, size_t cap);

#endif
