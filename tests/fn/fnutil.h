/* fnutil.h - tiny helpers shared by the test-only functions (header only). */
#ifndef NOVO_TESTFN_UTIL_H
#define NOVO_TESTFN_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* the examples' parser: relative, so the hostile Makefile needs no -I */
#include "../../functions/include/cgi_query.h"

/* Value of key in QUERY_STRING ("a=1&b=2") as a number, or def. */
static inline long qnum(const char *key, long def)
{
	size_t len;
	const char *v = query_param(getenv("QUERY_STRING"), key, &len);

	return v ? strtol(v, NULL, 10) : def;
}

/* write(2) until done; a short write to a pipe is not an error. */
static inline int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static inline int put(int fd, const char *s)
{
	return write_all(fd, s, strlen(s));
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#endif
