/* request.c - runs one request in a warm child and streams its answer. */
#include "request.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgi_env.h"
#include "cgi_header.h"
#include "control.h"
#include "log.h"
#include "pool.h"
#include "server.h"
#include "status.h"
#include "syscalls.h"
#include "violation.h"
#include "warm_child.h"

#define IO_CHUNK (64 * 1024)
#define FLUSH_AT (64 * 1024)
#define ENV_CAP (128 * 1024)
#define ERRLINE_MAX 1024
#define STDERR_BUDGET (64 * 1024)
#define PEER_GRACE_NS (2000LL * 1000000LL)
#define DRAIN_BUDGET (16LL * 1024 * 1024)
#define EXIT_TRIES 8
#define RETAKE_MAX 64 /* dead idle children skipped per request */

static struct request_ctx ctx;
static _Atomic unsigned long long req_counter;
static unsigned req_epoch;

void request_init(const struct request_ctx *c)
{
	ctx = *c;
	req_epoch = (unsigned)time(NULL);
}

struct req {
	FCGX_Request *rq;
	char id[20];
	const struct fn_config *fn;
	struct pool *pool;
	struct warm_child c;
	pid_t pid; /* c.pid, kept after the reap */
	long long t0, deadline;
	int status;
	const char *why; /* failure reason, NULL when fine */
	char why_buf[160];
	bool acquired, sent, aborted, out_eof, err_eof, exited;
	/* request body */
	long long body_left;
	char *in_buf;
	size_t in_len, in_off;
	/* response */
	char *hdr;
	size_t hdr_len;
	bool hdr_done;
	struct cgi_response resp;
	char *body;
	size_t body_len;
	unsigned long long out_total, bytes_sent;
	/* stderr */
	char errline[ERRLINE_MAX];
	size_t err_len, err_logged;
	siginfo_t si;
	struct rusage ru;
};

static void req_id(char *buf, size_t len)
{
	unsigned long long n = atomic_fetch_add(&req_counter, 1);

	snprintf(buf, len, "%08x%08llx", req_epoch, n & 0xffffffffULL);
}

static double ms_since(long long t0)
{
	return (double)(now_ns() - t0) / 1e6;
}

/* The peer timeout set on this worker's connection, 0 when none yet. */
static __thread long long peer_timeout_ns;

void request_new_connection(void)
{
	peer_timeout_ns = 0;
}

/*
 * A hostile or stalled FastCGI peer must not hold a worker past the
 * request's deadline: libfcgi's blocking reads and writes time out then.
 * Set when it changes: most requests on a connection are to one function.
 */
