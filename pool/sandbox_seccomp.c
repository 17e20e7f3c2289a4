/*
 * sandbox_seccomp.c - the syscall whitelist as a seccomp BPF program.
 *
 * libseccomp compiles the filter once per function, in the spawner, which
 * installs it on itself once: every warm child inherits it (the kernel
 * shares one filter by reference), so no child compiles, checks or
 * JIT-compiles a filter of its own. The spawner's and the children's own
 * calls pass a gate no function can: a random key in the sixth argument.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_impl.h"

/*
 * Page-aligned, as mmap's offset must be (ignored for anonymous maps);
 * never 0, the value every other process passes.
 */
static unsigned long key;

static int make_key(void)
{
	unsigned long k;

	if (getrandom(&k, sizeof(k), 0) != (ssize_t)sizeof(k))
		return -1;
	key = (k & ~0xfffUL) | 0x1000UL;
	return 0;
}

unsigned long sandbox_key(void)
{
	return key;
}

long sandbox_call(long nr, long a0, long a1, long a2, long a3, long a4)
{
	return syscall(nr, a0, a1, a2, a3, a4, key);
}

static bool has_nr(const struct fn_config *fn, int nr)
{
	for (size_t i = 0; i < fn->n_syscalls; i++)
		if (fn->syscall_nr[i] == nr)
			return true;
	return false;
}

static bool notify_available(void)
{
	unsigned int action = SECCOMP_RET_USER_NOTIF;

	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* With network = no, socket() fails with EACCES whatever the whitelist. */
static bool netless_call(const struct fn_config *fn, int nr)
{
	return !fn->network &&
	       (nr == SCMP_SYS(socket) || nr == SCMP_SYS(socketpair));
}

static int add_netless(scmp_filter_ctx ctx)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
	if (rc < 0)
		return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
				SCMP_SYS(socketpair), 0);
}

static int add_whitelist(scmp_filter_ctx ctx, const struct fn_config *fn)
{
	int rc;

	for (size_t i = 0; i < fn->n_syscalls; i++) {
		if (netless_call(fn, fn->syscall_nr[i]))
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, fn->syscall_nr[i],
				      0);
		if (rc < 0)
			return rc;
	}
	return fn->network ? 0 : add_netless(ctx);
}

/*
 * Every process needs these to end; close and execve were always allowed
 * (a function's interpreter may exec what Landlock lets it run).
 */
static int add_always(scmp_filter_ctx ctx, const struct fn_config *fn)
{
	static const int plain[] = { SCMP_SYS(close), SCMP_SYS(execve),
				     SCMP_SYS(exit), SCMP_SYS(exit_group) };
	int rc;

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (has_nr(fn, plain[i]))
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * What the sealed spawner (making children, talking to novod) and a child
 * (its set-up, reading its environment, execveat of the binary) call.
 * None takes six arguments: the sixth carries the key. A call the
 * whitelist already allows outright needs no gate.
 */
static const int gated[] = {
	SCMP_SYS(recvmsg),     SCMP_SYS(sendmsg),  SCMP_SYS(poll),
	SCMP_SYS(pipe2),       SCMP_SYS(fcntl),	   SCMP_SYS(clone),
	SCMP_SYS(mmap),	       SCMP_SYS(munmap),   SCMP_SYS(nanosleep),
	SCMP_SYS(read),	       SCMP_SYS(write),	   SCMP_SYS(prctl),
	SCMP_SYS(dup2),	       SCMP_SYS(dup3),	   SCMP_SYS(fchdir),
	SCMP_SYS(close_range), SCMP_SYS(setsid),   SCMP_SYS(prlimit64),
	SCMP_SYS(capset),      SCMP_SYS(execveat), SCMP_SYS(sched_setaffinity),
};

static int add_gated(scmp_filter_ctx ctx, const struct fn_config *fn)
{
	int rc;

	for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
		if (has_nr(fn, gated[i]))
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, gated[i], 1,
				      SCMP_A5_64(SCMP_CMP_EQ, key));
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* seccomp_export_bpf() writes to an fd: a memfd, read back whole. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	struct stat st;
	void *buf = NULL;
	int fd, rc = -1;

	fd = memfd_create("novo-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (seccomp_export_bpf(ctx, fd) < 0 || fstat(fd, &st) < 0 ||
	    st.st_size <= 0 || st.st_size % sizeof(struct sock_filter))
		goto out;
	buf = malloc(st.st_size);
	if (!buf || pread(fd, buf, st.st_size, 0) != st.st_size)
		goto out;
	prog->filter = buf;
	prog->len = st.st_size / sizeof(struct sock_filter);
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

static scmp_filter_ctx new_ctx(uint32_t def)
{
	scmp_filter_ctx ctx;

	ctx = seccomp_init(def);
	if (!ctx)
		return NULL;
	/* i386 and x32 calls on x86-64, or any foreign arch: killed */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int sbx_seccomp_prepare(struct sandbox_plan *p, const struct fn_config *fn,
			char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc;

	p->notify = !p->learn && notify_available();
	ctx = new_ctx(p->learn	? SCMP_ACT_ALLOW :
		      p->notify ? SCMP_ACT_NOTIFY :
				  SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: cannot create a filter");
		return -1;
	}
	if (p->learn)
		rc = fn->network ? 0 : add_netless(ctx);
	else
		rc = add_whitelist(ctx, fn);
	if (rc == 0 && !p->learn)
		rc = add_always(ctx, fn);
	if (rc == 0 && !p->learn)
		rc = make_key() < 0 ? -EIO : add_gated(ctx, fn);
	if (rc == 0 && export_bpf(ctx, &p->prog) < 0)
		rc = -EIO;
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "seccomp: building the filter: %s",
			 strerror(-rc));
		return -1;
	}
	sbx_note(p, "seccomp: %zu syscalls, %u BPF insns, violation: %s",
		 fn->n_syscalls, p->prog.len,
		 p->learn  ? "none (learning)" :
		 p->notify ? "user notification" :
			     "SIGSYS (no user notif)");
	return 0;
}

/*
 * Once, in the spawner. Returns the listener fd, -1, or -2.
 * SPEC_ALLOW, as Docker and runc do: without it the kernel turns on the
 * speculative store bypass mitigation for every seccomp'd task, slowing
 * compute-bound functions; it guards a process against itself, while
 * functions are kept apart by process and namespace boundaries.
 */
int sbx_seccomp_install(const struct sandbox_plan *p)
{
	unsigned long flags =
		SECCOMP_FILTER_FLAG_SPEC_ALLOW |
		(p->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
	long rc;

	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p->prog);
	if (rc < 0)
		return -2;
	return p->notify ? (int)rc : -1;
}

void sbx_seccomp_free(struct sandbox_plan *p)
{
	free(p->prog.filter);
	p->prog.filter = NULL;
	p->prog.len = 0;
}

int sandbox_notif_recv(int fd, unsigned long long *id, int *nr, pid_t *pid)
{
	/* room for a kernel whose struct has grown */
	union {
		struct seccomp_notif n;
		char pad[256];
	} u;

	memset(&u, 0, sizeof(u));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &u.n) < 0)
		return -1;
	*id = u.n.id;
	*nr = u.n.data.nr;
	*pid = u.n.pid;
	return 0;
}

bool sandbox_notif_valid(int fd, unsigned long long id)
{
	__u64 v = id;

	return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &v) == 0;
}
