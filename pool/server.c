/* server.c - owns accept(2) so peers are checked before any FastCGI is read. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "request.h"

#define WORKERS_MAX 1024
#define DRAIN_GRACE_MS 500
#define BACKLOG 1024

struct worker {
	pthread_t thread;
	int fd; /* connection handed to this worker, -1 when idle */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_work = PTHREAD_COND_INITIALIZER;
static struct worker *workers[WORKERS_MAX];
static unsigned n_workers, n_idle;
static _Atomic bool stopping; /* written under lock */
static int listen_fd = -1, stop_fd = -1;
static int drain_fd = -1; /* readable once a graceful stop began */
static const struct server_config *server;

static int listen_unix(const struct server_config *srv, char *err,
		       size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(srv->listen_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long");
		return -1;
	}
	strcpy(sa.sun_path, srv->listen_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* a novod restarted at once must bind: the old file is stale */
	unlink(srv->listen_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	if (chmod(srv->listen_path, srv->listen_mode) != 0)
		goto fail;
	if ((srv->listen_owner && *srv->listen_owner) ||
	    (srv->listen_group && *srv->listen_group)) {
		struct passwd *pw = srv->listen_owner && *srv->listen_owner ?
					    getpwnam(srv->listen_owner) :
					    NULL;
		struct group *gr = srv->listen_group && *srv->listen_group ?
					   getgrnam(srv->listen_group) :
					   NULL;

		if (chown(srv->listen_path, pw ? pw->pw_uid : (uid_t)-1,
			  gr ? gr->gr_gid : (gid_t)-1) != 0)
			goto fail;
	}
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", srv->listen, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int listen_tcp(const struct server_config *srv, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[16];
	int fd = -1, one = 1, rc;

	snprintf(port, sizeof(port), "%u", srv->listen_port);
	rc = getaddrinfo(srv->listen_host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", srv->listen, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(err, errlen, "%s: %s", srv->listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int server_listen(const struct server_config *srv, char *err, size_t errlen)
{
	int fd = srv->listen_unix ? listen_unix(srv, err, errlen) :
				    listen_tcp(srv, err, errlen);

	if (fd >= 0 && listen(fd, BACKLOG) != 0) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Tells nginx, in a graceful stop, to drop a kept-alive connection it holds
 * idle: an empty FCGI_STDERR record for request 1 (the only id nginx uses).
 * Data on a connection in its keep-alive cache makes nginx close it; and if
 * nginx has just sent a request on it, it reads the record as the empty
 * start of that request's stderr and waits on for the answer, which comes.
 */
static int nudge(int fd)
{
	static const FCGI_Header none = { .version = FCGI_VERSION_1,
					  .type = FCGI_STDERR,
					  .requestIdB0 = 1 };

	ssize_t n = send(fd, &none, sizeof(none), MSG_NOSIGNAL | MSG_DONTWAIT);

	return n == (ssize_t)sizeof(none) ? 0 : -1;
}

/*
 * Waits for the next request on a kept-alive connection; -1 when the
 * connection is to be closed. In a graceful stop an idle connection is
 * not cut: nginx may be sending a request on it at that very moment, and
 * a POST it sent would be lost. It is nudged (above), and closed when
 * nginx closes it, or when DRAIN_GRACE_MS pass without a request; a
 * request that comes is served, and the connection closes after it (see
 * finish_last).
 */
static int wait_request(int fd)
{
	struct pollfd pf[2] = { { .fd = fd, .events = POLLIN },
				{ .fd = drain_fd, .events = POLLIN } };
	int rc;

	do
		rc = poll(pf, 2, -1);
	while (rc < 0 && errno == EINTR);
	if (!(pf[0].revents) && pf[1].revents) {
		if (nudge(fd) != 0)
			return -1;
		do
			rc = poll(pf, 1, DRAIN_GRACE_MS);
		while (rc < 0 && errno == EINTR);
		if (rc <= 0)
			return -1;
	}
	return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the peer is gone: nothing left to tell it */
		p += w;
		n -= (size_t)w;
	}
}

/*
 * The last answer on a connection, in a graceful stop. nginx keeps an
 * upstream FastCGI connection for its next request only when END_REQUEST
 * is the last byte of its read (ngx_http_fastcgi_module's input filters);
 * with more bytes behind it, it closes the connection instead. So the
 * records libfcgi ends the request with go out with an empty
 * FCGI_GET_VALUES_RESULT behind them, in one write, and nginx never sends
 * a request on a connection that is closing (a POST sent so would be
 * lost). libfcgi writes those records itself: here into a pipe, read back.
 * keepConnection 0 tells serve_connection that the connection ends (and
 * libfcgi closes the pipe's end, not the connection).
 */
static void finish_last(FCGX_Request *rq)
{
	static const FCGI_Header after = { .version = FCGI_VERSION_1,
					   .type = FCGI_GET_VALUES_RESULT };
	char buf[16384];
	size_t len = 0, room;
	ssize_t n;
	int p[2], fd = rq->ipcFd;

	rq->keepConnection = 0;
	if (pipe2(p, O_CLOEXEC) != 0) {
		FCGX_Finish_r(rq); /* writes, then closes the connection */
		return;
	}
	rq->ipcFd = p[1];
	FCGX_Finish_r(rq); /* at most its 8 KiB stdout buffer and the records */
	rq->ipcFd = fd;
	room = sizeof(buf) - sizeof(after);
	while (len < room && (n = read(p[0], buf + len, room - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	memcpy(buf + len, &after, sizeof(after));
	write_all(fd, buf, len + sizeof(after));
}

void server_end_request(FCGX_Request *rq)
{
	if (atomic_load(&stopping))
		finish_last(rq);
	else
		FCGX_Finish_r(rq);
}

/*
 * libfcgi accepts by itself; we hand it a connection we accepted and
 * checked instead: ipcFd set, keepConnection set so its first Finish does
 * not close it, and listen_sock -1 so it returns when the peer closes.
 */
static void serve_connection(int fd)
{
	FCGX_Request rq;

	FCGX_InitRequest(&rq, -1, 0);
	rq.ipcFd = fd;
	rq.keepConnection = 1;
	request_new_connection();
	/* keepConnection 0 after a request: nginx's, or a stop's (above) */
	while (rq.ipcFd >= 0 && rq.keepConnection) {
		if (wait_request(rq.ipcFd) != 0)
			break;
		if (FCGX_Accept_r(&rq) < 0)
			break;
		request_handle(&rq);
	}
	FCGX_Finish_r(&rq); /* a failed accept's clean-up; else a no-op */
	if (rq.ipcFd >= 0)
		close(rq.ipcFd);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	/* top -H, ps -L and perf tell novod's threads apart by these */
	pthread_setname_np(pthread_self(), "novod-req");
	for (;;) {
		int fd;

		pthread_mutex_lock(&lock);
		while (w->fd < 0 && !stopping)
			pthread_cond_wait(&cv_work, &lock);
		fd = w->fd;
		pthread_mutex_unlock(&lock);
		if (fd < 0)
			break;
		serve_connection(fd);
		pthread_mutex_lock(&lock);
		w->fd = -1;
		n_idle++;
		pthread_mutex_unlock(&lock);
	}
	request_thread_exit();
	return NULL;
}

/* Gives fd to an idle worker, or starts one. Called with lock held. */
static int dispatch(int fd)
{
	struct worker *w;

	for (unsigned i = 0; n_idle > 0 && i < n_workers; i++) {
		w = workers[i];
		if (w->fd < 0) {
			w->fd = fd;
			n_idle--;
			pthread_cond_broadcast(&cv_work);
			return 0;
		}
	}
	if (n_workers == WORKERS_MAX)
		return -1;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->fd = fd;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		free(w);
		return -1;
	}
	pthread_detach(w->thread);
	workers[n_workers++] = w;
	return 0;
}

static void peer_name(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), buf,
			(socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
}

static bool peer_allowed(int fd, const struct sockaddr_storage *ss)
{
	char name[64];

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return true; /* unix socket: file permissions decide */
	if (config_allowed(server, (const struct sockaddr *)ss))
		return true;
	peer_name(ss, name, sizeof(name));
	log_msg(LOG_WARN, "refused connection from %s: not in allow", name);
	close(fd);
	return false;
}

/* Returns 1 when the connection went to a worker. */
static int take_connection(int fd, const struct sockaddr_storage *ss)
{
	int rc;

	if (!peer_allowed(fd, ss))
		return 0;
	pthread_mutex_lock(&lock);
	rc = dispatch(fd);
	pthread_mutex_unlock(&lock);
	if (rc != 0) {
		log_msg(LOG_ERR, "no worker for a new connection");
		close(fd);
	}
	return rc == 0;
}

static void *accept_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "novod-accept");
	for (;;) {
		struct pollfd pf[2] = { { .fd = listen_fd, .events = POLLIN },
					{ .fd = stop_fd, .events = POLLIN } };
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd;

		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl,
			     SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				usleep(10000); /* let fds come back */
			continue;
		}
		take_connection(fd, &ss);
	}
	return NULL;
}

/*
 * Connections the kernel has completed but we have not accepted would be
 * reset by the close of the listening socket, with whatever request nginx
 * sent on them already (a POST it does not retry): in a stop they are
 * accepted and served like the others. Returns how many there were.
 */
static unsigned accept_queued(void)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned n = 0;
	int fd;

	if (fcntl(listen_fd, F_SETFL, O_NONBLOCK) != 0)
		return 0;
	while ((fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl,
			     SOCK_CLOEXEC)) >= 0) {
		n += take_connection(fd, &ss);
		sl = sizeof(ss);
	}
	return n;
}

static pthread_t accept_thread;

int server_start(int fd, const struct server_config *srv)
{
	listen_fd = fd;
	server = srv;
	stop_fd = eventfd(0, EFD_CLOEXEC);
	drain_fd = eventfd(0, EFD_CLOEXEC);
	if (stop_fd < 0 || drain_fd < 0)
		return -1;
	return pthread_create(&accept_thread, NULL, accept_main, NULL) ? -1 : 0;
}

void server_stop_accepting(void)
{
	uint64_t one = 1;
	unsigned queued;

	if (stop_fd < 0)
		return;
	if (write(stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(accept_thread, NULL);
	queued = accept_queued();
	if (queued > 0)
		log_msg(LOG_NOTICE,
			"stop: %u connection(s) waiting to be "
			"accepted, taken and served",
			queued);
	close(listen_fd);
	listen_fd = -1;
	if (server && server->listen_unix)
		unlink(server->listen_path);
}

void server_close_idle(void)
{
	uint64_t one = 1;

	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&cv_work);
	pthread_mutex_unlock(&lock);
	if (drain_fd >= 0 && write(drain_fd, &one, sizeof(one)) != sizeof(one))
		log_msg(LOG_ERR, "graceful stop: cannot wake idle connections");
}

unsigned server_open(void)
{
	unsigned open = 0;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < n_workers; i++)
		open += workers[i]->fd >= 0;
	pthread_mutex_unlock(&lock);
	return open;
}
