/*
 * test_sandbox.c - syscalls_resolve() and the sandbox, on real processes.
 *
 * A forked "spawner" runs sandbox_prepare/enter_spawner and forks a sealed
 * spawner (sandbox_seal) that clones a child, which calls
 * sandbox_enter_child and execs a static probe (built from
 * tests/unit/sandbox_probe/probe.c) that tries one attack. The spawner
 * plays novod: it reads the seccomp notification, kills the child and
 * reports. Every attack also runs unconfined, where it must succeed.
 *
 *   test_sandbox                 run the tests
 *   test_sandbox --list-groups   the @groups as markdown (docs/syscalls.md)
 *   test_sandbox --bench N       cost of sandbox_enter_child over N children
 *   test_sandbox --run SYSCALLS /abs/BINARY [ARG]   one binary, confined
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "sandbox.h"
#include "syscalls.h"
#include "unit.h"

/* CHECK with the details of a failure, printf-style */
#define EXPECT(cond, ...)                    \
	do {                                 \
		bool ok_ = (cond);           \
		CHECK(ok_, #cond);           \
		if (!ok_) {                  \
			printf("     ");     \
			printf(__VA_ARGS__); \
			printf("\n");        \
		}                            \
	} while (0)

struct outcome {
	int status; /* wait status of the probe, -1 if none */
	int nr; /* syscall reported by the notification fd, -1 if none */
	int enter; /* the notification fd, -1 if none */
	long enter_ns;
	char out[300];
	char notes[400];
};

static char tmp[64], probe[160], wdir[160], outside[160];

/* ---- syscalls ---- */

static bool has(const int *v, size_t n, int nr)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == nr)
			return true;
	return false;
}

static void test_resolve(void)
{
	char err[128] = "";
	int *nr;
	size_t n;

	EXPECT(syscalls_resolve("read write @cgi", &nr, &n, err, sizeof(err)) ==
		       0,
	       "resolve: %s", err);
	EXPECT(has(nr, n, SYS_read) && has(nr, n, SYS_exit_group) &&
		       !has(nr, n, SYS_getppid) && !has(nr, n, SYS_socket),
	       "@cgi members");
	for (size_t i = 1; i < n; i++)
		EXPECT(nr[i - 1] < nr[i], "sorted, unique");
	free(nr);
	EXPECT(syscalls_resolve("read foo", &nr, &n, err, sizeof(err)) < 0 &&
		       !nr && !strcmp(err, "unknown syscall \"foo\""),
	       "got %s", err);
	EXPECT(syscalls_resolve("@foo", &nr, &n, err, sizeof(err)) < 0 &&
		       !strcmp(err, "unknown group \"@foo\""),
	       "got %s", err);
	EXPECT(syscalls_name(SYS_getppid) &&
		       !strcmp(syscalls_name(SYS_getppid), "getppid"),
	       "name");
	EXPECT(syscalls_name(-1) == NULL && syscalls_name(100000) == NULL,
	       "bad numbers");
	for (size_t g = 0; g < syscalls_n_groups(); g++) {
		const struct syscall_group *grp = syscalls_group(g);

		EXPECT(syscalls_resolve(grp->members, &nr, &n, err,
					sizeof(err)) == 0 &&
			       n > 0,
		       "group %s: %s", grp->name, err);
		free(nr);
	}
}

