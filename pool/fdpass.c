/*
 * fdpass.c - SCM_RIGHTS in both directions, with a bounded wait. A sealed
 * spawner uses these too: every call carries its key (sandbox_call).
 */
#include "fdpass.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

int fdpass_send(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > FDPASS_MAX)
		return -1;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	do
		n = sandbox_call(SYS_sendmsg, sock, (long)&msg, MSG_NOSIGNAL, 0,
				 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

static int wait_readable(int sock, int timeout_ms)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	int rc;

	do
		rc = (int)sandbox_call(SYS_poll, (long)&p, 1, timeout_ms, 0, 0);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc > 0 ? 0 : -1;
}

static ssize_t recv_once(int sock, struct msghdr *msg, int flags)
{
	ssize_t n;

	do
		n = sandbox_call(SYS_recvmsg, sock, (long)msg,
				 MSG_CMSG_CLOEXEC | flags, 0, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fds, int max,
		    int *nfds, int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	*nfds = 0;
	/* a message already queued (a batch of replies) needs no poll */
	n = timeout_ms < 0 ? -1 : recv_once(sock, &msg, MSG_DONTWAIT);
	if (n < 0 && (timeout_ms < 0 || errno == EAGAIN)) {
		if (timeout_ms >= 0 && wait_readable(sock, timeout_ms))
			return -1;
		n = recv_once(sock, &msg, 0);
	}
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		int cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < cnt; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (*nfds < max)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
		for (int i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}
