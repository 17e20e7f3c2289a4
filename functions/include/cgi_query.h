/*
 * cgi_query.h - one parameter of a CGI QUERY_STRING, for the example
 * functions (header-only: each function stays one static binary).
 */
#ifndef NOVO_FN_CGI_QUERY_H
#define NOVO_FN_CGI_QUERY_H

#include <string.h>

/*
 * Finds key=value in a query string: returns a pointer to the value and
 * its length in *len, or NULL when the key is absent. The value is not
 * decoded: callers accept only characters that need no decoding.
 */
static inline const char *query_param(const char *qs, const char *key,
				      size_t *len)
{
	size_t klen = strlen(key);

	while (qs && *qs) {
		size_t plen = strcspn(qs, "&");

		if (plen > klen && strncmp(qs, key, klen) == 0 &&
		    qs[klen] == '=') {
			*len = plen - klen - 1;
			return qs + klen + 1;
		}
		qs += plen;
		if (*qs == '&')
			qs++;
	}
	return NULL;
}

#endif
