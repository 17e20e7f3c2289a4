/* server.h - the FastCGI listener: accept, allow-list, worker threads. */
#ifndef NOVO_SERVER_H
#define NOVO_SERVER_H

#include <stddef.h>

#include <fcgiapp.h>

#include "config.h"

/* Binds and listens (unix or tcp). Returns the fd, or -1 with err set. */
int server_listen(const struct server_config *srv, char *err, size_t errlen);

/* Starts the accept thread; requests go to request_handle(). */
int server_start(int listen_fd, const struct server_config *srv);

/*
 * Graceful stop: no new connections; each kept-alive connection closes
 * after its current or next request, or after a short idle grace.
 */
void server_stop_accepting(void);
void server_close_idle(void);
/*
 * Ends a request (END_REQUEST); in a graceful stop as its connection's
 * last, which closes after it.
 */
void server_end_request(FCGX_Request *rq);
/* Connections still open (busy or in their grace). */
unsigned server_open(void);

#endif
