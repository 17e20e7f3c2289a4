/* control.h - novoctl's requests to novod itself (not through nginx). */
#ifndef NOVO_CONTROL_H
#define NOVO_CONTROL_H

#include <fcgiapp.h>

/* The FastCGI role of control requests: nginx only ever sends responder. */
#define CONTROL_ROLE 2

/*
 * Serves one control request: `learn=NAME&on=1` turns novo.ko's learn
 * mode on for NAME; `learn=NAME&on=0` turns it off and answers
 * "syscalls: <nr> <nr> ..." with what NAME used meanwhile. Only a peer on
 * the unix socket running as root or as novod's own user is served.
 */
int control_handle(FCGX_Request *rq, const char *req_id); /* its status */

#endif
