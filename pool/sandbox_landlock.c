/*
 * sandbox_landlock.c - the filesystem (and TCP, and scope) rules.
 *
 * The ruleset is built once in the spawner from O_PATH fds of the
 * function's folder and its read/write paths, and the spawner restricts
 * itself with it: every warm child inherits the domain for free. bookworm has no libc wrappers and an
 * ABI 2 header: the syscalls are raw, newer constants defined here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_impl.h"

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
#define LL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_EXEC LANDLOCK_ACCESS_FS_EXECUTE
#define FS_WRITE                                                         \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |  \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SYM |     \
	 LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
/* the rights that make sense on a file (not a folder) */
#define FS_FILE                                                       \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

static int ll_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Everything the kernel's ABI can restrict, denied unless a rule allows. */
static uint64_t fs_handled(int abi)
{
	uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

static size_t attr_size(int abi)
{
	if (abi >= 6)
		return sizeof(struct ll_ruleset_attr);
	if (abi >= 4)
		return offsetof(struct ll_ruleset_attr, scoped);
	return offsetof(struct ll_ruleset_attr, handled_access_net);
}

static void note_abi(struct sandbox_plan *p, bool network)
{
	const char *lacks = "";

	if (p->ll_abi < 3)
		lacks = ", lacks REFER/TRUNCATE control (ABI 2/3), TCP rules "
			"(ABI 4), signal and abstract-socket scoping (ABI 6)";
	else if (p->ll_abi < 4)
		lacks = ", lacks TCP rules (ABI 4), signal and "
			"abstract-socket scoping (ABI 6)";
	else if (p->ll_abi < 6)
		lacks = ", lacks signal and abstract-socket scoping (ABI 6)";
	sbx_note(p, "landlock: ABI %d%s%s", p->ll_abi,
		 network || p->ll_abi < 4 ? "" : ", TCP bind/connect denied",
		 lacks);
}

static int create_ruleset(struct sandbox_plan *p, bool network)
{
	struct ll_ruleset_attr a = { 0 };

	a.handled_access_fs = fs_handled(p->ll_abi);
	if (p->ll_abi >= 4 && !network)
		a.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (p->ll_abi >= 6)
		a.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	if (p->ll_abi >= 7)
		p->ll_restrict_flags = LL_RESTRICT_SELF_LOG_NEW_EXEC_ON;
	return syscall(SYS_landlock_create_ruleset, &a, attr_size(p->ll_abi),
		       0);
}

static int add_path(struct sandbox_plan *p, const char *path, uint64_t want,
		    char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb = { 0 };
	struct stat st;
	int fd, rc;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "landlock: \"%s\": %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	pb.parent_fd = fd;
	pb.allowed_access = want & fs_handled(p->ll_abi);
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= FS_FILE;
	rc = syscall(SYS_landlock_add_rule, p->ll_ruleset,
		     LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	if (rc < 0)
		snprintf(err, errlen, "landlock: rule for \"%s\": %s", path,
			 strerror(errno));
	close(fd);
	return rc < 0 ? -1 : 0;
}

static int add_list(struct sandbox_plan *p, const struct strlist *l,
		    uint64_t want, char *err, size_t errlen)
{
	for (size_t i = 0; i < l->n; i++)
		if (add_path(p, l->v[i], want, err, errlen) < 0)
			return -1;
	return 0;
}

/*
 * The function's folder and `read` paths: read and execute (a dynamic
 * binary's loader and libraries need execute); `write` paths: read and
 * write, never execute.
 */
int sbx_landlock_prepare(struct sandbox_plan *p, const struct fn_config *fn,
			 char *err, size_t errlen)
{
	p->ll_abi = ll_abi();
	if (p->ll_abi <= 0) {
		sbx_note(p, "landlock: unavailable, NO filesystem confinement");
		return 0;
	}
	p->ll_ruleset = create_ruleset(p, fn->network);
	if (p->ll_ruleset < 0) {
		snprintf(err, errlen, "landlock: create_ruleset: %s",
			 strerror(errno));
		return -1;
	}
	if (add_path(p, fn->dir, FS_READ | FS_EXEC, err, errlen) < 0 ||
	    add_list(p, &fn->read, FS_READ | FS_EXEC, err, errlen) < 0 ||
	    add_list(p, &fn->write, FS_READ | FS_WRITE, err, errlen) < 0)
		return -1;
	note_abi(p, fn->network);
	return 0;
}

/*
 * In the spawner, once: its children inherit the domain at no cost. The
 * spawner opens no file after this. Without CAP_SYS_ADMIN in its own
 * user namespace it needs no_new_privs first (it never execs anyway).
 */
int sbx_landlock_enter(struct sandbox_plan *p, char *err, size_t errlen)
{
	int rc;

	if (p->ll_ruleset < 0)
		return 0;
	if (!p->userns && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	rc = syscall(SYS_landlock_restrict_self, p->ll_ruleset,
		     p->ll_restrict_flags);
	if (rc < 0)
		snprintf(err, errlen, "landlock_restrict_self: %s",
			 strerror(errno));
	close(p->ll_ruleset);
	p->ll_ruleset = -1;
	return rc < 0 ? -1 : 0;
}
