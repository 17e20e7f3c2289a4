/*
 * sandbox_ns.c - who the function runs as: user, namespaces, capabilities.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_impl.h"

#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_NO_SETUID_FIXUP (1 << 2)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
#endif

int sbx_drop_user(const struct sandbox_plan *p, char *err, size_t errlen)
{
	if (!p->drop_user)
		return 0;
	if (setgroups(1, &p->gid) < 0 ||
	    setresgid(p->gid, p->gid, p->gid) < 0 ||
	    setresuid(p->uid, p->uid, p->uid) < 0) {
		snprintf(err, errlen, "cannot switch to uid %u gid %u: %s",
			 (unsigned)p->uid, (unsigned)p->gid, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, s, len) == (ssize_t)len)
		rc = 0;
	close(fd);
	return rc;
}

static int write_maps(uid_t uid, gid_t gid)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", buf) < 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return -1;
	snprintf(buf, sizeof(buf), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", buf);
}

/*
 * Same ids inside as outside: the spawner's caps hold only in its ns.
 * After a switch from root the process is not dumpable and its /proc
 * files stay root's: dumpable for the writes, then as it was.
 */
static int map_ids(uid_t uid, gid_t gid)
{
	int was = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	int rc;

	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	rc = write_maps(uid, gid);
	prctl(PR_SET_DUMPABLE, was > 0 ? was : 0, 0, 0, 0);
	return rc;
}

static int ns_flags(const struct sandbox_plan *p)
{
	int f = CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;

	return p->network ? f : f | CLONE_NEWNET;
}

/*
 * The host's /proc, covered by an empty read-only tmpfs in the function's
 * mount namespace. Landlock denies opening anything under it, but not
 * stat() or readlink(), which would still tell the host's pids (the pid
 * namespace has no /proc of its own here); and every static glibc program
 * resolves /proc/self/exe at start-up, a lookup through procfs that now
 * fails at once.
 */
static void hide_proc(struct sandbox_plan *p)
{
	if (mount("novo", "/proc", "tmpfs",
		  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,mode=0555") < 0)
		sbx_note(p, "/proc not hidden: %s", strerror(errno));
}

static void ns_after(struct sandbox_plan *p)
{
	/* mounts made outside no longer propagate in, nor ours out */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		sbx_note(p, "mount tree not private: %s", strerror(errno));
	/* nobody below the spawner may make a user namespace again */
	if (p->userns &&
	    write_file("/proc/sys/user/max_user_namespaces", "0") < 0)
		sbx_note(p, "nested user namespaces not capped: %s",
			 strerror(errno));
	hide_proc(p); /* last: the line above writes under /proc */
	sbx_note(p, "namespaces: %sipc uts mnt%s%s", p->userns ? "user " : "",
		 p->network ? " (host net)" : " net", p->newpid ? " pid" : "");
}

/*
 * A user namespace when the kernel lets us make one; otherwise, as root,
 * the other namespaces alone; otherwise none, said in the notes.
 */
void sbx_namespaces(struct sandbox_plan *p)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | ns_flags(p)) == 0) {
		p->userns = true;
		if (map_ids(uid, gid) < 0) {
			sbx_note(p, "uid/gid map: %s", strerror(errno));
			p->userns = false;
		}
		p->newpid = p->userns;
	} else if (uid == 0 && unshare(ns_flags(p)) == 0) {
		p->newpid = true;
	} else {
		sbx_note(p,
			 "no namespaces (%s): no pid/net/ipc/mount "
			 "isolation, functions share the host's",
			 strerror(errno));
		return;
	}
	ns_after(p);
}

/*
 * In the spawner, once (inherited by every child): securebits so that
 * uid 0, if it ever is, gains nothing on exec; an empty bounding set.
 * Both need CAP_SETPCAP: without it there was nothing to drop.
 */
void sbx_drop_bounding(const struct sandbox_plan *p)
{
	prctl(PR_SET_SECUREBITS,
	      SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
		      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
		      SECBIT_NO_CAP_AMBIENT_RAISE |
		      SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
	      0, 0, 0);
	for (int c = 0; c <= p->cap_last; c++)
		prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
}

/* In each child: the spawner's caps (in its user ns) are not passed on. */
int sbx_drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	sandbox_call(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0,
		     0);
	memset(d, 0, sizeof(d));
	return sandbox_call(SYS_capset, (long)&h, (long)d, 0, 0, 0) < 0 ? -1 :
									  0;
}
