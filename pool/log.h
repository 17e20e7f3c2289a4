/* log.h - novod's log: one line per event, safe from any thread. */
#ifndef NOVO_LOG_H
#define NOVO_LOG_H

#include <stddef.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_NOTICE, LOG_INFO };

/* path NULL or "": stderr. Returns 0, or -1 with errno set. */
int log_open(const char *path);
/* SIGUSR1: reopen the same path (after logrotate moved it). */
int log_reopen(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One access line per request. */
void log_access(const char *req_id, const char *fn, int status,
		unsigned long long bytes, double ms);

/* A line a function wrote on stderr, tagged with its function and request. */
void log_fn_stderr(const char *fn, const char *req_id, const char *line,
		   size_t len);

#endif
