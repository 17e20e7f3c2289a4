// SPDX-License-Identifier: GPL-2.0
/*
 * enforce.c - the sys_enter probe: the whitelist check of bound tasks.
 *
 * Runs for every syscall of every task while the module is loaded, so
 * the common case is one atomic read (nothing bound) or one hash bucket
 * read (this task is not bound). It never sleeps and takes no lock but
 * RCU. A refused call is skipped by the entry code: after the tracepoint
 * it reads the syscall number back from orig_ax, and -1 means "none",
 * leaving our -EPERM in ax as the return value.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>

#include "novo.h"
#include "sysnames.h"

atomic_t novo_nr_bound = ATOMIC_INIT(0);

/* At most 10 lines each 5 s: a looping function cannot flood the log. */
static DEFINE_RATELIMIT_STATE(novo_deny_rs, 5 * HZ, 10);

const char *novo_sysname(long nr)
{
	if (nr >= 0 && nr < ARRAY_SIZE(novo_sysnames) && novo_sysnames[nr])
		return novo_sysnames[nr];
	return "?";
}

static void novo_log_deny(const struct novo_fn *fn, long id, bool native)
{
	char comm[TASK_COMM_LEN];
	uid_t uid = from_kuid_munged(&init_user_ns, current_uid());

	if (!__ratelimit(&novo_deny_rs))
		return;
	get_task_comm(comm, current);
	if (native)
		pr_notice("deny fn=%s pid=%d comm=%s uid=%u syscall=%s\n",
			  fn->name, task_pid_nr(current), comm, uid,
			  novo_sysname(id));
	else
		pr_notice("deny fn=%s pid=%d comm=%s uid=%u syscall=compat:%ld\n",
			  fn->name, task_pid_nr(current), comm, uid, id);
}

/* Under rcu_read_lock. */
static void novo_check(u32 fn_id, struct pt_regs *regs, long id)
{
	struct novo_policy_rcu *pol;
	struct novo_fn *fn;
	bool native;

	if (id < 0)		/* no syscall will run: nothing to refuse */
		return;
	/* 32-bit and x32 entries use other numbers: refuse them all */
	native = id < NOVO_NR && !in_ia32_syscall();
	fn = novo_fn_get(fn_id);
	if (unlikely(!fn))
		goto deny_quietly;
	pol = rcu_dereference(fn->policy);
	if (pol->flags & NOVO_FN_LEARN) {
		if (native && !test_bit(id, fn->learned))
			set_bit(id, fn->learned);
		return;
	}
	if (native && test_bit(id, pol->allow))
		return;
	atomic_long_inc(&fn->denied);
	if (native)
		atomic_long_inc(&fn->denies[id]);
	novo_log_deny(fn, id, native);
deny_quietly:
	regs->orig_ax = -1;
	regs->ax = -EPERM;
}

void novo_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	u32 fn_id;

	if (likely(!atomic_read(&novo_nr_bound)))
		return;
	rcu_read_lock();
	fn_id = novo_task_fn(current);
	if (unlikely(fn_id))
		novo_check(fn_id, regs, id);
	rcu_read_unlock();
}
