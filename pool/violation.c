/*
 * violation.c - one thread reads the seccomp notifications of every
 * spawner. A spawner's filter is inherited by all its children, so one fd
 * reports them all; the notification names the offending task, and the
 * process to kill is its ancestor that novod started (the function, init
 * of its pid namespace: killing it ends every task under it). The kill is
 * remembered, so that the request that ran the function can say why.
 */
#include "violation.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "pool.h"
#include "sandbox.h"
#include "syscalls.h"

#define KILLED_MAX 64
#define ROOT_DEPTH 64

struct watched {
	int fd;
	bool gone; /* unwatched: the watcher closes it */
	bool hup; /* no task uses the filter any more */
};

struct killed {
	pid_t pid;
	int nr;
	long long at;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct watched *watched;
static size_t n_watched, cap_watched;
static int wake_fd = -1;
static struct killed killed[KILLED_MAX];
static unsigned next_killed;

static void wake(void)
{
	uint64_t one = 1;

	if (wake_fd >= 0)
		(void)!write(wake_fd, &one, sizeof(one));
}

void violation_watch(int fd)
{
	pthread_mutex_lock(&lock);
	if (n_watched == cap_watched) {
		size_t cap = cap_watched ? cap_watched * 2 : 16;
		struct watched *w = realloc(watched, cap * sizeof(*w));

		if (w == NULL) {
			pthread_mutex_unlock(&lock);
			log_msg(LOG_ERR, "out of memory: a spawner's "
					 "violations go unread");
			close(fd);
			return;
		}
		watched = w;
		cap_watched = cap;
	}
	watched[n_watched++] = (struct watched){ .fd = fd };
	pthread_mutex_unlock(&lock);
	wake();
}

void violation_unwatch(int fd)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_watched && !found; i++) {
		if (watched[i].fd != fd || watched[i].gone)
			continue;
		found = true;
		if (wake_fd >= 0)
			watched[i].gone = true; /* the watcher may poll it */
		else
			watched[i] = watched[--n_watched];
	}
	pthread_mutex_unlock(&lock);
	if (found && wake_fd >= 0)
		wake();
	else
		close(fd);
}

bool violation_take(pid_t pid, long long since_ns, int *nr)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < KILLED_MAX && !found; i++) {
		if (killed[i].pid != pid || killed[i].at < since_ns)
			continue;
		*nr = killed[i].nr;
		killed[i].pid = 0;
		found = true;
	}
	pthread_mutex_unlock(&lock);
	return found;
}

static void remember(pid_t pid, int nr)
{
	pthread_mutex_lock(&lock);
	killed[next_killed++ % KILLED_MAX] =
		(struct killed){ .pid = pid, .nr = nr, .at = now_ns() };
	pthread_mutex_unlock(&lock);
}

/* Fields 4 and 6 of /proc/PID/stat: its parent and its session. */
static int stat_of(pid_t pid, pid_t *ppid, pid_t *sid)
{
	char path[40], buf[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold anything */
	if (p == NULL || sscanf(p + 1, " %*c %d %*d %d", ppid, sid) != 2)
		return -1;
	return 0;
}

/*
 * The ancestor of pid whose parent is novod. Orphans of a function are
 * reparented to it (init of its pid namespace); without a pid namespace
 * the function leads its own session.
 */
static pid_t root_of(pid_t pid)
{
	pid_t self = getpid(), ppid, sid, first_sid = 0;

	for (int i = 0; i < ROOT_DEPTH; i++) {
		if (stat_of(pid, &ppid, &sid) < 0)
			return -1;
		if (i == 0)
			first_sid = sid;
		if (ppid == self)
			return pid;
		if (ppid <= 1)
			break;
		pid = ppid;
	}
	if (first_sid > 1 && stat_of(first_sid, &ppid, &sid) == 0 &&
	    ppid == self)
		return first_sid;
	return -1;
}

static void close_if_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void kill_pidfd(int pidfd)
{
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	close_if_open(pidfd);
}

/*
 * The offender stays blocked in its call until it dies: while the
 * notification is valid, the pids read above still name the right tasks.
 */
static void on_notification(int fd)
{
	unsigned long long id;
	const char *name;
	int nr, offender, root;
	pid_t pid, top;

	if (sandbox_notif_recv(fd, &id, &nr, &pid) < 0)
		return; /* ENOENT: it died meanwhile */
	top = root_of(pid);
	offender = (int)syscall(SYS_pidfd_open, pid, 0);
	root = top > 0 && top != pid ? (int)syscall(SYS_pidfd_open, top, 0) :
				       -1;
	if (!sandbox_notif_valid(fd, id)) {
		close_if_open(offender);
		close_if_open(root);
		return;
	}
	name = syscalls_name(nr);
	if (top > 0)
		remember(top, nr);
	log_msg(LOG_INFO, "seccomp: pid %d (of process %d) called %s: killed",
		(int)pid, (int)top, name ? name : "?");
	kill_pidfd(root);
	kill_pidfd(offender);
}

/* The fds to poll: wake_fd first. Closes the unwatched ones. */
static size_t poll_set(struct pollfd **pf, size_t *cap)
{
	size_t n = 1, kept = 0;

	pthread_mutex_lock(&lock);
	if (*cap < n_watched + 1) {
		struct pollfd *p = realloc(*pf, (n_watched + 1) * sizeof(*p));

		if (p != NULL) {
			*pf = p;
			*cap = n_watched + 1;
		}
	}
	(*pf)[0] = (struct pollfd){ .fd = wake_fd, .events = POLLIN };
	for (size_t i = 0; i < n_watched; i++) {
		if (watched[i].gone) {
			close(watched[i].fd);
			continue;
		}
		watched[kept++] = watched[i];
		if (!watched[i].hup && n < *cap)
			(*pf)[n++] = (struct pollfd){ .fd = watched[i].fd,
						      .events = POLLIN };
	}
	n_watched = kept;
	pthread_mutex_unlock(&lock);
	return n;
}

static void mark_hup(int fd)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_watched; i++)
		if (watched[i].fd == fd)
			watched[i].hup = true;
	pthread_mutex_unlock(&lock);
}

static void *watcher(void *arg)
{
	struct pollfd *pf = NULL;
	size_t cap = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "novod-watch");
	pf = calloc(1, sizeof(*pf));
	if (pf == NULL)
		return NULL;
	cap = 1;
	for (;;) {
		size_t n = poll_set(&pf, &cap);
		uint64_t v;

		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "violation watcher: poll: %s",
				strerror(errno));
			return NULL;
		}
		if (pf[0].revents)
			(void)!read(wake_fd, &v, sizeof(v));
		for (size_t i = 1; i < n; i++) {
			if (pf[i].revents & POLLIN)
				on_notification(pf[i].fd);
			else if (pf[i].revents)
				mark_hup(pf[i].fd);
		}
	}
}

int violation_start(void)
{
	pthread_t t;

	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wake_fd < 0)
		return -1;
	if (pthread_create(&t, NULL, watcher, NULL) != 0) {
		close(wake_fd);
		wake_fd = -1;
		return -1;
	}
	pthread_detach(t);
	return 0;
}
