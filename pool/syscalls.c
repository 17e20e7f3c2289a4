/*
 * syscalls.c - syscall names and @groups, resolved for the native arch.
 *
 * The groups live in one table, below; docs/syscalls.md is generated from
 * it (build/unit/test_sandbox --list-groups), so the two cannot drift.
 * Names are x86-64's; a member this architecture lacks (e.g. "open" on
 * arm64) is skipped, a name no architecture knows is a bug the unit test
 * catches.
 */
#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"

#define NAME_MAX_NR 1024 /* above every native syscall number we name */
#define GROUP_DEPTH 4

static const struct syscall_group groups[] = {
	{ "@cgi",
	  "serve one CGI request from a static C, C++, Rust or "
	  "Fortran binary: start-up, memory, stdio, signals, exit",
	  /* stdio and the few file calls runtimes make at start-up */
	  "read readv write writev close lseek fstat newfstatat statx "
	  "openat ioctl poll ppoll "
	  /* memory */
	  "brk mmap munmap mremap mprotect madvise "
	  /* signals, abort() */
	  "rt_sigaction rt_sigprocmask rt_sigreturn sigaltstack tgkill "
	  /* static glibc / Rust std start-up */
	  "arch_prctl set_tid_address set_robust_list rseq prlimit64 "
	  "getrlimit readlink getrandom uname getcwd futex getpid gettid "
	  "sched_getaffinity sched_yield "
	  /* clocks, when the vDSO falls back to the kernel */
	  "clock_gettime gettimeofday time "
	  "exit exit_group" },
	{ "@file",
	  "open, stat, read and write files and folders "
	  "(Landlock decides which)",
	  "open openat openat2 creat close access faccessat faccessat2 "
	  "stat lstat fstat newfstatat statx statfs fstatfs "
	  "getdents getdents64 readlink readlinkat "
	  "read pread64 readv preadv preadv2 write pwrite64 writev pwritev "
	  "pwritev2 lseek fcntl dup dup2 dup3 flock fsync fdatasync "
	  "truncate ftruncate fallocate sendfile copy_file_range "
	  "mkdir mkdirat rmdir unlink unlinkat rename renameat renameat2 "
	  "link linkat symlink symlinkat chmod fchmod fchmodat "
	  "utimensat futimesat chdir fchdir getcwd umask" },
	{ "@thread",
	  "threads (clone can also fork: the process limit and "
	  "the pid namespace bound it)",
	  "clone clone3 futex set_robust_list get_robust_list gettid tgkill "
	  "sched_yield sched_getaffinity sched_setaffinity membarrier "
	  "mmap munmap mprotect madvise rseq exit" },
	{ "@time", "clocks, sleeps and timers",
	  "clock_gettime clock_getres clock_nanosleep nanosleep "
	  "gettimeofday time times getitimer setitimer alarm "
	  "timer_create timer_settime timer_gettime timer_getoverrun "
	  "timer_delete timerfd_create timerfd_settime timerfd_gettime" },
	{ "@net", "sockets and polling (needs network = yes to open one)",
	  "socket socketpair connect bind listen accept accept4 "
	  "getsockname getpeername setsockopt getsockopt sendto recvfrom "
	  "sendmsg recvmsg sendmmsg recvmmsg shutdown "
	  "poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl "
	  "epoll_wait epoll_pwait epoll_pwait2 eventfd2 fcntl" },
	{ "@process", "fork, exec and wait for child processes",
	  "fork vfork clone clone3 execve execveat wait4 waitid kill "
	  "getpid getppid gettid setpgid getpgid getpgrp setsid getsid "
	  "pipe pipe2 dup dup2 dup3 prctl pidfd_open pidfd_send_signal" },
	{ "@go",
	  "the Go runtime (static, GOOS=linux): threads, timers, "
	  "netpoll, signals",
	  "@cgi @thread @time "
	  "epoll_create1 epoll_ctl epoll_pwait epoll_wait eventfd2 pipe2 "
	  "fcntl readlinkat mincore sched_getaffinity nanosleep tgkill "
	  "rt_sigreturn sigaltstack getpid gettid getuid geteuid getgid "
	  "getegid waitid" },
	{ "@id", "read the process's own identity",
	  "getuid geteuid getgid getegid getresuid getresgid getgroups "
	  "getpid getppid gettid getpgrp getsid" },
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

size_t syscalls_n_groups(void)
{
	return N_GROUPS;
}

const struct syscall_group *syscalls_group(size_t i)
{
	return i < N_GROUPS ? &groups[i] : NULL;
}

static const struct syscall_group *group_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_GROUPS; i++)
		if (strlen(groups[i].name) == len &&
		    memcmp(groups[i].name, name, len) == 0)
			return &groups[i];
	return NULL;
}

