/* request.h - one FastCGI request: admission, the child, the response. */
#ifndef NOVO_REQUEST_H
#define NOVO_REQUEST_H

#include <fcgiapp.h>

#include "config.h"

/* Settings every request needs; set by novod before serving. */
struct request_ctx {
	const char *status_path;
	long long busy_poll_ns; /* [server] busy_poll_us */
};

void request_init(const struct request_ctx *ctx);
void request_handle(FCGX_Request *rq);
/* The worker thread starts on a new connection (its socket options). */
void request_new_connection(void);
/* A worker thread is leaving: frees what request_handle kept for it. */
void request_thread_exit(void);

#endif
