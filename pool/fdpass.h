/* fdpass.h - messages with file descriptors over unix sockets. */
#ifndef NOVO_FDPASS_H
#define NOVO_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

#define FDPASS_MAX 8

/* One message of len bytes with nfds descriptors (SCM_RIGHTS). */
int fdpass_send(int sock, const void *buf, size_t len, const int *fds,
		int nfds);

/*
 * Receives one message; fds[] gets up to max descriptors (CLOEXEC), *nfds
 * how many came. Returns the byte count, 0 on EOF, -1 on error. Waits at
 * most timeout_ms (-1: forever).
 */
ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fds, int max,
		    int *nfds, int timeout_ms);

#endif
