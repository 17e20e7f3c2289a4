/* test_fcgi_client.c - novoctl's FastCGI client against a real libfcgi server. */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* not in the unit tests' link (it is novoctl's): built in here */
#include "fcgi_client.c"
#include "unit.h"

#define BIG 100000

static char sock_path[64], serve_path[64];
static int listen_fd;

/* One reply per request, chosen by DOCUMENT_URI. */
static void answer(FCGX_Request *rq)
{
	const char *uri = FCGX_GetParam("DOCUMENT_URI", rq->envp);
	char **e;
	int i;

	if (uri && !strcmp(uri, "/stall"))
		sleep(1);
	FCGX_FPrintF(rq->out, "Status: 200 OK\r\nContent-Type: text/plain"
			      "\r\n\r\n");
	if (uri && !strcmp(uri, "/big")) {
		for (i = 0; i < BIG; i++)
			FCGX_PutChar('x', rq->out);
		return;
	}
	for (e = rq->envp; *e; e++)
		FCGX_FPrintF(rq->out, "%s\n", *e);
	FCGX_FPrintF(rq->err, "a warning\n");
}

static void *server(void *arg)
{
	FCGX_Request rq;
	int n = *(int *)arg;

	FCGX_InitRequest(&rq, listen_fd, 0);
	while (n-- > 0 && FCGX_Accept_r(&rq) == 0) {
		answer(&rq);
		FCGX_Finish_r(&rq);
	}
	return NULL;
}

static int get(const char *uri, int timeout_ms, size_t max,
	       struct fcgi_reply *r, char *err, size_t errlen)
{
	struct server_config srv = { .listen = "unix:test",
				     .listen_unix = true,
				     .listen_path = sock_path };
	int fd = fcgi_connect(&srv, 1000, err, errlen), rc;

	if (fd < 0)
		return -1;
	rc = fcgi_get(fd, uri, timeout_ms, max, r, err, errlen);
	close(fd);
	return rc;
}

static void test_params(void)
{
	struct fcgi_reply r;
	char err[256];
	static const char *const want[] = {
		"REQUEST_METHOD=GET\n",	  "DOCUMENT_URI=/params\n",
		"SCRIPT_NAME=/params\n",  "REQUEST_URI=/params?x=1&y=2\n",
		"QUERY_STRING=x=1&y=2\n", "SERVER_PROTOCOL=HTTP/1.1\n",
		"REMOTE_ADDR=127.0.0.1\n"
	};
	size_t i;

	CHECK(get("/params?x=1&y=2", 2000, 1 << 20, &r, err, sizeof(err)) == 0,
	      "GET /params");
	if (!r.out)
		return;
	CHECK(!strncmp(r.out, "Status: 200 OK\r\n", 16), "CGI header block");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strstr(r.out, want[i]) != NULL, want[i]);
	CHECK(r.err && !strcmp(r.err, "a warning\n"), "FCGI_STDERR kept apart");
	CHECK(r.app_status == 0 && r.protocol_status == 0, "END_REQUEST read");
	fcgi_reply_free(&r);
}

static void test_big(void)
{
	struct fcgi_reply r;
	char err[256];
	const char *body;

	CHECK(get("/big", 2000, 1 << 20, &r, err, sizeof(err)) == 0,
	      "GET /big");
	body = r.out ? strstr(r.out, "\r\n\r\n") : NULL;
	CHECK(body && r.out + r.out_len - (body + 4) == BIG &&
		      strspn(body + 4, "x") == BIG,
	      "100000 bytes over many records");
	fcgi_reply_free(&r);
	CHECK(get("/big", 2000, 1000, &r, err, sizeof(err)) == -1 &&
		      strstr(err, "reply over 1000 bytes"),
	      "reply bounded by max");
}

static void test_timeouts(void)
{
	struct fcgi_reply r;
	struct timespec t0, t1;
	char err[256];
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(get("/stall", 200, 1 << 20, &r, err, sizeof(err)) == -1 &&
		      strstr(err, "timed out"),
	      "a silent server times out");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 190 && ms < 800, "within the timeout");
	strcpy(sock_path, "/nonexistent/novo.sock");
	CHECK(get("/params", 200, 1 << 20, &r, err, sizeof(err)) == -1 &&
		      strstr(err, "No such file"),
	      "no server: a clear error");
}

int main(void)
{
	pthread_t t;
	int n = 4;

	signal(SIGPIPE, SIG_IGN);
	snprintf(serve_path, sizeof(serve_path), "/tmp/novo-test-fcgi-%d.sock",
		 (int)getpid());
	strcpy(sock_path, serve_path);
	FCGX_Init();
	listen_fd = FCGX_OpenSocket(serve_path, 8);
	if (listen_fd < 0 || pthread_create(&t, NULL, server, &n)) {
		printf("cannot serve on %s\n", serve_path);
		return 2;
	}
	test_params();
	test_big();
	test_timeouts();
	pthread_join(t, NULL);
	unlink(serve_path);
	close(listen_fd);
	return UNIT_END();
}
