/*
 * hostile.h - shared by the attack programs of tests/hostile/ (header only).
 *
 * Each program is a CGI function that really tries one attack and ends
 * with one result line, read by run.sh's driver both when novod runs it
 * (confined) and when it runs as a plain process (the negative control):
 *
 *	ESCAPED <detail>	the attack worked
 *	BLOCKED <detail>	it did not (detail names the errno)
 *
 * Nothing is written before the attack ends, so that a function killed
 * for a forbidden syscall gets novod's 502, not a cut-short 200.
 */
#ifndef NOVO_HOSTILE_H
#define NOVO_HOSTILE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../fn/fnutil.h" /* qnum(), sleep_ms() */

#define HOSTILE_PID_MAX 32768 /* brute-force bound of the pid scans */

static inline const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* Writes the CGI header and one result line, then exits 0. */
static inline __attribute__((noreturn, format(printf, 2, 3))) void
result(int escaped, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = dprintf(1, "Content-Type: text/plain\r\n\r\n%s %s\n",
		    escaped ? "ESCAPED" : "BLOCKED", line);
	_exit(n > 0 ? 0 : 1);
}

/*
 * The pids listed in QUERY_STRING's "pids=1.2.3" (the test's decoy,
 * novod, nginx): targets named outright, on top of every pid scanned.
 */
static inline int qpids(pid_t *out, int max)
{
	size_t len;
	const char *p = query_param(getenv("QUERY_STRING"), "pids", &len);
	int n = 0;

	if (!p)
		return 0;
	while (n < max && *p >= '0' && *p <= '9') {
		char *end;

		out[n++] = (pid_t)strtol(p, &end, 10);
		p = *end == '.' ? end + 1 : end;
	}
	return n;
}

/* An environment variable; without it, a 500 that is neither verdict. */
static inline const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		dprintf(1,
			"Status: 500\r\nContent-Type: text/plain\r\n\r\n"
			"USAGE %s is not set\n",
			name);
		_exit(2);
	}
	return v;
}

#endif
