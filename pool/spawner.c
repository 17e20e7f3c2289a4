/* spawner.c - novod <-> spawner protocol, and the spawner process itself. */
#include "spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "violation.h"
#include "warm_child.h"

#define SPAWN_TIMEOUT_MS 5000
#define CONF_MAX (256 * 1024)
#define SPAWNER_NICE "-5" /* its autogroup's: see spawner_priority() */

extern char **environ;

static char *self_path;

/* First message to a spawner: these fields, then the function as text. */
struct spawner_hello {
	uint32_t magic;
	uint8_t sandbox;
	uint8_t drop_user;
	uint32_t uid;
	uint32_t gid;
};
#define HELLO_MAGIC 0x6e6f766fu

struct spawn_reply {
	int32_t pid;
	int32_t ok;
	int32_t own_session; /* no pid namespace: its session is its tree */
	int32_t placed; /* born off the first CPU */
	char msg[200];
};

int spawner_init(const char *self_exe)
{
	self_path = strdup(self_exe);
	return self_path ? 0 : -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int launch(int child_sock, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char ppid[24];
	char *argv[] = { self_path, "--spawner", ppid, NULL };
	int rc;

	snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, child_sock, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, self_path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

static int send_hello(int sock, const struct fn_config *fn,
		      const struct sandbox_opts *opts)
{
	struct spawner_hello h = { .magic = HELLO_MAGIC,
				   .sandbox = opts->enabled,
				   .drop_user = opts->drop_user,
				   .uid = opts->uid,
				   .gid = opts->gid };
	char *text = config_fn_to_text(fn);
	size_t tlen, len;
	char *msg;
	int rc;

	if (text == NULL)
		return -1;
	tlen = strlen(text);
	len = sizeof(h) + tlen;
	msg = malloc(len);
	if (msg == NULL || len > CONF_MAX) {
		free(text);
		free(msg);
		return -1;
	}
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), text, tlen);
	rc = fdpass_send(sock, msg, len, NULL, 0);
	free(text);
	free(msg);
	return rc;
}

int spawner_start(struct spawner *sp, const struct fn_config *fn,
		  const struct sandbox_opts *opts, char *err, size_t errlen)
{
	int sv[2], nfds, rc;
	char reply[512];
	ssize_t n;

	memset(sp, 0, sizeof(*sp));
	sp->sock = sp->pidfd = sp->notify = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	rc = launch(sv[1], &sp->pid);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		snprintf(err, errlen, "cannot start spawner: %s", strerror(rc));
		return -1;
	}
	sp->sock = sv[0];
	sp->pidfd = (int)syscall(SYS_pidfd_open, sp->pid, 0);
	if (send_hello(sp->sock, fn, opts)) {
		snprintf(err, errlen, "cannot send config to spawner");
		goto fail;
	}
	n = fdpass_recv(sp->sock, reply, sizeof(reply) - 1, &sp->notify, 1,
			&nfds, SPAWN_TIMEOUT_MS);
	if (n <= 0) {
		snprintf(err, errlen, "spawner did not answer");
		goto fail;
	}
	reply[n] = '\0';
	if (strncmp(reply, "ok ", 3) != 0) {
		snprintf(err, errlen, "%.200s", reply);
		goto fail;
	}
	if (nfds == 1)
		violation_watch(sp->notify);
	else
		sp->notify = -1;
	snprintf(sp->notes, sizeof(sp->notes), "%.250s", reply + 3);
	return 0;
fail:
	spawner_stop(sp);
	return -1;
}

void spawner_stop(struct spawner *sp)
{
	if (sp->notify >= 0)
		violation_unwatch(sp->notify); /* the watcher closes it */
	sp->notify = -1;
	if (sp->pid <= 0)
		return;
	close_fd(&sp->sock);
	/* a spawner exits on EOF at once; don't let a stuck one hang us */
	for (int i = 0; i < 100; i++) {
		int st = 0;

		if (waitpid(sp->pid, &st, WNOHANG) != 0) {
			if (WIFSIGNALED(st) || WEXITSTATUS(st) != 0)
				log_msg(LOG_WARN, "spawner %d ended: %s %d",
					(int)sp->pid,
					WIFSIGNALED(st) ? "signal" : "exit",
					WIFSIGNALED(st) ? WTERMSIG(st) :
							  WEXITSTATUS(st));
			goto reaped;
		}
		usleep(10000);
	}
	kill(sp->pid, SIGKILL);
	waitpid(sp->pid, NULL, 0);
reaped:
	close_fd(&sp->pidfd);
	sp->pid = 0;
}

