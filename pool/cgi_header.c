/* cgi_header.c - validates a function's CGI headers before nginx sees them. */
#include "cgi_header.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t cgi_header_end(const char *buf, size_t len)
{
	/* a block that is only a blank line: no headers at all */
	if (len >= 1 && buf[0] == '\n')
		return 1;
	if (len >= 2 && buf[0] == '\r' && buf[1] == '\n')
		return 2;
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

static bool valid_value(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static int parse_status(const char *v, size_t len, int *status)
{
	int s = 0;

	if (len < 3)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		s = s * 10 + (v[i] - '0');
	}
	if (s < 100 || s > 599 || (len > 3 && v[3] != ' '))
		return -1;
	*status = s;
	return 0;
}

struct hdr_state {
	struct cgi_response *r;
	size_t cap;
	bool has_type, has_location, has_status;
};

static int append(struct hdr_state *st, const char *name, size_t nlen,
		  const char *val, size_t vlen)
{
	struct cgi_response *r = st->r;
	size_t need = r->headers_len + nlen + vlen + 5;

	if (need > st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 512;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(r->headers, cap);
		if (p == NULL)
			return -1;
		r->headers = p;
		st->cap = cap;
	}
	memcpy(r->headers + r->headers_len, name, nlen);
	r->headers_len += nlen;
	memcpy(r->headers + r->headers_len, ": ", 2);
	r->headers_len += 2;
	memcpy(r->headers + r->headers_len, val, vlen);
	r->headers_len += vlen;
	memcpy(r->headers + r->headers_len, "\r\n", 2);
	r->headers_len += 2;
	r->headers[r->headers_len] = '\0';
	return 0;
}

static int parse_line(struct hdr_state *st, const char *line, size_t len,
		      char *err, size_t errlen)
{
	const char *colon = memchr(line, ':', len);
	size_t nlen, vlen;
	const char *val;

	if (colon == NULL || colon == line) {
		snprintf(err, errlen, "header line without a name and colon");
		return -1;
	}
	nlen = (size_t)(colon - line);
	for (size_t i = 0; i < nlen; i++) {
		if (!is_token_char((unsigned char)line[i])) {
			snprintf(err, errlen, "bad character in header name");
			return -1;
		}
	}
	val = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*val == ' ' || *val == '\t'))
		val++, vlen--;
	while (vlen > 0 && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'))
		vlen--;
	if (!valid_value(val, vlen)) {
		snprintf(err, errlen, "control character in header %.*s",
			 (int)(nlen > 64 ? 64 : nlen), line);
		return -1;
	}
	if (nlen == 6 && strncasecmp(line, "Status", 6) == 0) {
		if (st->has_status || parse_status(val, vlen, &st->r->status)) {
			snprintf(err, errlen, "bad Status header");
			return -1;
		}
		st->has_status = true;
		return 0;
	}
	/* novod's own id is the one a response carries */
	if (nlen == 12 && strncasecmp(line, "X-Request-Id", 12) == 0)
		return 0;
	if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0)
		st->has_type = true;
	if (nlen == 8 && strncasecmp(line, "Location", 8) == 0) {
		if (vlen == 0) {
			snprintf(err, errlen, "empty Location header");
			return -1;
		}
		st->has_location = true;
	}
	if (append(st, line, nlen, val, vlen)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int cgi_header_parse(const char *buf, size_t len, struct cgi_response *r,
		     char *err, size_t errlen)
{
	struct hdr_state st = { .r = r };
	size_t pos = 0;

	memset(r, 0, sizeof(*r));
	r->status = 200;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t llen = end - pos;

		if (llen > 0 && buf[pos + llen - 1] == '\r')
			llen--;
		if (llen > 0 && parse_line(&st, buf + pos, llen, err, errlen))
			goto bad;
		pos = end + 1;
	}
	if (!st.has_type && !st.has_location && !st.has_status) {
		snprintf(err, errlen,
			 "no Content-Type, Location or Status header");
		goto bad;
	}
	if (st.has_location && !st.has_status)
		r->status = 302;
	return 0;
bad:
	cgi_response_free(r);
	return -1;
}

void cgi_response_free(struct cgi_response *r)
{
	free(r->headers);
	r->headers = NULL;
	r->headers_len = 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Content Too Large";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "";
	}
}
