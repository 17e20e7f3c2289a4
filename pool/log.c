/* log.c - line-oriented log with reopen; each line is one write(2). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = 2;
static char *log_path;

static const char *const level_names[] = { "error", "warn", "notice", "info" };

int log_open(const char *path)
{
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&log_lock);
	if (log_fd == 2) {
		log_fd = fd;
	} else {
		/* in place: a thread writing meanwhile never sees a closed fd */
		dup3(fd, log_fd, O_CLOEXEC);
		close(fd);
	}
	if (log_path != path) {
		free(log_path);
		log_path = strdup(path);
	}
	pthread_mutex_unlock(&log_lock);
	return 0;
}

int log_reopen(void)
{
	char *path;
	int rc;

	pthread_mutex_lock(&log_lock);
	path = log_path ? strdup(log_path) : NULL;
	pthread_mutex_unlock(&log_lock);
	if (path == NULL)
		return 0;
	rc = log_open(path);
	free(path);
	return rc;
}

static size_t log_stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	return strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ ", &tm);
}

/*
 * One write per line keeps lines whole when several threads log (an
 * O_APPEND file, or a pipe for lines under PIPE_BUF): no lock needed.
 */
static void log_write(char *line, size_t len, size_t cap)
{
	if (len >= cap)
		len = cap - 1;
	if (len == 0 || line[len - 1] != '\n')
		line[len++] = '\n';
	while (len > 0) {
		ssize_t n = write(log_fd, line, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		line += n;
		len -= (size_t)n;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[4096];
	size_t len;
	int n;
	va_list ap;

	len = log_stamp(line, sizeof(line));
	n = snprintf(line + len, sizeof(line) - len, "[%s] ",
		     level_names[level]);
	len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += (size_t)n;
	log_write(line, len, sizeof(line) - 1);
}

void log_access(const char *req_id, const char *fn, int status,
		unsigned long long bytes, double ms)
{
	char line[512];
	size_t len;
	int n;

	len = log_stamp(line, sizeof(line));
	n = snprintf(line + len, sizeof(line) - len,
		     "req=%s fn=%s status=%d bytes=%llu ms=%.3f", req_id,
		     fn[0] ? fn : "-", status, bytes, ms);
	if (n > 0)
		len += (size_t)n;
	log_write(line, len, sizeof(line) - 1);
}

void log_fn_stderr(const char *fn, const char *req_id, const char *text,
		   size_t len)
{
	char line[4096];
	size_t off;
	int n;

	off = log_stamp(line, sizeof(line));
	n = snprintf(line + off, sizeof(line) - off, "fn=%s req=%s ", fn,
		     req_id);
	off += (size_t)n;
	if (len > sizeof(line) - off - 2)
		len = sizeof(line) - off - 2;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		/* a function cannot forge log lines or terminal escapes */
		line[off++] = (c < 0x20 && c != '\t') || c == 0x7f ? '?' :
								     (char)c;
	}
	log_write(line, off, sizeof(line) - 1);
}