static void set_peer_timeout(FCGX_Request *rq, long long timeout_ns)
{
	struct timeval tv;

	if (timeout_ns == peer_timeout_ns)
		return;
	peer_timeout_ns = timeout_ns;
	tv.tv_sec = timeout_ns / 1000000000LL;
	tv.tv_usec = (timeout_ns % 1000000000LL) / 1000;
	setsockopt(rq->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(rq->ipcFd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A short plain-text answer from novod itself. */
static void respond_plain(struct req *r, int status, const char *extra,
			  const char *text)
{
	FCGX_FPrintF(r->rq->out,
		     "Status: %d %s\r\nContent-Type: text/plain\r\n"
		     "X-Request-Id: %s\r\n%s\r\n%s\n",
		     status, http_reason(status), r->id, extra ? extra : "",
		     text);
	r->status = status;
}

static void fail(struct req *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct req *r, int status, const char *fmt, ...)
{
	va_list ap;

	if (r->why)
		return; /* the first reason is the real one */
	va_start(ap, fmt);
	vsnprintf(r->why_buf, sizeof(r->why_buf), fmt, ap);
	va_end(ap);
	r->why = r->why_buf;
	r->status = status;
}

static int send_headers(struct req *r)
{
	return FCGX_FPrintF(r->rq->out,
			    "Status: %d %s\r\n%sX-Request-Id: %s\r\n\r\n",
			    r->resp.status, http_reason(r->resp.status),
			    r->resp.headers ? r->resp.headers : "", r->id) < 0 ?
		       -1 :
		       0;
}

static void flush_body(struct req *r)
{
	if (!r->sent) {
		r->sent = true;
		r->status = r->resp.status;
		if (send_headers(r))
			goto gone;
	}
	if (r->body_len > 0 &&
	    FCGX_PutStr(r->body, (int)r->body_len, r->rq->out) < 0)
		goto gone;
	r->bytes_sent += r->body_len;
	r->body_len = 0;
	return;
gone:
	fail(r, 499, "client or nginx went away");
}

static void body_append(struct req *r, const char *p, size_t n)
{
	unsigned long long max =
		(unsigned long long)r->fn->max_output_kb * 1024;

	r->out_total += n;
	if (r->out_total > max) {
		fail(r, 502, "output over max_output_kb (%u kb)",
		     r->fn->max_output_kb);
		return;
	}
	while (n > 0) {
		size_t room = FLUSH_AT - r->body_len;
		size_t k = n < room ? n : room;

		memcpy(r->body + r->body_len, p, k);
		r->body_len += k;
		p += k;
		n -= k;
		if (r->body_len == FLUSH_AT) {
			flush_body(r);
			if (r->why)
				return;
		}
	}
}

/* Collects the header block; what follows it in the same read is body. */
static void header_append(struct req *r, const char *p, size_t n)
{
	size_t room = CGI_HEADER_MAX - r->hdr_len;
	size_t k = n < room ? n : room;
	size_t old = r->hdr_len, end, blank;
	char err[128];

	memcpy(r->hdr + r->hdr_len, p, k);
	r->hdr_len += k;
	end = cgi_header_end(r->hdr, r->hdr_len);
	if (end == 0) {
		if (r->hdr_len == CGI_HEADER_MAX)
			fail(r, 502, "CGI header block over %d bytes",
			     CGI_HEADER_MAX);
		return;
	}
	blank = (end >= 2 && r->hdr[end - 2] == '\r') ? 2 : 1;
	if (cgi_header_parse(r->hdr, end - blank, &r->resp, err, sizeof(err))) {
		fail(r, 502, "malformed CGI header: %s", err);
		return;
	}
	r->hdr_done = true;
	/* the body starts at end: in this read, at p + (end - old) */
	body_append(r, p + (end - old), n - (end - old));
}

static void child_exited(struct req *r)
{
	if (r->exited)
		return; /* reaped at the end of its stdout, in this round */
	child_kill_session(&r->c); /* before the reap: its pid is still its */
	memset(&r->si, 0, sizeof(r->si));
	if (syscall(SYS_waitid, P_PIDFD, r->c.pidfd, &r->si, WEXITED | WNOHANG,
		    &r->ru) == 0 &&
	    r->si.si_pid != 0) {
		r->exited = true;
		close(r->c.pidfd); /* reaped: child_close must not wait */
		r->c.pidfd = -1;
		r->c.pid = 0; /* and its pid may be reused from now on */
	}
}

/*
 * Its stdout ended: the child is exiting, its exit status comes within
 * microseconds. Asking a few times, yielding the CPU in between, is
 * cheaper than sleeping in poll and being woken once more.
 */
static void await_exit(struct req *r)
{
	for (int i = 0; i < EXIT_TRIES && !r->exited; i++) {
		child_exited(r);
		if (!r->exited)
			sched_yield();
	}
}

static void stdout_ended(struct req *r)
{
	r->out_eof = true;
	await_exit(r);
}

static void read_stdout(struct req *r)
{
	char buf[IO_CHUNK];
	ssize_t n = read(r->c.out, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		stdout_ended(r);
		return;
	}
	if (r->hdr_done)
		body_append(r, buf, (size_t)n);
	else
		header_append(r, buf, (size_t)n);
}

/* A function cannot fill the disk through novod's log. */
static void err_flush(struct req *r)
{
	static const char cut[] = "[stderr over 64 KiB: the rest is dropped]";

	if (r->err_len > 0 && r->err_logged < STDERR_BUDGET) {
		r->err_logged += r->err_len;
		if (r->err_logged >= STDERR_BUDGET)
			log_fn_stderr(r->fn->name, r->id, cut, sizeof(cut) - 1);
		else
			log_fn_stderr(r->fn->name, r->id, r->errline,
				      r->err_len);
	}
	r->err_len = 0;
}

static void stderr_ended(struct req *r)
{
	err_flush(r);
	r->err_eof = true;
}

static void read_stderr(struct req *r)
{
	char buf[4096];
	ssize_t n = read(r->c.err, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		stderr_ended(r);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			err_flush(r);
			continue;
		}
		r->errline[r->err_len++] = buf[i];
		if (r->err_len == sizeof(r->errline))
			err_flush(r);
	}
}

/* Feeds the request body to the child's stdin, then closes it. */
static void write_stdin(struct req *r)
{
	if (r->in_off == r->in_len && r->body_left > 0) {
		size_t want = r->body_left < IO_CHUNK ? (size_t)r->body_left :
							IO_CHUNK;
		int got = FCGX_GetStr(r->in_buf, (int)want, r->rq->in);

		r->in_off = 0;
		r->in_len = got > 0 ? (size_t)got : 0;
		r->body_left = got > 0 ? r->body_left - got : 0;
	}
	if (r->in_off < r->in_len) {
		ssize_t n = write(r->c.in, r->in_buf + r->in_off,
				  r->in_len - r->in_off);

		if (n > 0)
			r->in_off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			r->in_off = r->in_len, r->body_left = 0; /* not read */
	}
	if (r->in_off == r->in_len && r->body_left == 0) {
		close(r->c.in);
		r->c.in = -1;
	}
}

static int poll_timeout(struct req *r)
{
	long long left = r->deadline - now_ns();

	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

/*
 * One descriptor the I/O loop watches: ready() on any event, a hang-up
 * too, and a pipe's end is its read(2) of 0. Not POLLHUP alone: the
 * kernel's pipe_poll() looks at the buffer and at the writers without a
 * lock, so a function that writes and exits while the loop polls can show
 * POLLHUP without POLLIN with its answer still in the pipe (in the
 * benchmark, once in ~30,000 requests polled without sleeping).
 */
struct watch {
	int fd;
	short events;
	void (*ready)(struct req *r);
};

/* What is still open, in the order it is served. */
static int watch_list(struct req *r, struct watch *w)
{
	int n = 0;

	if (r->c.in >= 0)
		w[n++] = (struct watch){ r->c.in, POLLOUT, write_stdin };
	if (!r->out_eof)
		w[n++] = (struct watch){ r->c.out, POLLIN, read_stdout };
	if (!r->err_eof)
		w[n++] = (struct watch){ r->c.err, POLLIN, read_stderr };
	if (!r->exited)
		w[n++] = (struct watch){ r->c.pidfd, POLLIN, child_exited };
	return n;
}

/* stderr may still hold the last words of a crash: read it, briefly. */
static void read_last_stderr(struct req *r)
{
	for (int i = 0; i < 64 && !r->err_eof && r->exited; i++) {
		struct pollfd pf = { .fd = r->c.err, .events = POLLIN };

		if (poll(&pf, 1, 20) <= 0)
			break;
		read_stderr(r);
	}
}

/*
 * A function taken alone runs off the first CPU (warm_child_place). This
 * thread, when it is on the first CPU, then asks for the function's answer
 * without sleeping, for up to busy_poll_us: a sleeping virtual CPU takes
 * 15-20 µs to wake, for the output and again for the exit, and nothing else
 * wants this CPU while one request is in flight. Another request ends it.
 */
static long long busy_poll_until(struct req *r)
{
	if (ctx.busy_poll_ns == 0 || !r->c.placed || r->c.widen ||
	    !warm_child_on_first_cpu())
		return 0;
	r->pool->stats->busy_polled++;
	return now_ns() + ctx.busy_poll_ns;
}

static void io_loop(struct req *r)
{
	long long busy_until = busy_poll_until(r);

	while (!r->why && !(r->out_eof && r->exited)) {
		struct watch w[4];
		struct pollfd pf[4];
		int n = watch_list(r, w), tmo = poll_timeout(r), rc;

		if (tmo == 0) {
			r->pool->stats->timeouts++;
			fail(r, 504, "timed out after %u ms",
			     r->fn->timeout_ms);
			break;
		}
		if (busy_until && (now_ns() >= busy_until || !pool_alone()))
			busy_until = 0;
		if (busy_until)
			tmo = 0;
		for (int i = 0; i < n; i++)
			pf[i] = (struct pollfd){ w[i].fd, w[i].events, 0 };
		rc = poll(pf, (nfds_t)n, tmo);
		if (rc < 0 && errno != EINTR) {
			fail(r, 502, "poll: %s", strerror(errno));
			break;
		}
		if (rc == 0 && busy_until)
			sched_yield(); /* polling takes no CPU that another wants */
		for (int i = 0; i < n; i++)
			if (pf[i].revents)
				w[i].ready(r);
	}
	read_last_stderr(r);
}

static const char *signal_reason(struct req *r, int sig, char *buf, size_t len)
{
	const char *name;
	int nr;
	long long cpu_ms =
		(r->ru.ru_utime.tv_sec + r->ru.ru_stime.tv_sec) * 1000LL +
		(r->ru.ru_utime.tv_usec + r->ru.ru_stime.tv_usec) / 1000;

	if (sig == SIGSYS) {
		r->pool->stats->violations++;
		return "killed: forbidden syscall";
	}
	if (sig == SIGKILL && violation_take(r->pid, r->t0, &nr)) {
		name = syscalls_name(nr);
		r->pool->stats->violations++;
		log_msg(LOG_WARN,
			"fn=%s req=%s pid=%d killed: forbidden syscall %s",
			r->fn->name, r->id, (int)r->pid, name ? name : "?");
		snprintf(buf, len, "killed: forbidden syscall %s",
			 name ? name : "?");
		return buf;
	}
	if (sig == SIGXCPU || (sig == SIGKILL && cpu_ms >= r->fn->cpu_ms))
		return "killed: over cpu_ms";
	return NULL;
}

/* Turns the exit status into a failure, when it is one. */
static void judge_exit(struct req *r)
{
	const char *why;
	char buf[96];

	if (r->why || !r->exited)
		return;
	if (r->si.si_code == CLD_KILLED || r->si.si_code == CLD_DUMPED) {
		why = signal_reason(r, r->si.si_status, buf, sizeof(buf));
		if (why)
			fail(r, 502, "%s", why);
		else
			fail(r, 502, "function crashed (%s)",
			     sigabbrev_np(r->si.si_status) ?
				     sigabbrev_np(r->si.si_status) :
				     "signal");
		return;
	}
	if (!r->hdr_done && r->si.si_status == 127 && r->out_total == 0 &&
	    r->hdr_len == 0)
		fail(r, 502, "function could not be executed");
	else if (!r->hdr_done)
		fail(r, 502, "no CGI header block (exit status %d)",
		     r->si.si_status);
}

/*
 * Reads what is left of the request's stdin, its end record included, so
 * that the kept-alive connection is clean for the next request. Past the
 * budget, or on a stalled peer, the connection is closed instead.
 */
static void drain_stdin(FCGX_Request *rq, long long budget)
{
	char buf[4096];
	int got;

	while (budget > 0 &&
	       (got = FCGX_GetStr(buf, (int)sizeof(buf), rq->in)) > 0)
		budget -= got;
	if (budget <= 0 || FCGX_GetError(rq->in) != 0)
		rq->keepConnection = 0;
}

static void finish(struct req *r)
{
	if (!r->why) {
		flush_body(r);
	} else if (r->sent) {
		/* cut the connection: nginx must not end the response cleanly */
		r->aborted = true;
		shutdown(r->rq->ipcFd, SHUT_RDWR);
		log_msg(LOG_WARN, "fn=%s req=%s response aborted: %s",
			r->fn->name, r->id, r->why);
	} else {
		respond_plain(r, r->status, NULL, r->why);
		log_msg(LOG_WARN, "fn=%s req=%s %d: %s", r->fn->name, r->id,
			r->status, r->why);
	}
}

/*
 * The acquired child is dead: reaped, and another in its slot. Returns
 * pool_retake's ACQ_ code.
 */
static int retake(struct req *r)
{
	int rc;

	child_kill(&r->c);
	child_close(&r->c);
	rc = pool_retake(r->pool, &r->c, r->deadline);
	if (rc == ACQ_OK)
		r->pid = r->c.pid;
	return rc;
}

/* No live child came: by the deadline a 504 and a timeout, as in admit(). */
static void fail_retake(struct req *r, int rc)
{
	if (rc == ACQ_TIMEOUT) {
		r->pool->stats->timeouts++;
		fail(r, 504, "timed out waiting for a live warm child");
	} else {
		fail(r, 502, "warm child lost");
	}
}

static int start_child(struct req *r, const struct cgi_target *t)
{
	static __thread char env[ENV_CAP];
	long len = cgi_env_build(r->rq->envp, t, r->pool->env_tmpl,
				 r->pool->env_tmpl_len, env, sizeof(env));

	if (len < 0) {
		fail(r, 502, "request environment too large");
		return -1;
	}
	for (int tries = 0; child_start(&r->c, env, (size_t)len, r->deadline);
	     tries++) {
		int rc = ACQ_BROKEN;

		/* killed while idle (from outside: OOM, an operator): the next */
		if (errno != EPIPE || tries == RETAKE_MAX ||
		    (rc = retake(r)) != ACQ_OK) {
			fail_retake(r, rc);
			return -1;
		}
	}
	if (r->body_left == 0) {
		close(r->c.in); /* no body: its stdin ends with the env */
		r->c.in = -1;
	}
	return 0;
}

static int admit(struct req *r)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->rq->envp);
	long long len = cl && *cl ? strtoll(cl, NULL, 10) : 0;
	int rc;

	if (len < 0 || len > (long long)r->fn->max_body_kb * 1024) {
		respond_plain(r, 413, NULL, "request body over max_body_kb");
		return -1;
	}
	r->body_left = len;
	rc = pool_acquire(r->pool, &r->c, r->deadline);
	if (rc == ACQ_FULL) {
		respond_plain(r, 503, "Retry-After: 1\r\n",
			      "function busy: queue full");
		return -1;
	}
	if (rc == ACQ_BROKEN) {
		respond_plain(r, 502, NULL,
			      "the function's sandbox cannot be set up "
			      "(see novod's log)");
		return -1;
	}
	if (rc == ACQ_TIMEOUT) {
		r->pool->stats->timeouts++;
		respond_plain(r, 504, NULL, "timed out waiting for a slot");
		return -1;
	}
	return 0;
}

/* Per worker thread: I/O buffers made once, not per request. */
static __thread char *bufs;

void request_thread_exit(void)
{
	free(bufs);
	bufs = NULL;
}

static void run_function(struct req *r, const struct cgi_target *t)
{
	if (bufs == NULL)
		bufs = malloc(IO_CHUNK + CGI_HEADER_MAX + FLUSH_AT);
	if (bufs == NULL) {
		respond_plain(r, 503, NULL, "out of memory");
		return;
	}
	r->in_buf = bufs;
	r->hdr = bufs + IO_CHUNK;
	r->body = bufs + IO_CHUNK + CGI_HEADER_MAX;
	if (admit(r))
		return;
	r->acquired = true;
	r->pid = r->c.pid;
	if (start_child(r, t) == 0)
		io_loop(r);
	if (!r->exited)
		child_kill(&r->c); /* a failure: nothing of it runs on */
	judge_exit(r);
	finish(r);
}

static void count(struct req *r, double ms)
{
	struct fn_stats *s = r->pool->stats;

	s->requests++;
	if (r->status < 300)
		s->r2xx++;
	else if (r->status < 400)
		s->r3xx++;
	else if (r->status < 500)
		s->r4xx++;
	else
		s->r5xx++;
	stats_latency(s, ms);
}

enum route { ROUTE_FUNCTION, ROUTE_STATUS, ROUTE_CONTROL, ROUTE_NONE };

/* Where a request goes; for a function, r->pool is set (a reference). */
static enum route route(struct req *r, struct cgi_target *t)
{
	const char *uri = FCGX_GetParam("DOCUMENT_URI", r->rq->envp);

	if (r->rq->role == CONTROL_ROLE)
		return ROUTE_CONTROL;
	if (uri == NULL)
		uri = FCGX_GetParam("SCRIPT_NAME", r->rq->envp);
	if (uri && ctx.status_path && strcmp(uri, ctx.status_path) == 0)
		return ROUTE_STATUS;
	if (cgi_target_parse(uri, t) == 0)
		r->pool = table_get(t->name, t->name_len);
	return r->pool ? ROUTE_FUNCTION : ROUTE_NONE;
}

/* What novod answers itself: returns the body's size. */
static size_t answer(struct req *r, enum route where)
{
	switch (where) {
	case ROUTE_CONTROL:
		r->status = control_handle(r->rq, r->id);
		return 0;
	case ROUTE_STATUS:
		r->status = 200;
		return status_respond(r->rq, r->id);
	default:
		respond_plain(r, 404, NULL, "no such function");
		return 0;
	}
}

void request_handle(FCGX_Request *rq)
{
	struct req r;
	struct cgi_target t;
	enum route where;
	size_t bytes = 0;
	double ms;

	memset(&r, 0, sizeof(r));
	r.rq = rq;
	r.t0 = now_ns();
	r.c.in = r.c.out = r.c.err = r.c.pidfd = -1;
	req_id(r.id, sizeof(r.id));
	where = route(&r, &t);
	r.fn = r.pool ? r.pool->fn : NULL;
	r.deadline = r.t0 + (r.fn ? r.fn->timeout_ms * 1000000LL : 0);
	/* one bound for every blocking libfcgi call of this request */
	set_peer_timeout(rq, r.deadline - r.t0 + PEER_GRACE_NS);
	if (where == ROUTE_FUNCTION)
		run_function(&r, &t);
	else
		bytes = answer(&r, where);
	if (!r.aborted)
		drain_stdin(rq, DRAIN_BUDGET);
	/* END_REQUEST now: nginx answers while we clean up */
	server_end_request(rq);
	child_close(&r.c);
	cgi_response_free(&r.resp);
	ms = ms_since(r.t0);
	if (r.pool) {
		bytes = r.bytes_sent;
		count(&r, ms);
		if (r.acquired)
			pool_release_put(r.pool);
		else
			pool_put(r.pool);
	}
	log_access(r.id, r.fn ? r.fn->name : "", r.aborted ? 0 : r.status,
		   bytes, ms);
}