bool spawner_dead(const struct spawner *sp)
{
	struct pollfd p = { .fd = sp->pidfd, .events = POLLIN };

	if (sp->pidfd < 0)
		return sp->pid <= 0;
	return poll(&p, 1, 0) > 0;
}

/* Waits for fd to be readable (or to hang up) until deadline_ns. */
static int wait_fd(int fd, short events, long long deadline_ns)
{
	struct pollfd pf = { .fd = fd, .events = events };
	struct timespec ts;
	long long left;
	int rc;

	do {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = deadline_ns - (ts.tv_sec * 1000000000LL + ts.tv_nsec);
		if (left <= 0)
			return -1;
		rc = poll(&pf, 1, (int)((left + 999999) / 1000000));
	} while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -1;
}

/*
 * The child's first line on its stderr: "R" once its sandbox is up,
 * "E<what>" when it could not set up. Read once, when it is first used.
 */
int child_ready(struct warm_child *c, long long deadline_ns, char *err,
		size_t errlen)
{
	char msg[96];
	ssize_t n;

	if (c->ready)
		return 0;
	n = read(c->err, msg, sizeof(msg) - 1);
	if (n < 0 && errno == EAGAIN &&
	    wait_fd(c->err, POLLIN, deadline_ns) == 0)
		n = read(c->err, msg, sizeof(msg) - 1);
	if (n <= 0) {
		snprintf(err, errlen, "warm child %s during set-up (pid %d)",
			 n == 0 ? "died" : "silent", (int)c->pid);
		return n == 0 ? 1 : -1;
	}
	msg[n] = '\0';
	if (msg[0] != 'R') {
		snprintf(err, errlen, "warm child set-up failed: %.80s",
			 msg + 1);
		return -1;
	}
	c->ready = true;
	return 0;
}

int spawner_request(struct spawner *sp, unsigned n, bool apart)
{
	unsigned char cmd[3] = { 'S', (unsigned char)(n > 255 ? 255 : n),
				 apart ? 'P' : 'A' };

	return fdpass_send(sp->sock, cmd, sizeof(cmd), NULL, 0);
}

int spawner_receive(struct spawner *sp, struct warm_child *c, char *err,
		    size_t errlen)
{
	struct spawn_reply r;
	int fds[4], nfds;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	c->pidfd = c->in = c->out = c->err = -1;
	n = fdpass_recv(sp->sock, &r, sizeof(r), fds, 4, &nfds,
			SPAWN_TIMEOUT_MS);
	if (n != (ssize_t)sizeof(r) || !r.ok || nfds != 4) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		r.msg[sizeof(r.msg) - 1] = '\0';
		snprintf(err, errlen, "spawn failed: %s",
			 n == (ssize_t)sizeof(r) ? r.msg :
			 n == 0			 ? "spawner exited" :
						   "spawner silent for 5 s");
		return n == (ssize_t)sizeof(r) ? -1 : -2;
	}
	c->pid = r.pid;
	c->own_session = r.own_session;
	c->placed = r.placed;
	c->pidfd = fds[0];
	c->in = fds[1];
	c->out = fds[2];
	c->err = fds[3];
	return 0;
}

/*
 * The environment goes first on the child's stdin, length-prefixed; the
 * body follows on the same pipe. The child reads exactly the environment.
 */
int child_start(struct warm_child *c, const char *env, size_t len,
		long long deadline_ns)
{
	uint32_t n32 = (uint32_t)len | (c->widen ? ENV_LEN_WIDEN : 0);
	struct iovec iov[2] = { { &n32, sizeof(n32) }, { (void *)env, len } };
	size_t left = sizeof(n32) + len;

	while (left > 0) {
		ssize_t n = writev(c->in, iov, 2);

		if (n < 0 && errno == EAGAIN &&
		    wait_fd(c->in, POLLOUT, deadline_ns) == 0)
			continue;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n < 0)
			continue;
		left -= (size_t)n;
		for (int i = 0; i < 2 && n > 0; i++) {
			size_t k = (size_t)n < iov[i].iov_len ? (size_t)n :
								iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			n -= (ssize_t)k;
		}
	}
	return 0;
}

void child_kill_session(struct warm_child *c)
{
	/* without a pid namespace (sandbox off) its session is its tree;
	 * only while not reaped: a reaped pid may be someone else's */
	if (c->own_session && c->pid > 0 && c->pidfd >= 0)
		kill(-c->pid, SIGKILL);
}

