/* cgi_header.h - the CGI response header block (RFC 3875 section 6). */
#ifndef NOVO_CGI_HEADER_H
#define NOVO_CGI_HEADER_H

#include <stddef.h>

#define CGI_HEADER_MAX (64 * 1024)

/*
 * Finds the blank line that ends the header block in buf. Returns the
 * offset of the body (just past the blank line), or 0 when the block is
 * not complete yet. Accepts LF and CRLF line ends.
 */
size_t cgi_header_end(const char *buf, size_t len);

struct cgi_response {
	int status; /* 200 unless Status: or Location: says otherwise */
	char *headers; /* normalized "Name: value\r\n" lines, malloc'd */
	size_t headers_len;
};

/*
 * Parses the header block buf[0..len) (without the blank line). Returns 0,
 * or -1 with a one-line reason in err when the block is malformed: a line
 * without a colon, a bad header name, a bad Status, a control character,
 * or none of Content-Type, Location, Status.
 */
int cgi_header_parse(const char *buf, size_t len, struct cgi_response *r,
		     char *err, size_t errlen);

void cgi_response_free(struct cgi_response *r);

const char *http_reason(int status);

#endif
