/* config_ini.c - feeds inih one line at a time and keeps the line number. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_ini.h"

void ini_error(struct ini_run *r, int line, const char *fmt, ...)
{
	va_list ap;

	r->errors++;
	if (!r->errs)
		return;
	fprintf(r->errs, "%s:%d: ", r->file, line);
	va_start(ap, fmt);
	vfprintf(r->errs, fmt, ap);
	va_end(ap);
	fputc('\n', r->errs);
}

/* The next raw line, without its newline; 0 at the end of input. */
static int next_line(struct ini_run *r, const char **line, size_t *len)
{
	ssize_t n;
	const char *nl;

	if (r->fp) {
		n = getline(&r->buf, &r->cap, r->fp);
		if (n < 0)
			return 0;
		if (n > 0 && r->buf[n - 1] == '\n')
			n--;
		*line = r->buf;
		*len = (size_t)n;
		return 1;
	}
	if (!*r->str)
		return 0;
	nl = strchr(r->str, '\n');
	*line = r->str;
	*len = nl ? (size_t)(nl - r->str) : strlen(r->str);
	r->str += *len + (nl != NULL);
	return 1;
}

/* As inih: the first of chars, or a ';' after white space, or the end. */
static const char *find_or_comment(const char *s, const char *end,
				   const char *chars)
{
	bool was_space = false;

	for (; s < end; s++) {
		if (strchr(chars, *s) || (was_space && *s == ';'))
			return s;
		was_space = isspace((unsigned char)*s);
	}
	return end;
}

static bool blank_or_comment(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s == end || *s == ';';
}

enum line_kind { LINE_OK, LINE_HIDE, LINE_BAD_HEADER };

/* "[name]": calls on_section, with NULL when malformed. */
static enum line_kind section_line(struct ini_run *r, const char *s,
				   const char *end)
{
	const char *close = find_or_comment(s + 1, end, "]");

	r->have_key = false;
	if (close == end || *close != ']') {
		ini_error(r, r->line, "missing \"]\" in section header");
		r->on_section(r, NULL, 0);
		return LINE_BAD_HEADER;
	}
	if (!blank_or_comment(close + 1, end)) {
		ini_error(r, r->line, "unexpected text after \"]\"");
		r->on_section(r, NULL, 0);
		return LINE_BAD_HEADER;
	}
	r->on_section(r, s + 1, (size_t)(close - s - 1));
	return LINE_OK;
}

/* Classifies a line as inih will, so that we know what it does. */
static enum line_kind classify(struct ini_run *r, const char *line, size_t len)
{
	const char *end = line + len, *s = line, *sep;

	if (r->line == 1 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	while (s < end && isspace((unsigned char)*s))
		s++;
	r->cont = false;
	if (s == end || *s == ';' || *s == '#')
		return LINE_OK;
	if (r->have_key && s > line) {
		r->cont = true;
		return LINE_OK;
	}
	if (*s == '[')
		return section_line(r, s, end);
	sep = find_or_comment(s, end, "=:");
	if (sep == end || *sep == ';') {
		ini_error(r, r->line, "expected \"key = value\"");
		return LINE_HIDE;
	}
	r->have_key = true;
	return LINE_OK;
}

static char *reader(char *out, int max, void *stream)
{
	struct ini_run *r = stream;
	const char *line;
	size_t len;

	if (!next_line(r, &line, &len))
		return NULL;
	r->line++;
	if (len > INI_LINE_MAX || len + 2 > (size_t)max) {
		ini_error(r, r->line,
			  "line longer than %d characters "
			  "(continue a list on indented lines)",
			  INI_LINE_MAX);
		strcpy(out, "\n");
		return out;
	}
	if (memchr(line, '\0', len)) {
		ini_error(r, r->line, "NUL byte in line");
		strcpy(out, "\n");
		return out;
	}
	switch (classify(r, line, len)) {
	case LINE_OK:
		break;
	case LINE_HIDE:
		strcpy(out, "\n");
		return out;
	case LINE_BAD_HEADER:
		/* still ends the previous key for inih's continuations */
		strcpy(out, "[]\n");
		return out;
	}
	memcpy(out, line, len);
	strcpy(out + len, "\n");
	return out;
}

#if INI_HANDLER_LINENO
static int on_pair(void *user, const char *section, const char *name,
		   const char *value, int lineno)
#else
static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
#endif
{
	struct ini_run *r = user;

	(void)section; /* inih truncates it: on_section keeps the real one */
	r->on_key(r, name, value, r->cont);
	return 1;
}

static void run(struct ini_run *r)
{
	r->line = 0;
	r->have_key = false;
	ini_parse_stream(reader, r, on_pair, r);
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

int ini_run_file(struct ini_run *r, const char *path)
{
	r->fp = fopen(path, "re");
	if (!r->fp)
		return -1;
	run(r);
	if (ferror(r->fp))
		ini_error(r, r->line, "read error: %s", strerror(errno));
	fclose(r->fp);
	r->fp = NULL;
	return 0;
}

void ini_run_string(struct ini_run *r, const char *text)
{
	r->str = text;
	run(r);
	r->str = NULL;
}
