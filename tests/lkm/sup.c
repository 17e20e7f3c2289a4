/*
 * sup.c - a test supervisor for novo.ko, run inside the VM by init.sh.
 * It drives the module through pool/lkm.c exactly as novod does, and
 * prints TAP-like lines: "ok - what" or "not ok - what".
 *
 *   sup run       register, bind, deny, counters, learn, live reload
 *   sup hold N    register, keep N bound children calling getppid; on
 *                 SIGTERM check the module is gone (rmmod under load)
 *   sup outside   a process outside the tree: getppid must work
 *   sup register  a fresh process can register (the old watch ended)
 *   sup probe | learnprobe | loop   children, exec'd after lkm_bind
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lkm/uapi/novo.h"
#include "lkm.h"

static int failures;
static char self[4096]; /* this binary: exec'd by path so comm is "sup" */

static void check(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	fflush(stdout);
	if (!ok)
		failures++;
}

/* getppid through syscall(2): libc must not cache it. */
static long raw_getppid(void)
{
	return syscall(SYS_getppid);
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A whitelist of every native syscall but those in "but". */
static void fn_all_but(struct fn_config *fn, const char *name, const int *but,
		       size_t nbut)
{
	static int nrs[4][NOVO_SYSCALL_BITS];
	static int slot;
	size_t i, j;

	memset(fn, 0, sizeof(*fn));
	snprintf(fn->name, sizeof(fn->name), "%s", name);
	fn->syscall_nr = nrs[slot++ % 4];
	for (i = 0; i < 512; i++) {
		for (j = 0; j < nbut && but[j] != (int)i; j++)
			;
		if (j == nbut)
			fn->syscall_nr[fn->n_syscalls++] = (int)i;
	}
}

/*
 * Forks a child that waits until it is bound, then execs "sup <mode>",
 * its stdout on out_fd when >= 0. Returns its pid.
 */
static pid_t spawn_bound(const char *fn, const char *mode, int out_fd)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe(go) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(99);
		if (out_fd >= 0)
			dup2(out_fd, 1);
		execl(self, "sup", mode, (char *)NULL);
		_exit(98);
	}
	close(go[0]);
	if (pid > 0 && lkm_bind(pid, fn) < 0)
		fprintf(stderr, "sup: lkm_bind %d %s failed\n", (int)pid, fn);
	if (write(go[1], "g", 1) != 1)
		perror("sup: write");
	close(go[1]);
	return pid;
}

static int wait_code(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Child: getppid refused for me and for my child. */
static int probe(void)
{
	long r = raw_getppid();
	int e = errno;
	pid_t pid;

	check(r == -1 && e == EPERM, "bound child: getppid refused with EPERM");
	check(getpid() > 0, "bound child: getpid (whitelisted) works");
	pid = fork();
	if (pid == 0) {
		r = raw_getppid();
		e = errno;
		_exit(r == -1 && e == EPERM ? 0 : 1);
	}
	check(pid > 0 && wait_code(pid) == 0,
	      "grandchild: getppid refused with EPERM");
	return 0;
}

/* Child in learn mode: everything works and is recorded. */
static int learnprobe(void)
{
	struct utsname u;

	check(raw_getppid() > 0, "learn mode: getppid allowed");
	check(uname(&u) == 0, "learn mode: uname allowed");
	return 0;
}

/* Child: reports each getppid as 'S'uccess or 'E'PERM, forever. */
static int loop(void)
{
	char c;

	for (;;) {
		c = raw_getppid() > 0 ? 'S' : (errno == EPERM ? 'E' : 'X');
		if (write(1, &c, 1) != 1)
			return 0;
		msleep(5);
	}
}

/* Reads loop's reports until one is want (or 2 s pass). */
static bool wait_report(int fd, char want)
{
	char buf[256];
	time_t end = time(NULL) + 3;
	ssize_t n, i;

	while (time(NULL) < end) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return false;
		for (i = 0; i < n; i++)
			if (buf[i] == want)
				return true;
	}
	return false;
}