void child_kill(struct warm_child *c)
{
	if (c->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
	child_kill_session(c);
}

void child_close(struct warm_child *c)
{
	if (c->pidfd >= 0) {
		siginfo_t si;

		/* novod is the parent: reap here so no zombie is left */
		waitid((idtype_t)P_PIDFD, (id_t)c->pidfd, &si, WEXITED);
	}
	close_fd(&c->pidfd);
	close_fd(&c->in);
	close_fd(&c->out);
	close_fd(&c->err);
}

/* ---- the spawner process ---- */

struct spawner_state {
	struct fn_config fn;
	struct sandbox_plan *plan;
	int sock;
	int bin_fd, dir_fd; /* opened before dropping to the user */
};

/* Far above 0..4, which children dup2 onto. */
static int open_high(const char *path, int flags)
{
	int fd = open(path, flags | O_PATH | O_CLOEXEC);
	int high;

	if (fd < 0)
		return -1;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return high;
}

/*
 * Once sealed, the spawner runs under its function's filter: its calls
 * carry the key (SBX_CALL; close and exit are always allowed).
 */

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

/* The child's ends, and novod's: made per child, closed here after. */
struct child_pipes {
	int in[2], out[2], err[2];
};

/*
 * The six ends are usually the six lowest free fds, in a row: then one
 * close_range() instead of six close().
 */
static void close_pipes(struct child_pipes *p)
{
	int fds[6] = { p->in[0],  p->in[1],  p->out[0],
		       p->out[1], p->err[0], p->err[1] };
	int lo = fds[0], hi = fds[0];

	for (int i = 1; i < 6; i++) {
		lo = fds[i] < lo ? fds[i] : lo;
		hi = fds[i] > hi ? fds[i] : hi;
	}
	if (lo >= 0 && hi - lo == 5 &&
	    SBX_CALL(SYS_close_range, lo, hi, 0) == 0)
		return;
	close_pair(p->in);
	close_pair(p->out);
	close_pair(p->err);
}

static int make_pipes(struct child_pipes *p)
{
	*p = (struct child_pipes){ { -1, -1 }, { -1, -1 }, { -1, -1 } };
	if (SBX_CALL(SYS_pipe2, p->in, O_CLOEXEC, 0) ||
	    SBX_CALL(SYS_pipe2, p->out, O_CLOEXEC, 0) ||
	    SBX_CALL(SYS_pipe2, p->err, O_CLOEXEC, 0)) {
		close_pair(p->in);
		close_pair(p->out);
		close_pair(p->err);
		return -1;
	}
	return 0;
}

/* Sends novod the reply; ETOOMANYREFS passes once novod has read some. */
static int send_reply(int sock, struct spawn_reply *r, const int *fds, int n)
{
	static const struct timespec pause = { 0, 5000000 };

	for (int tries = 0; tries < 200; tries++) {
		if (fdpass_send(sock, r, sizeof(*r), fds, n) == 0)
			return 0;
		if (errno != ETOOMANYREFS && errno != ENOBUFS)
			return -1;
		SBX_CALL(SYS_nanosleep, &pause, NULL, 0);
	}
	return -1;
}

static int spawn_one(struct spawner_state *st, bool placed)
{
	struct spawn_reply r = { .ok = 0 };
	struct child_pipes p;
	struct child_fds cf;
	int pidfd = -1, rc;
	pid_t pid;

	if (make_pipes(&p) != 0) {
		snprintf(r.msg, sizeof(r.msg), "pipes: %s", strerror(errno));
		return send_reply(st->sock, &r, NULL, 0);
	}
	/* novod's ends never block a request thread: set here, not in novod */
	SBX_CALL(SYS_fcntl, p.in[1], F_SETFL, O_NONBLOCK);
	SBX_CALL(SYS_fcntl, p.out[0], F_SETFL, O_NONBLOCK);
	SBX_CALL(SYS_fcntl, p.err[0], F_SETFL, O_NONBLOCK);
	cf = (struct child_fds){ .in = p.in[0],
				 .out = p.out[1],
				 .err = p.err[1],
				 .bin = st->bin_fd,
				 .dir = st->dir_fd };
	pid = warm_child_clone(st->fn.path, st->plan, &cf, &pidfd);
	if (pid < 0)
		snprintf(r.msg, sizeof(r.msg), "clone: %s", strerror(errno));
	r.ok = pid > 0;
	r.placed = placed;
	r.pid = (int32_t)pid;
	r.own_session = !(sandbox_child_clone_flags(st->plan) & CLONE_NEWPID);
	{
		int fds[4] = { pidfd, p.in[1], p.out[0], p.err[0] };

		rc = send_reply(st->sock, &r, fds, r.ok ? 4 : 0);
	}
	if (pidfd >= 0)
		close(pidfd);
	close_pipes(&p);
	return rc;
}

static int spawner_setup(struct spawner_state *st, char *err, size_t errlen)
{
	static char buf[CONF_MAX + 1];
	struct spawner_hello h;
	struct sandbox_opts opts;
	int nfds;
	ssize_t n;

	n = fdpass_recv(st->sock, buf, CONF_MAX, NULL, 0, &nfds, 10000);
	if (n < (ssize_t)sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	buf[n] = '\0';
	if (h.magic != HELLO_MAGIC ||
	    config_fn_from_text(buf + sizeof(h), &st->fn, stderr)) {
		snprintf(err, errlen, "bad config message");
		return -1;
	}
	opts.enabled = h.sandbox;
	opts.drop_user = h.drop_user;
	opts.uid = h.uid;
	opts.gid = h.gid;
	st->plan = sandbox_prepare(&st->fn, &opts, err, errlen);
	if (st->plan == NULL)
		return -1;
	st->bin_fd = open_high(st->fn.path, 0);
	st->dir_fd = open_high(st->fn.dir, O_DIRECTORY);
	if (st->bin_fd < 0 || st->dir_fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", st->fn.path,
			 strerror(errno));
		return -1;
	}
	return sandbox_enter_spawner(st->plan, err, errlen);
}

/* "ok", the sandbox notes and the notification fd, if any; then sealed. */
static int spawner_seal(struct spawner_state *st)
{
	char msg[512];
	int nfd = sandbox_seal(st->plan), rc;

	if (nfd == -2) {
		snprintf(msg, sizeof(msg), "error seccomp: %s",
			 strerror(errno));
		fdpass_send(st->sock, msg, strlen(msg), NULL, 0);
		return -1;
	}
	snprintf(msg, sizeof(msg), "ok %s", sandbox_notes(st->plan));
	rc = fdpass_send(st->sock, msg, strlen(msg), &nfd, nfd >= 0);
	if (nfd >= 0)
		close(nfd);
	return rc;
}

static void spawner_die(const char *why)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "novo-spawner: %s: %s\n", why,
			 strerror(errno));

	SBX_CALL(SYS_write, 2, msg, n);
}

