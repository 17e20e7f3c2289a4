/*
 * fetch - a function that uses the network (network = yes in
 * functions.ini; without it, socket() itself is refused).
 *
 *   /fn/fetch?host=127.0.0.1&port=8080&path=/fn/hello
 *
 * connects to host:port, sends "GET <path> HTTP/1.0" when a path is
 * given (otherwise sends nothing and reads what the peer says first),
 * and reports what it read: at most 64 kb, for at most 3 seconds.
 * host is a numeric IPv4 or IPv6 address: a static binary in a sandbox
 * has no resolver configuration to look names up with.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cgi_query.h"

#define READ_MAX (64 * 1024)
#define PARAM_MAX 256

/* Copies the value of key in the query string into out; 0 if absent. */
static int query_copy(const char *qs, const char *key, char *out, size_t cap)
{
	size_t vlen;
	const char *v = query_param(qs, key, &vlen);

	if (v == NULL || vlen == 0 || vlen >= cap)
		return 0;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return 1;
}

/* An error answer: "fetch: what[: detail]". */
static int answer(const char *status, const char *what, const char *detail)
{
	printf("Status: %s\r\nContent-Type: text/plain\r\n\r\nfetch: %s%s%s\n",
	       status, what, detail ? ": " : "", detail ? detail : "");
	return 0;
}

/* An absolute path of printable characters: nothing to smuggle a header with. */
static int valid_path(const char *p)
{
	if (*p != '/')
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/* Fills ss from a numeric address and a port 1..65535; returns its length or 0. */
static socklen_t make_addr(const char *host, const char *port,
			   struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char *end;
	long p = strtol(port, &end, 10);

	if (*end || p < 1 || p > 65535)
		return 0;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)p);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		return sizeof(*in6);
	}
	return 0;
}

/* Reads until EOF, READ_MAX bytes or the timeout; returns the count or -1. */
static ssize_t read_reply(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n == 0)
			break;
		if (n < 0)
			return got > 0 || errno == EAGAIN ? (ssize_t)got : -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int main(void)
{
	static char reply[READ_MAX];
	const char *qs = getenv("QUERY_STRING");
	char host[PARAM_MAX], port[PARAM_MAX], path[PARAM_MAX];
	char req[2 * PARAM_MAX + 64];
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 3 };
	socklen_t sslen;
	int len = 0, fd;
	ssize_t n;

	if (!query_copy(qs, "host", host, sizeof(host)) ||
	    !query_copy(qs, "port", port, sizeof(port)))
		return answer("400 Bad Request",
			      "expected ?host=ADDR&port=N[&path=/x]", NULL);
	sslen = make_addr(host, port, &ss);
	if (!sslen)
		return answer("400 Bad Request",
			      "host: a numeric address, port: 1..65535", NULL);
	if (query_copy(qs, "path", path, sizeof(path))) {
		if (!valid_path(path))
			return answer("400 Bad Request", "path: /x, no spaces",
				      NULL);
		len = snprintf(req, sizeof(req),
			       "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path,
			       host);
	}

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return answer("500 Internal Server Error", "socket",
			      strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0)
		return answer("502 Bad Gateway", "connect", strerror(errno));
	if (len > 0 && write(fd, req, (size_t)len) != len)
		return answer("502 Bad Gateway", "write", strerror(errno));
	n = read_reply(fd, reply, sizeof(reply));
	close(fd);
	if (n < 0)
		return answer("502 Bad Gateway", "read", strerror(errno));
	printf("Content-Type: text/plain\r\n\r\nconnected to %s port %s, read %zd bytes:\n",
	       host, port, n);
	fwrite(reply, 1, (size_t)n, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