static void drain(int fd)
{
	char buf[4096];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static bool learned_has(const char *fn, int nr)
{
	int *v;
	size_t n, i;
	bool found = false;

	if (lkm_learned(fn, &v, &n) < 0)
		return false;
	for (i = 0; i < n; i++)
		found |= v[i] == nr;
	free(v);
	return found;
}

static int dev_ioctl(unsigned long cmd)
{
	int fd = open(NOVO_DEV, O_RDONLY), r, e;

	if (fd < 0)
		return -1;
	r = ioctl(fd, cmd, NULL);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static void test_register(void)
{
	char err[256] = "";
	pid_t pid;

	check(lkm_start(LKM_REQUIRE, err, sizeof(err)) == 0 &&
		      lkm_state() == LKM_STATE_ACTIVE,
	      "supervisor registers");
	if (err[0])
		printf("# %s\n", err);
	pid = fork();
	if (pid == 0)
		_exit(dev_ioctl(NOVO_IOC_REGISTER) < 0 && errno == EBUSY ? 0 :
									   1);
	check(wait_code(pid) == 0, "a second registration fails with EBUSY");
}

static void test_deny(void)
{
	static const int no_getppid[] = { SYS_getppid };
	struct fn_config fn;
	struct novo_stats st;
	int fd, r;
	pid_t pid;

	fn_all_but(&fn, "nogetppid", no_getppid, 1);
	check(lkm_upload(&fn) == 0, "upload a whitelist without getppid");
	pid = spawn_bound("nogetppid", "probe", -1);
	check(wait_code(pid) == 0, "bound child ran");
	check(raw_getppid() > 0, "supervisor itself (unbound) calls getppid");
	/* the counters, as novoctl would read them */
	memset(&st, 0, sizeof(st));
	strcpy(st.name, "nogetppid");
	fd = open(NOVO_DEV, O_RDONLY);
	r = ioctl(fd, NOVO_IOC_STATS, &st);
	close(fd);
	check(r == 0 && st.denied == 2, "counters: 2 refusals counted");
	lkm_status_json(stdout, "nogetppid");
	printf("\n");
}

static void test_learn(void)
{
	static const int none[] = { -1 };
	struct fn_config fn;
	pid_t pid;

	fn_all_but(&fn, "learner", none, 0);
	fn.n_syscalls = 3; /* read write exit_group: far too little */
	fn.syscall_nr[0] = SYS_read;
	fn.syscall_nr[1] = SYS_write;
	fn.syscall_nr[2] = SYS_exit_group;
	check(lkm_upload(&fn) == 0 && lkm_set_learn("learner", true) == 0,
	      "learn mode on");
	pid = spawn_bound("learner", "learnprobe", -1);
	check(wait_code(pid) == 0, "learning child ran");
	check(learned_has("learner", SYS_getppid) &&
		      learned_has("learner", SYS_uname) &&
		      !learned_has("learner", SYS_reboot),
	      "learn mode recorded getppid and uname, not reboot");
}

static void test_reload(void)
{
	static const int no_getppid[] = { SYS_getppid };
	struct fn_config fn;
	int p[2];
	pid_t pid;

	fn_all_but(&fn, "live", no_getppid, 1);
	lkm_upload(&fn);
	if (pipe(p) < 0)
		return;
	pid = spawn_bound("live", "loop", p[1]);
	close(p[1]);
	check(wait_report(p[0], 'E'), "running child: getppid refused");
	fn_all_but(&fn, "live", no_getppid, 0);
	lkm_upload(&fn);
	drain(p[0]);
	check(wait_report(p[0], 'S'),
	      "reload allowing getppid applies to the running child");
	fn_all_but(&fn, "live", no_getppid, 1);
	lkm_upload(&fn);
	drain(p[0]);
	check(wait_report(p[0], 'E'),
	      "reload refusing getppid applies to the running child");
	kill(pid, SIGKILL);
	wait_code(pid);
	close(p[0]);
}

/* Waits for init.sh to have run "sup outside" while children are bound. */
static void test_outside_window(void)
{
	static const int no_getppid[] = { SYS_getppid };
	struct fn_config fn;
	pid_t pid;
	int i;

	fn_all_but(&fn, "nogetppid", no_getppid, 1);
	lkm_upload(&fn);
	pid = spawn_bound("nogetppid", "loop", open("/dev/null", O_WRONLY));
	close(creat("/tmp/sup.ready", 0600));
	for (i = 0; i < 500 && access("/tmp/sup.go", F_OK) != 0; i++)
		msleep(10);
	check(i < 500, "init ran a process outside the tree meanwhile");
	kill(pid, SIGKILL);
	wait_code(pid);
}

static int run(void)
{
	test_register();
	test_deny();
	test_learn();
	test_reload();
	test_outside_window();
	return failures ? 1 : 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static int hold(int n)
{
	static const int no_getppid[] = { SYS_getppid };
	struct fn_config fn;
	char err[256];
	pid_t pids[16];
	int i, p[2];

	if (n > 16)
		n = 16;
	signal(SIGTERM, on_term);
	if (lkm_start(LKM_REQUIRE, err, sizeof(err)) < 0 || pipe(p) < 0) {
		check(false, "hold: register");
		return 1;
	}
	fn_all_but(&fn, "busy", no_getppid, 1);
	lkm_upload(&fn);
	for (i = 0; i < n; i++)
		pids[i] = spawn_bound("busy", "loop", p[1]);
	close(p[1]);
	check(wait_report(p[0], 'E'), "hold: busy children refused");
	close(creat("/tmp/hold.ready", 0600));
	while (!stop)
		pause();
	/* rmmod happened under us: the children run free, novod goes on */
	drain(p[0]);
	check(wait_report(p[0], 'S'), "after rmmod: busy children run free");
	check(lkm_state() == LKM_STATE_ABSENT, "after rmmod: lkm_state absent");
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		wait_code(pids[i]);
	lkm_stop();
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	char err[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!realpath("/proc/self/exe", self))
		snprintf(self, sizeof(self), "%s", argv[0]);
	if (!strcmp(m, "run"))
		return run();
	if (!strcmp(m, "hold"))
		return hold(argc > 2 ? atoi(argv[2]) : 4);
	if (!strcmp(m, "probe"))
		return probe();
	if (!strcmp(m, "learnprobe"))
		return learnprobe();
	if (!strcmp(m, "loop"))
		return loop();
	if (!strcmp(m, "outside")) {
		check(raw_getppid() > 0, "outside the tree: getppid works");
		return failures;
	}
	if (!strcmp(m, "register")) {
		check(lkm_start(LKM_REQUIRE, err, sizeof(err)) == 0,
		      "a new process registers: the old watch ended");
		lkm_stop();
		return failures;
	}
	fprintf(stderr, "usage: sup run|hold N|outside|register\n");
	return 2;
}
