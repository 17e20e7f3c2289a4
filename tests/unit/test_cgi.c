/* test_cgi.c - the CGI header parser and the request environment. */
#include <stdlib.h>
#include <string.h>

#include "cgi_env.h"
#include "cgi_header.h"
#include "unit.h"

static int parse(const char *block, struct cgi_response *r)
{
	char err[128];

	return cgi_header_parse(block, strlen(block), r, err, sizeof(err));
}

static void test_header_end(void)
{
	const char *a = "Content-Type: text/plain\n\nbody";
	const char *b = "Content-Type: text/plain\r\n\r\nbody";

	CHECK(cgi_header_end(a, strlen(a)) == strlen(a) - 4, "LF end");
	CHECK(cgi_header_end(b, strlen(b)) == strlen(b) - 4, "CRLF end");
	CHECK(cgi_header_end("Content-Type: x\n", 16) == 0, "incomplete");
	CHECK(cgi_header_end("\nbody", 5) == 1, "empty block");
}

static void test_header_parse(void)
{
	struct cgi_response r;

	CHECK(parse("Content-Type: text/plain", &r) == 0 && r.status == 200,
	      "plain 200");
	CHECK(strstr(r.headers, "Content-Type: text/plain\r\n") != NULL,
	      "header kept");
	cgi_response_free(&r);
	CHECK(parse("Status: 404 Nope\nContent-Type: a/b", &r) == 0 &&
		      r.status == 404,
	      "Status header");
	CHECK(strstr(r.headers, "Status") == NULL, "Status not repeated");
	cgi_response_free(&r);
	CHECK(parse("Location: http://x/", &r) == 0 && r.status == 302,
	      "Location alone is 302");
	cgi_response_free(&r);
	CHECK(parse("X-Custom:  v  \r\nContent-Type: t", &r) == 0 &&
		      strstr(r.headers, "X-Custom: v\r\n"),
	      "other headers passed, trimmed");
	cgi_response_free(&r);
	CHECK(parse("X-Only: 1", &r) == -1, "no type/location/status");
	CHECK(parse("garbage line", &r) == -1, "no colon");
	CHECK(parse("Bad Name: 1\nContent-Type: t", &r) == -1, "space in name");
	CHECK(parse("Status: abc\nContent-Type: t", &r) == -1, "bad status");
	CHECK(parse("Status: 999\nContent-Type: t", &r) == -1, "status range");
	CHECK(parse("Content-Type: a\x01", &r) == -1, "control char");
	CHECK(parse("Status: 200\nStatus: 201", &r) == -1, "two Status");
}

static void test_target(void)
{
	struct cgi_target t;

	CHECK(cgi_target_parse("/fn/hello", &t) == 0 && t.name_len == 5 &&
		      !strcmp(t.path_info, "") && t.script_len == 9,
	      "plain name");
	CHECK(cgi_target_parse("/fn/echo/a/b", &t) == 0 &&
		      !strcmp(t.path_info, "/a/b") && t.name_len == 4,
	      "path info");
	CHECK(cgi_target_parse("/fn/../x", &t) == -1, "dot dot");
	CHECK(cgi_target_parse("/fn/", &t) == -1, "empty name");
	CHECK(cgi_target_parse("/other/x", &t) == -1, "outside /fn/");
	CHECK(cgi_target_parse(NULL, &t) == -1, "no uri");
}

static void test_env(void)
{
	char *params[] = { "REQUEST_METHOD=GET",
			   "HTTP_X_A=1",
			   "HTTP_PROXY=evil",
			   "DOCUMENT_ROOT=/srv",
			   "CONTENT_LENGTH=",
			   "SCRIPT_FILENAME=/x",
			   NULL };
	struct fn_config fn;
	char *tmpl;
	size_t tlen = 0;
	struct cgi_target t;
	char *envs[] = { "K=V" };
	char buf[1024];
	long len;
	char flat[1024];

	memset(&fn, 0, sizeof(fn));
	fn.env.v = envs;
	fn.env.n = 1;
	cgi_target_parse("/fn/echo/p", &t);
	tmpl = cgi_env_template(&fn, &tlen);
	CHECK(tmpl != NULL && tlen == strlen("GATEWAY_INTERFACE=CGI/1.1") + 5,
	      "template: gateway and the env pair");
	len = cgi_env_build(params, &t, tmpl, tlen, buf, sizeof(buf));
	CHECK(len > 0, "env built");
	for (long i = 0; i < len; i++)
		flat[i] = buf[i] ? buf[i] : '|';
	flat[len > 0 ? len : 0] = '\0';
	CHECK(strstr(flat, "|REQUEST_METHOD=GET|") != NULL, "method passed");
	CHECK(strstr(flat, "HTTP_X_A=1") != NULL, "header passed");
	CHECK(strstr(flat, "HTTP_PROXY") == NULL, "httpoxy dropped");
	CHECK(strstr(flat, "DOCUMENT_ROOT") == NULL, "host path dropped");
	CHECK(strstr(flat, "SCRIPT_FILENAME") == NULL, "host path dropped");
	CHECK(strstr(flat, "CONTENT_LENGTH") == NULL, "empty length dropped");
	CHECK(strstr(flat, "SCRIPT_NAME=/fn/echo|") != NULL, "script name");
	CHECK(strstr(flat, "PATH_INFO=/p|") != NULL, "path info");
	CHECK(strstr(flat, "GATEWAY_INTERFACE=CGI/1.1|") != NULL, "gateway");
	CHECK(strstr(flat, "|K=V|") != NULL, "env pairs");
	CHECK(strstr(flat, "SCRIPT_NAME=/fn/echo|") < strstr(flat, "K=V|"),
	      "request variables before the function's pairs");
	CHECK(cgi_env_build(params, &t, tmpl, tlen, buf, 20) == -1, "overflow");
	CHECK(cgi_env_build(params, &t, tmpl, tlen, buf, (size_t)len - 1) == -1,
	      "no room for the template");
	free(tmpl);
}

int main(void)
{
	test_header_end();
	test_header_parse();
	test_target();
	test_env();
	return UNIT_END();
}
