/*
 * learn_lkm.c - `novoctl learn` through novo.ko: the running novod turns
 * the module's learn mode on for the function, one sample request runs
 * through novod as any other, and the module says what the function used.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fastcgi.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "fcgi_client.h"
#include "learn.h"

#define REPLY_MAX (1024 * 1024)
#define TIMEOUT_MS 5000

/* One request on a fresh connection; 0 and the reply, or -1. */
static int ask(const struct server_config *srv, int role, const char *uri,
	       int timeout_ms, struct fcgi_reply *r)
{
	char err[256];
	int fd = fcgi_connect(srv, TIMEOUT_MS, err, sizeof(err)), rc;

	if (fd < 0) {
		fprintf(stderr, "novoctl: %s\n", err);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	rc = fcgi_request(fd, role, uri, timeout_ms, REPLY_MAX, r, err,
			  sizeof(err));
	close(fd);
	if (rc != 0)
		fprintf(stderr, "novoctl: %s\n", err);
	return rc;
}

/* The body of a reply whose header block says 200, or NULL. */
static const char *ok_body(const struct fcgi_reply *r)
{
	const char *body;

	if (r->out == NULL || strncmp(r->out, "Status: 200", 11) != 0)
		return NULL;
	body = strstr(r->out, "\r\n\r\n");
	return body ? body + 4 : NULL;
}

static int control(const struct server_config *srv, const char *name, bool on,
		   bool *used)
{
	char uri[160];
	struct fcgi_reply r;
	const char *body, *p;
	int rc = -1;

	snprintf(uri, sizeof(uri), "/novo-control?learn=%s&on=%d", name, on);
	if (ask(srv, CONTROL_ROLE, uri, TIMEOUT_MS, &r) != 0)
		return -1;
	body = ok_body(&r);
	if (body == NULL) {
		fprintf(stderr, "novoctl: novod refused learn mode: %s\n",
			r.out ? r.out : "(no answer)");
	} else if (!on && strncmp(body, "syscalls:", 9) == 0) {
		for (p = body + 9; *p == ' ';) {
			long nr = strtol(p + 1, (char **)&p, 10);

			if (nr >= 0 && nr < LEARN_NR_MAX)
				used[nr] = true;
		}
		rc = 0;
	} else {
		rc = on ? 0 : -1;
	}
	fcgi_reply_free(&r);
	return rc;
}

int learn_with_lkm(const struct server_config *srv, const char *name,
		   const char *query, int timeout_ms, bool *used)
{
	char uri[1024];
	struct fcgi_reply r;
	int rc;

	if (control(srv, name, true, used) != 0)
		return -1;
	snprintf(uri, sizeof(uri), "/fn/%s%s%s", name, query ? "?" : "",
		 query ? query : "");
	rc = ask(srv, FCGI_RESPONDER, uri, timeout_ms + 1000, &r);
	if (rc == 0) {
		fprintf(stderr,
			"novoctl: the function answered through novod:\n");
		fwrite(r.out, 1, r.out_len < 512 ? r.out_len : 512, stderr);
		fputc('\n', stderr);
		fcgi_reply_free(&r);
	}
	if (control(srv, name, false, used) != 0 || rc != 0)
		return -1;
	fprintf(stderr, "novoctl: learned through novo.ko\n");
	return 0;
}
