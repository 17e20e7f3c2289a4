/*
 * env - the request as the child sees it: every environment variable as
 * "ENV NAME=VALUE" (newlines in values as "\n"), then "BODY <n>" and
 * the n bytes read from stdin until EOF.
 */
#include <stdio.h>

#include "fnutil.h"

extern char **environ;

static void put_env(const char *e)
{
	put(1, "ENV ");
	for (const char *p = e; *p; p++)
		write_all(1, *p == '\n' ? "\\n" : p, *p == '\n' ? 2 : 1);
	put(1, "\n");
}

int main(void)
{
	static char body[1 << 20];
	size_t n = 0;
	char line[64];

	while (n < sizeof(body)) {
		ssize_t r = read(0, body + n, sizeof(body) - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	put(1, "Content-Type: text/plain\r\n\r\n");
	for (char **e = environ; *e; e++)
		put_env(*e);
	snprintf(line, sizeof(line), "BODY %zu\n", n);
	put(1, line);
	return write_all(1, body, n) ? 1 : 0;
}
