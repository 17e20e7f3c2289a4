/*
 * sandbox_seccomp.c - the syscall whitelist as a seccomp BPF program.
 *
 * libseccomp compiles the filter once per function (in the spawner); the
 * BPF is exported and kept, so that a warm child installs it with one
 * raw seccomp(2) call: no allocation, no libseccomp in the child.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_impl.h"

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
 * What the warm child itself does between the filter and execve: read its
 * environment on fd 0, write "ready" on fd 2, exec fd 3, close, exit. A
 * call the whitelist already allows outright needs no narrower rule.
 */
static int add_on_fd(scmp_filter_ctx ctx, const struct fn_config *fn, int nr,
		     int fd)
{
	if (has_nr(fn, nr))
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd));
}

static int add_child_needs(scmp_filter_ctx ctx, const struct fn_config *fn)
{
	static const int plain[] = { SCMP_SYS(close), SCMP_SYS(execve),
				     SCMP_SYS(exit), SCMP_SYS(exit_group) };
	int rc;

	/* the binary opened by the spawner before it dropped privileges */
	rc = add_on_fd(ctx, fn, SCMP_SYS(execveat), SANDBOX_EXEC_FD);
	if (rc == 0)
		rc = add_on_fd(ctx, fn, SCMP_SYS(read), SANDBOX_ENV_FD);
	if (rc == 0)
		rc = add_on_fd(ctx, fn, SCMP_SYS(write), SANDBOX_READY_FD);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (has_nr(fn, plain[i]))
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
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
		rc = add_child_needs(ctx, fn);
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
 * Async-signal-safe: one syscall. Returns the listener fd, -1, or -2.
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

int sandbox_notif_recv(int fd, int *nr, pid_t *pid)
{
	struct seccomp_notif n;

	memset(&n, 0, sizeof(n));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
		return -1;
	*nr = n.data.nr;
	*pid = n.pid;
	return 0;
}
