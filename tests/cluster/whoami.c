/*
 * whoami - the cluster test's function: says which host ran it, and leaves
 * proof that it ran.
 *
 * GET or POST /fn/whoami?id=ID&ms=N
 *   1. creates $RAN/ID (the test's record that this request reached a
 *      function on this host: it survives the host being killed),
 *   2. sleeps N ms (at most 5000), so that requests are in flight when the
 *      test kills or drains a host,
 *   3. reads the body, answers "host=$HOST id=ID".
 * ID is [A-Za-z0-9_-]{1,64}; anything else is a 400.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ID_MAX 64

/* Copies the value of key in the query string into out; 0 if found. */
static int query_get(const char *q, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t n = end ? (size_t)(end - q) : strlen(q);

		if (n > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
			n -= klen + 1;
			if (n >= len)
				return -1;
			memcpy(out, q + klen + 1, n);
			out[n] = '\0';
			return 0;
		}
		q = end ? end + 1 : NULL;
	}
	return -1;
}

static int id_valid(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n > 0 && n <= ID_MAX && id[n] == '\0';
}

/* The record that this request reached a function here. */
static int mark_ran(const char *id, const char *host)
{
	const char *dir = getenv("RAN");
	char path[512];
	int fd;

	if (dir == NULL || *dir == '\0')
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, id) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, host, strlen(host)) < 0 || write(fd, "\n", 1) != 1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void pause_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	if (ms > 5000)
		ms = 5000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Reads and drops exactly CONTENT_LENGTH bytes (RFC 3875 4.2). */
static void drain_body(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	long left = cl && *cl ? strtol(cl, NULL, 10) : 0;
	char buf[4096];

	while (left > 0) {
		size_t want = left < (long)sizeof(buf) ? (size_t)left :
							 sizeof(buf);
		size_t got = fread(buf, 1, want, stdin);

		if (got == 0)
			break;
		left -= (long)got;
	}
}

int main(void)
{
	const char *q = getenv("QUERY_STRING");
	const char *host = getenv("HOST");
	char id[ID_MAX + 1], ms[16];

	if (host == NULL)
		host = "?";
	if (query_get(q, "id", id, sizeof(id)) != 0 || !id_valid(id)) {
		fputs("Status: 400 Bad Request\r\n"
		      "Content-Type: text/plain\r\n\r\nbad or missing id\n",
		      stdout);
		return 0;
	}
	if (mark_ran(id, host) != 0) {
		fprintf(stderr, "whoami: cannot record id %s\n", id);
		fputs("Status: 500 Internal Server Error\r\n"
		      "Content-Type: text/plain\r\n\r\ncannot record\n",
		      stdout);
		return 0;
	}
	if (query_get(q, "ms", ms, sizeof(ms)) == 0)
		pause_ms(strtol(ms, NULL, 10));
	drain_body();
	printf("Content-Type: text/plain\r\n\r\nhost=%s id=%s\n", host, id);
	return fflush(stdout) == 0 ? 0 : 1;
}