static void list_groups(FILE *f)
{
	char err[128];
	int *nr;
	size_t n;

	fprintf(f,
		"| group | what | members (x86-64) |\n| --- | --- | --- |\n");
	for (size_t g = 0; g < syscalls_n_groups(); g++) {
		const struct syscall_group *grp = syscalls_group(g);

		if (syscalls_resolve(grp->name, &nr, &n, err, sizeof(err)))
			exit(1);
		fprintf(f, "| `%s` | %s |", grp->name, grp->what);
		for (size_t i = 0; i < n; i++)
			fprintf(f, " %s", syscalls_name(nr[i]));
		fprintf(f, " |\n");
		free(nr);
	}
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* docs/syscalls.md must hold the table the code makes, byte for byte. */
static void test_doc(void)
{
	char *doc = slurp("docs/syscalls.md"), *table = NULL;
	size_t len = 0;
	FILE *f;

	if (!doc)
		doc = slurp("../../docs/syscalls.md");
	f = open_memstream(&table, &len);
	if (!f)
		return;
	list_groups(f);
	fclose(f);
	EXPECT(doc && strstr(doc, table),
	       "docs/syscalls.md is stale: "
	       "regenerate it with build/unit/test_sandbox --list-groups");
	free(table);
}

/* ---- the child and its spawner ---- */

static long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/*
 * The warm child, under the sealed spawner's filter (its calls carry the
 * key, as warm_child.c's do): pipes on 0, 1, 2, its own set-up, "ready"
 * on fd 2, one byte on stdin, exec.
 */
#define CALL(nr, a0, a1, a2) \
	sandbox_call(nr, (long)(a0), (long)(a1), (long)(a2), 0, 0)

static void child(const struct sandbox_plan *plan, int in, int out, int err,
		  char **argv)
{
	char *envp[] = { NULL };
	char msg[64];
	long t0;
	int n;
	char go;

	if (CALL(SYS_dup2, in, 0, 0) < 0 || CALL(SYS_dup2, out, 1, 0) < 0 ||
	    CALL(SYS_dup2, err, 2, 0) < 0)
		_exit(120);
	CALL(SYS_close_range, 3, ~0U, 0);
	t0 = now_ns();
	if (sandbox_enter_child(plan) < 0)
		_exit(121);
	t0 = now_ns() - t0;
	n = snprintf(msg, sizeof(msg), "R %ld\n", t0);
	if (CALL(SYS_write, 2, msg, n) != n)
		_exit(122);
	if (CALL(SYS_read, 0, &go, 1) != 1)
		_exit(0);
	execve(argv[0], argv, envp);
	_exit(123);
}

/* The child's "ready" line: the time its set-up took. */
static int recv_ready(int err, long *ns)
{
	char msg[64];
	ssize_t n = read(err, msg, sizeof(msg) - 1);

	if (n <= 0)
		return -1;
	msg[n] = '\0';
	return sscanf(msg, "R %ld", ns) == 1 ? 0 : -1;
}

/* Plays novod: a notification means a violation, logged and killed. */
static void supervise(struct outcome *o, pid_t pid, int out, int nfd)
{
	struct pollfd p[2] = { { out, POLLIN, 0 }, { nfd, POLLIN, 0 } };
	unsigned long long id;
	size_t len = 0;
	ssize_t n;
	pid_t who;

	while (poll(p, nfd >= 0 ? 2 : 1, 5000) > 0) {
		if (p[1].revents & POLLIN &&
		    sandbox_notif_recv(nfd, &id, &o->nr, &who) == 0)
			kill(pid, SIGKILL);
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(out, o->out + len, sizeof(o->out) - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	kill(pid, SIGKILL); /* a no-op unless it hung */
	waitpid(pid, &o->status, 0);
}

static struct sandbox_plan *make_plan(const struct fn_config *fn, bool on,
				      struct outcome *o)
{
	struct sandbox_opts opts = { .enabled = on };
	struct sandbox_plan *plan;
	char err[256];

	plan = sandbox_prepare(fn, &opts, err, sizeof(err));
	if (!plan || sandbox_enter_spawner(plan, err, sizeof(err)) < 0) {
		snprintf(o->out, sizeof(o->out), "spawner: %s", err);
		return NULL;
	}
	snprintf(o->notes, sizeof(o->notes), "%s", sandbox_notes(plan));
	return plan;
}

/*
 * The sealed spawner, forked from the test's spawner: seals itself, sends
 * the notification fd and the pid of the child it clones (CLONE_PARENT:
 * the test's spawner is its parent, as novod is a warm child's), exits.
 */
static void sealed(const struct sandbox_plan *plan, int sock, int in, int out,
		   int err, char **argv)
{
	int nfd = sandbox_seal(plan);
	pid_t pid;

	if (nfd == -2)
		_exit(124);
	pid = (pid_t)sandbox_call(
		SYS_clone, CLONE_PARENT | (long)sandbox_child_clone_flags(plan),
		0, 0, 0, 0);
	if (pid == 0)
		child(plan, in, out, err, argv);
	fdpass_send(sock, &pid, sizeof(pid), &nfd, nfd >= 0);
	_exit(0);
}

static void spawner(const struct fn_config *fn, bool on, char **argv,
		    struct outcome *o)
{
	struct sandbox_plan *plan = make_plan(fn, on, o);
	int in[2], out[2], err[2], sv[2], nfd = -1, got = 0;
	pid_t pid = -1, m;

	if (!plan || pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return;
	m = fork();
	if (m == 0)
		sealed(plan, sv[1], in[0], out[1], err[1], argv);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(sv[1]);
	if (m < 0 ||
	    fdpass_recv(sv[0], &pid, sizeof(pid), &nfd, 1, &got, 5000) !=
		    sizeof(pid) ||
	    pid <= 0 || recv_ready(err[0], &o->enter_ns) < 0) {
		snprintf(o->out, sizeof(o->out), "child not ready");
		if (pid > 0)
			waitpid(pid, &o->status, 0);
		waitpid(m, NULL, 0);
		return;
	}
	waitpid(m, NULL, 0);
	o->enter = got ? nfd : -1;
	/* the go byte, then an empty body */
	if (write(in[1], "g", 1) != 1)
		return;
	close(in[1]);
	supervise(o, pid, out[0], got ? nfd : -1);
	close(err[0]);
	sandbox_free(plan);
}

/* Runs probe argv confined (a forked spawner) and reports its outcome. */
static struct outcome confined(const struct fn_config *fn, bool on, char **argv)
{
	struct outcome o = { .status = -1, .nr = -1, .enter = -3 };
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return o;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		spawner(fn, on, argv, &o);
		(void)!write(p[1], &o, sizeof(o));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &o, sizeof(o)) != sizeof(o))
		strcpy(o.out, "spawner died");
	close(p[0]);
	waitpid(pid, NULL, 0);
	return o;
}

/* The same probe with no sandbox at all: the negative control. */
static struct outcome unconfined(char **argv)
{
	struct outcome o = { .status = -1, .nr = -1 };
	char *envp[] = { NULL };
	int p[2];
	pid_t pid;
	ssize_t n;

	if (pipe(p) < 0)
		return o;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execve(argv[0], argv, envp);
		_exit(123);
	}
	close(p[1]);
	n = read(p[0], o.out, sizeof(o.out) - 1);
	o.out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &o.status, 0);
	return o;
}

