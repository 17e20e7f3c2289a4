/* SPDX-License-Identifier: GPL-2.0 */
/*
 * novo.h - internals of novo.ko, shared between its files.
 *
 * Locking, in one place:
 * - novo_mutex serialises every command (ioctl) and the end of a watch.
 *   Only process context takes it.
 * - novo_lock (spinlock) guards writers of the bound-task hash and the
 *   watch pointer. The fork and exit probes take it; they run in process
 *   context and never sleep under it.
 * - Readers in the probes (sys_enter, fork, exit) use RCU only: the task
 *   hash, the function xarray and each function's policy pointer are
 *   published with RCU and freed after a grace period (kfree_rcu).
 * - Lock order: novo_mutex, then novo_lock.
 */
#ifndef NOVO_H
#define NOVO_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <asm/unistd.h>

struct linux_binprm;
struct seq_file;

#include "uapi/novo.h"

#define NOVO_NR		min_t(unsigned int, NR_syscalls, NOVO_SYSCALL_BITS)

/* What a function may do: replaced as a whole on upload (RCU). */
struct novo_policy_rcu {
	u32 flags;
	struct rcu_head rcu;
	DECLARE_BITMAP(allow, NOVO_SYSCALL_BITS);
};

struct novo_fn {
	struct rcu_head rcu;		/* first: kfree_rcu needs offset < 4k */
	u32 id;
	char name[NOVO_NAME_LEN];
	struct novo_policy_rcu __rcu *policy;
	atomic_long_t tasks;			/* bound tasks alive */
	atomic_long_t denied;
	atomic_long_t denies[NOVO_SYSCALL_BITS];
	DECLARE_BITMAP(learned, NOVO_SYSCALL_BITS);
};

extern struct mutex novo_mutex;
extern spinlock_t novo_lock;

/* policy.c: the function table */
struct novo_fn *novo_fn_get(u32 id);		/* under rcu_read_lock */
struct novo_fn *novo_fn_by_name(const char *name); /* under novo_mutex */
int novo_fn_upload(const struct novo_policy *p);
void novo_fn_free_all(void);
int novo_fn_stats(struct novo_stats *st, u64 __user *denies);
void novo_fn_show(struct seq_file *m);

/* watch.c: the supervisor and the bound tasks */
int novo_watch_register(void);
int novo_watch_state(void);
bool novo_watch_mine(void);			/* under novo_mutex */
void novo_watch_end(void);			/* under novo_mutex */
void novo_watch_flush(void);
int novo_watch_bind(pid_t nr, u32 id, bool now);
u32 novo_task_fn(struct task_struct *t);	/* under rcu_read_lock */
void novo_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		     struct linux_binprm *bprm);
void novo_probe_fork(void *data, struct task_struct *parent,
		     struct task_struct *child);
void novo_probe_exit(void *data, struct task_struct *p);
void novo_watch_exit(void);

/* enforce.c: the sys_enter probe */
extern atomic_t novo_nr_bound;
void novo_probe_sys_enter(void *data, struct pt_regs *regs, long id);
const char *novo_sysname(long nr);

/* dev.c */
int novo_dev_init(void);
void novo_dev_exit(void);

#endif /* NOVO_H */
