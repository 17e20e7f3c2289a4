// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - the function table: id -> name, whitelist, counters.
 *
 * An xarray keyed by the supervisor's function id. The sys_enter probe
 * looks functions up under rcu_read_lock() (xa_load is RCU safe); only
 * commands under novo_mutex add or remove them. A function lives until
 * its watch ends; its policy is swapped with rcu_assign_pointer() so a
 * new whitelist applies to running tasks at their next syscall.
 */
#include <linux/ctype.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "novo.h"

static DEFINE_XARRAY(novo_fns);

struct novo_fn *novo_fn_get(u32 id)
{
	return xa_load(&novo_fns, id);
}

static bool novo_name_ok(const char *s)
{
	size_t i, n = strnlen(s, NOVO_NAME_LEN);

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

struct novo_fn *novo_fn_by_name(const char *name)
{
	struct novo_fn *fn;
	unsigned long id;

	lockdep_assert_held(&novo_mutex);
	xa_for_each(&novo_fns, id, fn)
		if (!strncmp(fn->name, name, NOVO_NAME_LEN))
			return fn;
	return NULL;
}

static struct novo_policy_rcu *novo_policy_new(const struct novo_policy *p)
{
	struct novo_policy_rcu *pol;
	unsigned int i;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return NULL;
	pol->flags = p->flags & NOVO_FN_LEARN;
	/* user words are 64-bit little endian bitmaps; bits past NR are 0 */
	for (i = 0; i < NOVO_NR; i++)
		if (p->allow[i / 64] & (1ULL << (i % 64)))
			__set_bit(i, pol->allow);
	return pol;
}

int novo_fn_upload(const struct novo_policy *p)
{
	struct novo_policy_rcu *pol, *old;
	struct novo_fn *fn, *named;
	int err;

	lockdep_assert_held(&novo_mutex);
	if (!p->id || !novo_name_ok(p->name) || p->flags & ~NOVO_FN_LEARN)
		return -EINVAL;
	named = novo_fn_by_name(p->name);
	fn = xa_load(&novo_fns, p->id);
	if (named && named != fn)
		return -EEXIST;
	if (fn && strncmp(fn->name, p->name, NOVO_NAME_LEN))
		return -EEXIST;
	pol = novo_policy_new(p);
	if (!pol)
		return -ENOMEM;
	if (fn) {
		old = rcu_replace_pointer(fn->policy, pol,
					  lockdep_is_held(&novo_mutex));
		kfree_rcu(old, rcu);
		return 0;
	}
	fn = kzalloc(sizeof(*fn), GFP_KERNEL);
	if (!fn) {
		kfree(pol);
		return -ENOMEM;
	}
	fn->id = p->id;
	strscpy(fn->name, p->name, sizeof(fn->name));
	RCU_INIT_POINTER(fn->policy, pol);
	err = xa_err(xa_store(&novo_fns, fn->id, fn, GFP_KERNEL));
	if (err) {
		kfree(pol);
		kfree(fn);
	}
	return err;
}

/* At the end of a watch and at unload: probes may still hold pointers. */
void novo_fn_free_all(void)
{
	struct novo_fn *fn;
	unsigned long id;

	lockdep_assert_held(&novo_mutex);
	xa_for_each(&novo_fns, id, fn) {
		xa_erase(&novo_fns, id);
		kfree_rcu(rcu_dereference_protected(fn->policy, 1), rcu);
		kfree_rcu(fn, rcu);
	}
}

int novo_fn_stats(struct novo_stats *st, u64 __user *denies)
{
	struct novo_fn *fn;
	unsigned int i, n;
	u64 v;

	lockdep_assert_held(&novo_mutex);
	if (st->name[0])
		fn = novo_fn_by_name(st->name);
	else
		fn = xa_load(&novo_fns, st->id);
	if (!fn)
		return -ENOENT;
	st->id = fn->id;
	memcpy(st->name, fn->name, sizeof(st->name));
	st->flags = rcu_dereference_protected(fn->policy, 1)->flags;
	st->nr_syscalls = NOVO_NR;
	st->denied = atomic_long_read(&fn->denied);
	st->tasks = atomic_long_read(&fn->tasks);
	memset(st->learned, 0, sizeof(st->learned));
	for (i = 0; i < NOVO_NR; i++)
		if (test_bit(i, fn->learned))
			st->learned[i / 64] |= 1ULL << (i % 64);
	n = denies ? min(st->denies_len, NOVO_NR) : 0;
	for (i = 0; i < n; i++) {
		v = atomic_long_read(&fn->denies[i]);
		if (put_user(v, denies + i))
			return -EFAULT;
	}
	return 0;
}

/* The text table read() returns: one line per function and counter. */
void novo_fn_show(struct seq_file *m)
{
	struct novo_fn *fn;
	unsigned long id;
	unsigned int i;
	long v;

	lockdep_assert_held(&novo_mutex);
	xa_for_each(&novo_fns, id, fn) {
		seq_printf(m, "fn=%s id=%u learn=%u tasks=%ld denied=%ld\n",
			   fn->name, fn->id,
			   rcu_dereference_protected(fn->policy, 1)->flags &
			   NOVO_FN_LEARN ? 1 : 0,
			   atomic_long_read(&fn->tasks),
			   atomic_long_read(&fn->denied));
		for (i = 0; i < NOVO_NR; i++) {
			v = atomic_long_read(&fn->denies[i]);
			if (v)
				seq_printf(m, "deny fn=%s syscall=%s count=%ld\n",
					   fn->name, novo_sysname(i), v);
		}
		for (i = 0; i < NOVO_NR; i++)
			if (test_bit(i, fn->learned))
				seq_printf(m, "learned fn=%s syscall=%s\n",
					   fn->name, novo_sysname(i));
	}
}