/* ---- the function under test ---- */

static char *write_paths[1];
static struct fn_config fn;

static int build_probe(void)
{
	static const char *srcs[] = { "tests/unit/sandbox_probe/probe.c",
				      "../../tests/unit/sandbox_probe/probe.c" };
	char cmd[512];

	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		if (access(srcs[i], R_OK))
			continue;
		snprintf(cmd, sizeof(cmd), "cc -O2 -static -o %s %s", probe,
			 srcs[i]);
		return system(cmd) == 0 ? 0 : -1;
	}
	return -1;
}

static int setup(const char *syscalls)
{
	char err[128], dir[96];

	snprintf(tmp, sizeof(tmp), "/tmp/novo-sbx-test-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(dir, sizeof(dir), "%s/fn", tmp);
	snprintf(probe, sizeof(probe), "%s/probe", dir);
	snprintf(wdir, sizeof(wdir), "%s/data", tmp);
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	if (mkdir(dir, 0755) || mkdir(wdir, 0777) || chmod(tmp, 0755) ||
	    build_probe())
		return -1;
	strcpy(fn.name, "probe");
	fn.dir = strdup(dir);
	fn.path = probe;
	fn.syscalls = (char *)syscalls;
	fn.warm = 2;
	fn.max_concurrency = 4;
	fn.cpu_ms = 1000;
	fn.memory_mb = 64;
	write_paths[0] = wdir;
	fn.write.v = write_paths;
	fn.write.n = 1;
	return syscalls_resolve(syscalls, &fn.syscall_nr, &fn.n_syscalls, err,
				sizeof(err));
}

static bool refused(const struct outcome *o)
{
	return WIFEXITED(o->status) && WEXITSTATUS(o->status) == 3;
}

static bool worked(const struct outcome *o)
{
	return WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0;
}

/* An attack: refused under the sandbox, successful without it. */
static void attack(const char *mode, const char *arg, const char *why)
{
	char *argv[] = { probe, (char *)mode, (char *)arg, NULL };
	struct outcome in = confined(&fn, true, argv);
	struct outcome out = unconfined(argv);

	EXPECT(refused(&in) && strstr(in.out, why),
	       "%s confined: status %#x "
	       "out \"%s\"",
	       mode, in.status, in.out);
	EXPECT(worked(&out),
	       "%s unconfined (negative control): status %#x "
	       "out \"%s\"",
	       mode, out.status, out.out);
}

/* Killed for calling nr: by novod's kill after a notification, or SIGSYS. */
static void expect_violation(const char *mode, const struct outcome *in, int nr)
{
	if (in->enter >= 0)
		EXPECT(in->nr == nr && WIFSIGNALED(in->status) &&
			       WTERMSIG(in->status) == SIGKILL,
		       "%s: notified nr %d (%s), status %#x", mode, in->nr,
		       syscalls_name(in->nr), in->status);
	else
		EXPECT(WIFSIGNALED(in->status) &&
			       WTERMSIG(in->status) == SIGSYS,
		       "%s: status %#x", mode, in->status);
}

static void test_forbidden_syscall(void)
{
	char *argv[] = { probe, "forbidden", NULL };
	struct outcome in = confined(&fn, true, argv);
	struct outcome off = confined(&fn, false, argv);
	struct outcome out = unconfined(argv);

	expect_violation("forbidden", &in, SYS_getppid);
	EXPECT(worked(&off), "sandbox off: status %#x out \"%s\"", off.status,
	       off.out);
	EXPECT(worked(&out), "unconfined: status %#x", out.status);
}

/* The spawner's own calls pass the filter with its key; a guess does not. */
static void test_gate(void)
{
	char *argv[] = { probe, "gate", NULL };
	struct outcome in = confined(&fn, true, argv);
	struct outcome out = unconfined(argv);

	expect_violation("gate", &in, SYS_dup2);
	EXPECT(worked(&out), "gate unconfined (negative control): status %#x",
	       out.status);
}

/*
 * sched_setaffinity is the spawner's (warm_child_place) and a placed
 * child's before its exec (ENV_LEN_WIDEN), behind the key: a function
 * that is not given it cannot choose its CPUs.
 */
static void test_gate_affinity(void)
{
	char *argv[] = { probe, "affinity", NULL };
	struct outcome in = confined(&fn, true, argv);
	struct outcome out = unconfined(argv);

	expect_violation("affinity", &in, SYS_sched_setaffinity);
	EXPECT(worked(&out),
	       "affinity unconfined (negative control): status %#x out \"%s\"",
	       out.status, out.out);
}

static void test_allowed(void)
{
	char *own[] = { probe, "own", NULL };
	char file[200];
	char *wr[] = { probe, "write", file, NULL };
	struct outcome o = confined(&fn, true, own);

	EXPECT(worked(&o) && o.enter != -2, "own folder: status %#x out \"%s\"",
	       o.status, o.out);
	snprintf(file, sizeof(file), "%s/made", wdir);
	o = confined(&fn, true, wr);
	EXPECT(worked(&o), "write path: status %#x out \"%s\"", o.status,
	       o.out);
}

static void test_attacks(void)
{
	attack("passwd", NULL, "Permission denied");
	unlink(outside);
	attack("write", outside, "Permission denied");
	unlink(outside);
	attack("socket", NULL, "Permission denied");
	attack("rlimit", NULL, "Operation not permitted");
	attack("exec", NULL, "Permission denied");
	attack("memory", NULL, "Cannot allocate memory");
}

static void bench(int n)
{
	char *argv[] = { probe, "ok", NULL };
	long sum[2] = { 0, 0 };

	for (int on = 0; on < 2; on++)
		for (int i = 0; i < n; i++)
			sum[on] += confined(&fn, on, argv).enter_ns;
	printf("a child's own set-up: %.1f us with the sandbox on, %.1f us "
	       "off (mean of %d children)\n",
	       sum[1] / 1e3 / n, sum[0] / 1e3 / n, n);
}

/* --run SYSCALLS BINARY [ARG]: one binary, confined, to check a group */
static int run_one(char **argv)
{
	char err[128], *dir = strdup(argv[3]),
		       *av[] = { argv[3], argv[4], NULL };
	struct outcome o;

	*strrchr(dir, '/') = '\0';
	fn.dir = dir;
	fn.path = argv[3];
	fn.syscalls = argv[2];
	fn.cpu_ms = 1000;
	fn.memory_mb = 128; /* the default of functions.ini */
	fn.warm = fn.max_concurrency = 1;
	if (syscalls_resolve(argv[2], &fn.syscall_nr, &fn.n_syscalls, err,
			     sizeof(err))) {
		printf("%s\n", err);
		return 2;
	}
	o = confined(&fn, true, av);
	printf("status %#x violation %s\n--- output:\n%s\n", o.status,
	       o.nr >= 0 ? syscalls_name(o.nr) : "none", o.out);
	return worked(&o) ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--list-groups")) {
		list_groups(stdout);
		return 0;
	}
	if (argc > 3 && !strcmp(argv[1], "--run") && strchr(argv[3], '/'))
		return run_one(argv);
	test_resolve();
	test_doc();
	EXPECT(setup("@cgi") == 0, "setup (builds the static probe) failed");
	if (unit_failed == 0) {
		char *ok[] = { probe, "ok", NULL };
		struct outcome o = confined(&fn, true, ok);

		EXPECT(worked(&o), "ok probe: status %#x enter %d out \"%s\"",
		       o.status, o.enter, o.out);
		printf("notes: %s\n", o.notes);
		test_allowed();
		test_forbidden_syscall();
		test_gate();
		test_gate_affinity();
		test_attacks();
		bench(argc > 2 && !strcmp(argv[1], "--bench") ? atoi(argv[2]) :
								20);
	}
	if (tmp[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		(void)!system(cmd);
	}
	return UNIT_END();
}
