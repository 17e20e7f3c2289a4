/* fcgi_client.h - one FastCGI GET to novod, as nginx would send it. */
#ifndef NOVO_FCGI_CLIENT_H
#define NOVO_FCGI_CLIENT_H

#include <stddef.h>

#include "config.h"

struct fcgi_reply {
	char *out; /* FCGI_STDOUT: CGI header block, then the body */
	size_t out_len;
	char *err; /* FCGI_STDERR */
	size_t err_len;
	unsigned app_status;
	int protocol_status;
};

/*
 * Connects to srv's listen (unix socket or TCP; a wildcard address is
 * reached on loopback). Returns a non-blocking fd, or -1 with a reason.
 */
int fcgi_connect(const struct server_config *srv, int timeout_ms, char *err,
		 size_t errlen);

/*
 * Sends one GET of uri ("/path?query") with keep_conn off and reads the
 * reply until FCGI_END_REQUEST; at most max bytes of STDOUT and STDERR
 * together, within timeout_ms. Returns 0, or -1 with a reason.
 */
int fcgi_get(int fd, const char *uri, int timeout_ms, size_t max,
	     struct fcgi_reply *r, char *err, size_t errlen);

/* The same with another FastCGI role: 1 responder (nginx's only one), 2
 * authorizer (novoctl's control requests, which nginx cannot send). */
int fcgi_request(int fd, int role, const char *uri, int timeout_ms, size_t max,
		 struct fcgi_reply *r, char *err, size_t errlen);

void fcgi_reply_free(struct fcgi_reply *r);

#endif
