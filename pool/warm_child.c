/*
 * warm_child.c - clone(CLONE_VM) children: cheap to make, exec on request.
 * Between clone and execve a child runs under its spawner's seccomp
 * filter: each of its calls carries the key (SBX_CALL, sandbox_call).
 */
#include "warm_child.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ENV_MAX (128 * 1024)
#define ENV_VARS_MAX 4096
#define STACK_SIZE (64 * 1024)
#define REGIONS_MAX 1024

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/*
 * Everything the child touches lives here, never in the spawner's heap.
 * Without CLONE_SETTLS the child also shares the spawner's TLS, errno
 * included: the spawner reads errno only right after its own failed
 * calls, and a stray value there could only garble a log message.
 */
struct region {
	volatile pid_t tid; /* cleared by the kernel at exec or exit */
	const char *path;
	const struct sandbox_plan *plan;
	struct child_fds fds;
	char *envp[ENV_VARS_MAX];
	char env[ENV_MAX];
	char stack[STACK_SIZE] __attribute__((aligned(16)));
};

static struct region *regions[REGIONS_MAX];
static unsigned n_regions;
/* stacks of children that have exec'd, kept for the next ones */
static struct region *spare[64];
static unsigned n_spare;

/*
 * One short line on fd 2, which novod reads before any request: "R" when
 * the child is ready, "E<what><errno>" when its set-up failed.
 */
static void child_fail(const char *what)
{
	char msg[80];
	int n = snprintf(msg, sizeof(msg), "E%s%d\n", what, errno);

	SBX_CALL(SYS_write, SANDBOX_READY_FD, msg, n);
	_exit(127);
}

/* Splits "K=V\0K=V\0" into envp, in place. */
static void build_envp(char *buf, size_t len, char **envp, size_t max)
{
	size_t n = 0, pos = 0;

	while (pos < len && n + 1 < max) {
		size_t l = strnlen(buf + pos, len - pos);

		if (pos + l == len)
			break; /* not terminated: drop it */
		if (l > 0 && memchr(buf + pos, '=', l))
			envp[n++] = buf + pos;
		pos += l + 1;
	}
	envp[n] = NULL;
}