/*
 * Every request uses up a child: the spawner is on the path of all of
 * them, and when the functions it made outweigh it, requests queue for
 * children. A session of its own makes it a scheduling group of its own
 * under autogroup, not a share of novod's request threads' group (wrk
 * -c64: 13.2 context switches per request went to 11.6); that group at
 * nice -5, where novod may raise priorities (root: CAP_SYS_NICE), gets
 * children made before the functions run on (wrk -c16: 12.6 context
 * switches per request went to 11.7, 0-4% more requests). Its children
 * leave the group: each calls setsid. Terminal signals still go to novod.
 */
static void spawner_priority(void)
{
	int fd;

	if (setsid() < 0)
		return;
	fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, SPAWNER_NICE, sizeof(SPAWNER_NICE) - 1) < 0) {
		/* no CAP_SYS_NICE: the default priority, as every process */
	}
	close(fd);
}

int spawner_main(int argc, char **argv)
{
	struct spawner_state st = { .sock = 3 };
	char err[256] = "", msg[512];
	unsigned char cmd[3];
	int nfds;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc < 3 || getppid() != (pid_t)atoi(argv[2]))
		return 1; /* novod is already gone */
	prctl(PR_SET_NAME, "novo-spawner");
	spawner_priority();
	if (spawner_setup(&st, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "error %s", err);
		fdpass_send(st.sock, msg, strlen(msg), NULL, 0);
		return 1;
	}
	warm_child_place_init();
	if (spawner_seal(&st))
		return 1;
	/*
	 * "S", a count, and where: 'P' placed off the first CPU (one
	 * request at a time), 'A' anywhere. Made back to back, set up in parallel.
	 */
	while (fdpass_recv(st.sock, cmd, sizeof(cmd), NULL, 0, &nfds, -1) ==
	       3) {
		bool placed;

		if (cmd[0] != 'S')
			break;
		placed = warm_child_place(cmd[2] == 'P');
		for (unsigned i = 0; i < cmd[1]; i++)
			if (spawn_one(&st, placed)) {
				spawner_die("cannot send a child to novod");
				return 1;
			}
	}
	return 0;
}
