/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * novo.h - the interface of novo.ko, shared by the module and novod.
 *
 * /dev/novo (root only, mode 0600) takes ioctls. The process that issues
 * NOVO_IOC_REGISTER becomes the watched supervisor: its whole thread group,
 * held by a struct pid reference, so a reused PID is never watched. Only
 * that thread group may upload, bind and set learn mode afterwards; any
 * opener may read counters (NOVO_IOC_STATS, or read() for a text table).
 * The watch ends when the supervisor's last thread exits.
 */
#ifndef _UAPI_NOVO_H
#define _UAPI_NOVO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define NOVO_DEV		"/dev/novo"
#define NOVO_API_VERSION	1
#define NOVO_NAME_LEN		72	/* [A-Za-z0-9_-]{1,64}, NUL padded */
#define NOVO_SYSCALL_BITS	1024	/* x86-64 has fewer than 512 */
#define NOVO_SYSCALL_WORDS	(NOVO_SYSCALL_BITS / 64)

/* novo_policy.flags */
#define NOVO_FN_LEARN		0x1	/* allow all, record what is used */

/*
 * A function's policy: bit n of allow[n / 64] (bit n % 64) allows native
 * syscall n. Uploading an id again replaces its whitelist at once, for
 * running tasks too; counters and learned syscalls are kept. Names are
 * unique: a name already bound to another id is EEXIST.
 */
struct novo_policy {
	__u32 id;			/* chosen by the supervisor, != 0 */
	__u32 flags;
	char name[NOVO_NAME_LEN];
	__u64 allow[NOVO_SYSCALL_WORDS];
};

/*
 * Binds process pid (in the caller's pid namespace) and its threads to
 * function id. pid must be a descendant of the supervisor, not one of
 * its threads. Its future children inherit the binding. The whitelist
 * applies from the task's next successful execve on (until then it runs
 * the supervisor's own code), or at once with NOVO_BIND_NOW.
 */
#define NOVO_BIND_NOW		0x1

struct novo_bind {
	__s32 pid;
	__u32 id;
	__u32 flags;
};

/*
 * Counters of one function, looked up by name (name[0] != 0) or id.
 * denies, when not 0, points to denies_len __u64: per syscall refusals.
 */
struct novo_stats {
	__u32 id;			/* in (or 0) / out */
	__u32 flags;			/* out */
	char name[NOVO_NAME_LEN];	/* in (or "") / out */
	__u32 nr_syscalls;		/* out: the kernel's NR_syscalls */
	__u32 denies_len;		/* in */
	__u64 denies;			/* in: user pointer, or 0 */
	__u64 denied;			/* out: refusals, all syscalls */
	__u64 tasks;			/* out: tasks bound right now */
	__u64 learned[NOVO_SYSCALL_WORDS]; /* out */
};

/* NOVO_IOC_STATE answers */
#define NOVO_STATE_FREE		0	/* no supervisor registered */
#define NOVO_STATE_OTHER	1	/* another process is the supervisor */
#define NOVO_STATE_MINE		2	/* the caller's process is */

#define NOVO_IOC_MAGIC		0xd0
#define NOVO_IOC_VERSION	_IO(NOVO_IOC_MAGIC, 0)	/* returns API version */
#define NOVO_IOC_REGISTER	_IO(NOVO_IOC_MAGIC, 1)	/* EBUSY if taken */
#define NOVO_IOC_STATE		_IO(NOVO_IOC_MAGIC, 2)	/* returns NOVO_STATE_* */
#define NOVO_IOC_UPLOAD		_IOW(NOVO_IOC_MAGIC, 3, struct novo_policy)
#define NOVO_IOC_BIND		_IOW(NOVO_IOC_MAGIC, 4, struct novo_bind)
#define NOVO_IOC_STATS		_IOWR(NOVO_IOC_MAGIC, 5, struct novo_stats)
#define NOVO_IOC_UNREGISTER	_IO(NOVO_IOC_MAGIC, 6)	/* ends the watch */

#endif /* _UAPI_NOVO_H */