/* Exactly len bytes of stdin: what follows is the body, for the function. */
static int read_exact(char *buf, size_t len)
{
	while (len > 0) {
		long n = SBX_CALL(SYS_read, SANDBOX_ENV_FD, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Where children are born (warm_child_place). On two CPUs at one request at
 * a time, functions born and run off the first CPU, with the spawner's
 * refills there too, answer ~40 µs sooner (p50 ~470 against ~510 µs): the
 * request path (nginx, novod) has the other CPU to itself and never waits
 * behind a refill. Under concurrency that would halve the functions' CPUs:
 * children are then born anywhere, and one born off the first CPU widens
 * its set when it is taken (ENV_LEN_WIDEN).
 */
static cpu_set_t cpus_all, cpus_off_first;
static int first_cpu = -1;
static bool can_place, placed;

void warm_child_place_init(void)
{
	if (sched_getaffinity(0, sizeof(cpus_all), &cpus_all) != 0 ||
	    CPU_COUNT(&cpus_all) < 2)
		return;
	for (int i = 0; i < CPU_SETSIZE && first_cpu < 0; i++)
		if (CPU_ISSET(i, &cpus_all))
			first_cpu = i;
	cpus_off_first = cpus_all;
	CPU_CLR(first_cpu, &cpus_off_first);
	can_place = true;
}

bool warm_child_on_first_cpu(void)
{
	return can_place && sched_getcpu() == first_cpu;
}

bool warm_child_place(bool apart)
{
	if (can_place && apart != placed &&
	    SBX_CALL(SYS_sched_setaffinity, 0, sizeof(cpu_set_t),
		     apart ? &cpus_off_first : &cpus_all) == 0)
		placed = apart;
	return placed;
}

static void wait_and_exec(struct region *r)
{
	char *argv[] = { (char *)r->path, NULL };
	uint32_t len;

	/* EOF before a request: novod retired this child */
	if (read_exact((char *)&len, sizeof(len)))
		_exit(0);
	if (len & ENV_LEN_WIDEN) {
		/* born off the first CPU, taken when others are in flight;
		 * a failure (the set since shrunk) leaves it where it is */
		SBX_CALL(SYS_sched_setaffinity, 0, sizeof(cpus_all), &cpus_all);
		len &= ~ENV_LEN_WIDEN;
	}
	if (len > sizeof(r->env) || read_exact(r->env, len))
		_exit(0);
	build_envp(r->env, len, r->envp, ENV_VARS_MAX);
	sandbox_call(SYS_execveat, SANDBOX_EXEC_FD, (long)"", (long)argv,
		     (long)r->envp, AT_EMPTY_PATH);
	_exit(127);
}

static int child_main(void *arg)
{
	struct region *r = arg;

	if (SBX_CALL(SYS_dup2, r->fds.in, 0, 0) < 0 ||
	    SBX_CALL(SYS_dup2, r->fds.out, 1, 0) < 0 ||
	    SBX_CALL(SYS_dup2, r->fds.err, 2, 0) < 0 ||
	    SBX_CALL(SYS_dup3, r->fds.bin, SANDBOX_EXEC_FD, O_CLOEXEC) < 0)
		_exit(127); /* novod sees the pipe close: set-up failed */
	/* RFC 3875 7.2: the function runs in its own folder */
	if (SBX_CALL(SYS_fchdir, r->fds.dir, 0, 0) != 0)
		child_fail("fchdir: errno ");
	if (SBX_CALL(SYS_close_range, SANDBOX_EXEC_FD + 1, ~0U, 0) != 0)
		child_fail("close_range: errno ");
	/*
	 * A session of its own: a terminal's signals go to novod, not to
	 * it; with autogroup scheduling it is a group of its own, as a
	 * daemon's children are, not a share of novod's; and without a pid
	 * namespace its session is what novod kills.
	 */
	if (SBX_CALL(SYS_setsid, 0, 0, 0) < 0)
		child_fail("setsid: errno ");
	if (sandbox_enter_child(r->plan) < 0)
		child_fail("sandbox: errno ");
	SBX_CALL(SYS_write, SANDBOX_READY_FD, "R\n", 2);
	wait_and_exec(r);
	return 127;
}

#if defined(__x86_64__)
/*
 * clone(2) with the key in the sixth argument register (r9), which
 * clone does not use: glibc's clone() leaves it to chance. The child
 * starts on its own stack, pops arg and fn from it and calls fn, as
 * glibc's does; it never returns here.
 */
static long clone_gated(unsigned long flags, char *stack_top, int *pidfd,
			volatile pid_t *ctid, int (*fn)(void *), void *arg)
{
	unsigned long *sp = (unsigned long *)stack_top;
	long key = (long)sandbox_key(), ret;

	*--sp = (unsigned long)fn;
	*--sp = (unsigned long)arg;
	/* no call between these and the asm: it would clobber them */
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = 0;
	register long r9 __asm__("r9") = key;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "pop %%rdi\n\t"
			 "pop %%rax\n\t"
			 "call *%%rax\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:\n\t"
			 : "=a"(ret)
			 : "0"((long)SYS_clone), "D"(flags), "S"(sp),
			   "d"(pidfd), "r"(r10), "r"(r8),
			   "r"(r9), [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
#else
#error "warm_child.c: clone_gated() is written for x86-64 only"
#endif

void warm_child_reap(void)
{
	unsigned i = 0;

	while (i < n_regions) {
		if (__atomic_load_n(&regions[i]->tid, __ATOMIC_ACQUIRE) != 0) {
			i++;
			continue;
		}
		if (n_spare < sizeof(spare) / sizeof(spare[0]))
			spare[n_spare++] = regions[i];
		else
			SBX_CALL(SYS_munmap, regions[i], sizeof(struct region),
				 0);
		regions[i] = regions[--n_regions];
	}
}

pid_t warm_child_clone(const char *path, const struct sandbox_plan *plan,
		       const struct child_fds *fds, int *pidfd)
{
	unsigned long ns = sandbox_child_clone_flags(plan);
	int flags = CLONE_VM | CLONE_PARENT | CLONE_PIDFD |
		    CLONE_CHILD_CLEARTID | (int)ns;
	struct region *r;
	pid_t pid;

	warm_child_reap();
	if (n_regions == REGIONS_MAX) {
		errno = EAGAIN;
		return -1;
	}
	/* the key is page-aligned: a valid offset, ignored for MAP_ANONYMOUS */
	r = n_spare > 0 ?
		    spare[--n_spare] :
		    (struct region *)sandbox_call(
			    SYS_mmap, 0, sizeof(*r), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
	if (r == MAP_FAILED)
		return -1;
	r->tid = -1;
	r->path = path;
	r->plan = plan;
	r->fds = *fds;
	pid = (pid_t)clone_gated((unsigned long)flags, r->stack + STACK_SIZE,
				 pidfd, &r->tid, child_main, r);
	if (pid < 0) {
		SBX_CALL(SYS_munmap, r, sizeof(*r), 0);
		return -1;
	}
	regions[n_regions++] = r;
	return pid;
}
