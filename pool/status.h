/* status.h - the status page: JSON for scripts and novoctl. */
#ifndef NOVO_STATUS_H
#define NOVO_STATUS_H

#include <fcgiapp.h>
#include <stdio.h>

/* Answers the status page; returns the bytes of its body. */
size_t status_respond(FCGX_Request *rq, const char *req_id);

/* The JSON document, for tests and novoctl. Caller frees. */
char *status_json(size_t *len);

#endif
