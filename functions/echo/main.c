/*
 * echo - the request back as plain text: the method, every CGI variable,
 * the HTTP_* headers, then the body.
 *
 * Useful to see exactly what a function receives. novod gives a function
 * the CGI variables and nothing else in its environment, so printing
 * environ shows all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted variables that do (headers = 1) or do not start with HTTP_. */
static void print_vars(char **vars, size_t n, int headers)
{
	for (size_t i = 0; i < n; i++) {
		int is_header = strncmp(vars[i], "HTTP_", 5) == 0;

		if (is_header == headers)
			printf("  %s\n", vars[i]);
	}
}

/* Copies the body: CONTENT_LENGTH bytes at most (RFC 3875 4.2). */
static void copy_body(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	long left = cl && *cl ? strtol(cl, NULL, 10) : 0;
	char buf[8192];

	while (left > 0) {
		size_t want = sizeof(buf);
		size_t got;

		if (left < (long)want)
			want = (size_t)left;
		got = fread(buf, 1, want, stdin);
		if (got == 0)
			break;
		fwrite(buf, 1, got, stdout);
		left -= (long)got;
	}
}

int main(void)
{
	const char *method = getenv("REQUEST_METHOD");
	size_t n = 0;
	char **vars;

	while (environ[n])
		n++;
	vars = malloc((n ? n : 1) * sizeof(*vars));
	if (!vars) {
		fputs("echo: out of memory\n", stderr);
		return 1;
	}
	memcpy(vars, environ, n * sizeof(*vars));
	qsort(vars, n, sizeof(*vars), by_name);

	fputs("Content-Type: text/plain\r\n\r\n", stdout);
	printf("method: %s\n\nvariables:\n", method ? method : "(none)");
	print_vars(vars, n, 0);
	fputs("\nheaders:\n", stdout);
	print_vars(vars, n, 1);
	fputs("\nbody:\n", stdout);
	fflush(stdout);
	copy_body();
	free(vars);
	return fflush(stdout) == 0 ? 0 : 1;
}
