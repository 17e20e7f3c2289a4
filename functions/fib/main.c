/*
 * fib - a CPU-bound function: /fn/fib?n=30 computes fib(n) the slow,
 * recursive way (the benchmark the prototype used).
 *
 * Shows input validation: anything but n=0..40 is answered with
 * "Status: 400" and a one-line reason, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi_query.h"

#define FIB_MAX 40 /* fib(40): ~0.1 s at -O2, well under the default cpu_ms */

static unsigned long long fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* Decimal digits only, 0..FIB_MAX; returns -1 otherwise. */
static int parse_n(const char *s, size_t len)
{
	int n = 0;

	if (len == 0 || len > 2)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n <= FIB_MAX ? n : -1;
}

static int bad_request(const char *why)
{
	printf("Status: 400 Bad Request\r\n"
	       "Content-Type: text/plain\r\n"
	       "\r\n"
	       "fib: %s: expected ?n=0..%d, e.g. ?n=30\n",
	       why, FIB_MAX);
	return 0; /* the request was answered: a clean exit */
}

int main(void)
{
	size_t len = 0;
	const char *v = query_param(getenv("QUERY_STRING"), "n", &len);
	int n;

	if (!v)
		return bad_request("missing n");
	n = parse_n(v, len);
	if (n < 0)
		return bad_request("bad n");
	printf("Content-Type: text/plain\r\n"
	       "\r\n"
	       "fib(%d) = %llu\n",
	       n, fib((unsigned)n));
	return fflush(stdout) == 0 ? 0 : 1;
}
