/* control.c - learn mode of novo.ko, switched by novoctl through novod. */
#include "control.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cgi_header.h"
#include "config.h"
#include "lkm.h"
#include "log.h"

static int reply(FCGX_Request *rq, const char *req_id, int status,
		 const char *body)
{
	FCGX_FPrintF(rq->out,
		     "Status: %d %s\r\nContent-Type: text/plain\r\n"
		     "X-Request-Id: %s\r\n\r\n%s\n",
		     status, http_reason(status), req_id, body);
	return status;
}

/* Root, or novod's own user, on the unix socket: novoctl's callers. */
static bool peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return false;
	return cred.pid > 0 && (cred.uid == 0 || cred.uid == geteuid());
}

/* "learn=NAME&on=1": the name (a valid section name) and the switch. */
static int parse(const char *q, char *name, size_t cap, bool *on)
{
	const char *amp;
	size_t len;

	if (q == NULL || strncmp(q, "learn=", 6) != 0)
		return -1;
	q += 6;
	amp = strchr(q, '&');
	if (amp == NULL)
		return -1;
	if (strcmp(amp, "&on=1") == 0)
		*on = true;
	else if (strcmp(amp, "&on=0") == 0)
		*on = false;
	else
		return -1;
	len = (size_t)(amp - q);
	if (!config_valid_name(q, len) || len >= cap)
		return -1;
	memcpy(name, q, len);
	name[len] = '\0';
	return 0;
}

static int learned(FCGX_Request *rq, const char *req_id, const char *name)
{
	int *nr = NULL;
	size_t n = 0;
	char *buf;
	size_t len = 0;
	FILE *out;

	if (lkm_learned(name, &nr, &n) != 0)
		return reply(rq, req_id, 409,
			     "cannot read what novo.ko learned");
	out = open_memstream(&buf, &len);
	if (out == NULL) {
		free(nr);
		return reply(rq, req_id, 500, "out of memory");
	}
	fputs("syscalls:", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %d", nr[i]);
	fclose(out);
	reply(rq, req_id, 200, buf);
	free(buf);
	free(nr);
	return 200;
}

int control_handle(FCGX_Request *rq, const char *req_id)
{
	char name[NOVO_NAME_MAX + 1];
	bool on;

	if (!peer_trusted(rq->ipcFd)) {
		log_msg(LOG_WARN, "control request refused: peer is not root "
				  "nor novod's user on the unix socket");
		return reply(rq, req_id, 403, "control requests: root only");
	}
	if (parse(FCGX_GetParam("QUERY_STRING", rq->envp), name, sizeof(name),
		  &on) != 0)
		return reply(rq, req_id, 400, "usage: learn=NAME&on=1|0");
	if (lkm_state() != LKM_STATE_ACTIVE)
		return reply(rq, req_id, 409, "novo.ko is not active");
	if (on && lkm_set_learn(name, true) == 0) {
		log_msg(LOG_NOTICE, "fn=%s lkm learn mode on", name);
		return reply(rq, req_id, 200, "learning");
	}
	if (!on && lkm_set_learn(name, false) == 0) {
		log_msg(LOG_NOTICE, "fn=%s lkm learn mode off", name);
		return learned(rq, req_id, name);
	}
	return reply(rq, req_id, 409, "no such function in novo.ko");
}