struct nrset {
	int *v;
	size_t n, cap;
};

static int nrset_add(struct nrset *s, int nr)
{
	int *v;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		v = realloc(s->v, s->cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
	}
	s->v[s->n++] = nr;
	return 0;
}

static int add_words(struct nrset *s, const char *spec, int depth, char *err,
		     size_t errlen);

/*
 * One word: a group (expanded) or a syscall name. A name libseccomp knows
 * but this architecture lacks resolves to a negative pseudo number: left
 * out, it could never be called here anyway.
 */
static int add_word(struct nrset *s, const char *w, size_t len, int depth,
		    char *err, size_t errlen)
{
	const struct syscall_group *g;
	char name[64];
	int nr;

	if (w[0] == '@') {
		g = group_find(w, len);
		if (!g || depth >= GROUP_DEPTH) {
			snprintf(err, errlen, "unknown group \"%.*s\"",
				 (int)len, w);
			return -1;
		}
		return add_words(s, g->members, depth + 1, err, errlen);
	}
	if (len >= sizeof(name)) {
		snprintf(err, errlen, "unknown syscall \"%.*s\"", (int)len, w);
		return -1;
	}
	memcpy(name, w, len);
	name[len] = '\0';
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		snprintf(err, errlen, "unknown syscall \"%s\"", name);
		return -1;
	}
	if (nr < 0)
		return 0;
	if (nrset_add(s, nr) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int add_words(struct nrset *s, const char *spec, int depth, char *err,
		     size_t errlen)
{
	const char *p = spec;
	size_t len;

	for (;;) {
		p += strspn(p, " \t,");
		if (!*p)
			return 0;
		len = strcspn(p, " \t,");
		if (add_word(s, p, len, depth, err, errlen) < 0)
			return -1;
		p += len;
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static size_t uniq(int *v, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		if (o == 0 || v[o - 1] != v[i])
			v[o++] = v[i];
	return o;
}

int syscalls_resolve(const char *spec, int **nr, size_t *n, char *err,
		     size_t errlen)
{
	struct nrset s = { 0 };

	*nr = NULL;
	*n = 0;
	if (add_words(&s, spec ? spec : "", 0, err, errlen) < 0) {
		free(s.v);
		return -1;
	}
	if (s.n == 0) {
		/* an empty list is legal: the function may call nothing */
		*nr = malloc(sizeof(int));
		if (!*nr) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	qsort(s.v, s.n, sizeof(int), cmp_int);
	*nr = s.v;
	*n = uniq(s.v, s.n);
	return 0;
}

/* Names are looked up once, so that callers on any thread get a stable
 * const pointer (libseccomp hands out malloc()ed copies). */
static char *names[NAME_MAX_NR];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_load(void)
{
	for (int i = 0; i < NAME_MAX_NR; i++)
		names[i] =
			seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
}

const char *syscalls_name(int nr)
{
	if (nr < 0 || nr >= NAME_MAX_NR)
		return NULL;
	pthread_once(&names_once, names_load);
	return names[nr];
}
