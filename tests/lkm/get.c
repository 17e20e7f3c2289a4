/*
 * get.c - get SOCKET URI [N]: N FastCGI GETs to novod's unix socket, as
 * nginx would send them (pool/fcgi_client.c); prints the last reply's
 * body and exits 0 when every request got an answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi_client.h"

int main(int argc, char **argv)
{
	struct server_config srv = { .listen_unix = true };
	struct fcgi_reply r;
	char err[256];
	const char *body;
	int i, n, fd, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: get SOCKET URI [N]\n");
		return 2;
	}
	srv.listen_path = argv[1];
	n = argc > 3 ? atoi(argv[3]) : 1;
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		fd = fcgi_connect(&srv, 5000, err, sizeof(err));
		if (fd < 0 || fcgi_get(fd, argv[2], 10000, 1 << 20, &r, err,
				       sizeof(err)) < 0) {
			fprintf(stderr, "get: %s\n", err);
			if (fd >= 0)
				close(fd);
			bad++;
			continue;
		}
		close(fd);
		body = r.out_len ? strstr(r.out, "\r\n\r\n") : NULL;
		if (i == n - 1 && body)
			fwrite(body + 4, 1, r.out_len - (body + 4 - r.out),
			       stdout);
		fcgi_reply_free(&r);
	}
	return bad ? 1 : 0;
}
