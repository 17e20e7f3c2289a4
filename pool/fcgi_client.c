/* fcgi_client.c - the client half of FastCGI, enough for novoctl. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h> /* libfcgi's protocol constants */

#include "fcgi_client.h"

#define REQ_ID 1
#define HDR_LEN FCGI_HEADER_LEN

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 1 ready, 0 timed out. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
	} while (n < 0 && errno == EINTR);
	return n > 0;
}

/* The address to dial: a wildcard listen is reached on loopback. */
static int tcp_addr(const struct server_config *srv, struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	const char *host = srv->listen_host;
	char port[8];

	if (!strcmp(host, "0.0.0.0"))
		host = "127.0.0.1";
	else if (!strcmp(host, "::"))
		host = "::1";
	snprintf(port, sizeof(port), "%u", srv->listen_port);
	return getaddrinfo(host, port, &hints, ai);
}

static int dial(int fd, const struct sockaddr *sa, socklen_t len,
		long long deadline)
{
	int e = 0;
	socklen_t elen = sizeof(e);

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (!wait_fd(fd, POLLOUT, deadline)) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e) {
		errno = e ? e : errno;
		return -1;
	}
	return 0;
}

int fcgi_connect(const struct server_config *srv, int timeout_ms, char *err,
		 size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + timeout_ms;
	struct addrinfo *ai = NULL;
	int fd, rc;

	if (srv->listen_unix) {
		if (strlen(srv->listen_path) >= sizeof(sun.sun_path))
			return fail(err, errlen, "socket path too long");
		strcpy(sun.sun_path, srv->listen_path);
	} else if ((rc = tcp_addr(srv, &ai)) != 0) {
		return fail(err, errlen, "%s: %s", srv->listen,
			    gai_strerror(rc));
	}
	fd = socket(srv->listen_unix ? AF_UNIX : ai->ai_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && srv->listen_unix)
		rc = dial(fd, (struct sockaddr *)&sun, sizeof(sun), deadline);
	else if (fd >= 0)
		rc = dial(fd, ai->ai_addr, ai->ai_addrlen, deadline);
	if (ai)
		freeaddrinfo(ai);
	if (fd < 0 || rc < 0) {
		fail(err, errlen, "connect to %s: %s", srv->listen,
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Appends a record of type with len bytes of content to buf. */
static size_t put_record(unsigned char *buf, int type, const void *content,
			 size_t len)
{
	unsigned char h[HDR_LEN] = { 1,
				     (unsigned char)type,
				     0,
				     REQ_ID,
				     (unsigned char)(len >> 8),
				     (unsigned char)len,
				     0,
				     0 };

	memcpy(buf, h, HDR_LEN);
	if (len)
		memcpy(buf + HDR_LEN, content, len);
	return HDR_LEN + len;
}

static size_t put_len(unsigned char *p, size_t len)
{
	if (len < 128) {
		p[0] = (unsigned char)len;
		return 1;
	}
	p[0] = (unsigned char)(0x80 | (len >> 24));
	p[1] = (unsigned char)(len >> 16);
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	return 4;
}

/* One name-value pair; 0 when it does not fit in room. */
static size_t put_pair(unsigned char *p, size_t room, const char *name,
		       const char *value, size_t vlen)
{
	size_t nlen = strlen(name), n;

	if (nlen + vlen + 8 > room)
		return 0;
	n = put_len(p, nlen);
	n += put_len(p + n, vlen);
	memcpy(p + n, name, nlen);
	memcpy(p + n + nlen, value, vlen);
	return n + nlen + vlen;
}

/* The PARAMS of a GET, as nginx's fastcgi_params would give them. */
static size_t put_params(unsigned char *p, size_t room, const char *uri)
{
	const char *q = strchr(uri, '?');
	size_t plen = q ? (size_t)(q - uri) : strlen(uri);
	const char *names[] = { "REQUEST_METHOD", "SERVER_PROTOCOL",
				"REMOTE_ADDR",	  "REQUEST_URI",
				"QUERY_STRING",	  "DOCUMENT_URI",
				"SCRIPT_NAME" };
	const char *values[] = { "GET",		 "HTTP/1.1", "127.0.0.1", uri,
				 q ? q + 1 : "", uri,	     uri };
	size_t n = 0, i, len, used;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		len = i >= 5 ? plen : strlen(values[i]);
		used = put_pair(p + n, room - n, names[i], values[i], len);
		if (!used)
			return 0;
		n += used;
	}
	return n;
}

/*
 * Sends or receives exactly len bytes before the deadline: 0, or -1
 * with errno (0 when the peer closed the connection).
 */
static int io_all(int fd, unsigned char *p, size_t len, bool out,
		  long long deadline)
{
	ssize_t n;

	while (len) {
		n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n == 0) {
			errno = 0;
			return -1;
		}
		if (n < 0 && errno == EAGAIN &&
		    wait_fd(fd, out ? POLLOUT : POLLIN, deadline))
			continue;
		if (n < 0 && errno == EAGAIN)
			errno = ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

static int send_request(int fd, int role, const char *uri, long long deadline,
			char *err, size_t errlen)
{
	const unsigned char begin[8] = { 0, (unsigned char)role, 0 };
	unsigned char params[4096], buf[4096 + 5 * HDR_LEN + 8];
	size_t plen = put_params(params, sizeof(params), uri), n = 0;

	if (!plen)
		return fail(err, errlen, "URI too long");
	n += put_record(buf + n, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	n += put_record(buf + n, FCGI_PARAMS, params, plen);
	n += put_record(buf + n, FCGI_PARAMS, NULL, 0);
	n += put_record(buf + n, FCGI_STDIN, NULL, 0);
	if (io_all(fd, buf, n, true, deadline) < 0)
		return fail(err, errlen, "send: %s", strerror(errno));
	return 0;
}

static void append(char **buf, size_t *len, const unsigned char *p, size_t n)
{
	char *b = realloc(*buf, *len + n + 1);

	if (!b) {
		fputs("novoctl: out of memory\n", stderr);
		abort();
	}
	memcpy(b + *len, p, n);
	*len += n;
	b[*len] = '\0';
	*buf = b;
}

static int read_fail(char *err, size_t errlen)
{
	return fail(err, errlen, "%s",
		    errno ? strerror(errno) :
			    "connection closed before the end of the reply");
}

/* One record into r; 1 at END_REQUEST, 0 to go on, -1 on error. */
static int read_record(int fd, struct fcgi_reply *r, size_t max,
		       long long deadline, char *err, size_t errlen)
{
	unsigned char h[HDR_LEN], body[65535 + 255];
	size_t clen, plen;

	if (io_all(fd, h, HDR_LEN, false, deadline) < 0)
		return read_fail(err, errlen);
	clen = (size_t)h[4] << 8 | h[5];
	plen = h[6];
	if (io_all(fd, body, clen + plen, false, deadline) < 0)
		return read_fail(err, errlen);
	if (h[0] != 1)
		return fail(err, errlen, "not a FastCGI reply");
	if ((h[2] << 8 | h[3]) != REQ_ID)
		return 0;
	if (r->out_len + r->err_len + clen > max)
		return fail(err, errlen, "reply over %zu bytes", max);
	if (h[1] == FCGI_STDOUT)
		append(&r->out, &r->out_len, body, clen);
	else if (h[1] == FCGI_STDERR)
		append(&r->err, &r->err_len, body, clen);
	else if (h[1] == FCGI_END_REQUEST && clen >= 8) {
		r->app_status = (unsigned)body[0] << 24 | body[1] << 16 |
				body[2] << 8 | body[3];
		r->protocol_status = body[4];
		return 1;
	}
	return 0;
}

int fcgi_get(int fd, const char *uri, int timeout_ms, size_t max,
	     struct fcgi_reply *r, char *err, size_t errlen)
{
	return fcgi_request(fd, FCGI_RESPONDER, uri, timeout_ms, max, r, err,
			    errlen);
}

int fcgi_request(int fd, int role, const char *uri, int timeout_ms, size_t max,
		 struct fcgi_reply *r, char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	int rc;

	memset(r, 0, sizeof(*r));
	if (send_request(fd, role, uri, deadline, err, errlen) < 0)
		return -1;
	while ((rc = read_record(fd, r, max, deadline, err, errlen)) == 0)
		;
	if (rc < 0) {
		fcgi_reply_free(r);
		return -1;
	}
	if (!r->out)
		append(&r->out, &r->out_len, (const unsigned char *)"", 0);
	return 0;
}

void fcgi_reply_free(struct fcgi_reply *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}
