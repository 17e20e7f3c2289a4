// SPDX-License-Identifier: GPL-2.0
/*
 * watch.c - the watched supervisor and the tasks bound to functions.
 *
 * The supervisor is held as a struct pid of its thread group: a PID
 * number reused after it died is another struct pid and never matches.
 *
 * Bound tasks live in a hash keyed by task_struct pointer. Each entry
 * holds a reference on its task, so the pointer cannot be reused by a
 * new task while the entry exists. Entries are added by NOVO_IOC_BIND
 * and by the fork probe (a child inherits its parent's function), and
 * removed by the exit probe, at the end of a watch and at unload.
 * Readers (the probes) walk the hash under RCU; writers hold novo_lock.
 * Allocation in the fork probe cannot sleep: if it fails, the child of
 * a bound task is killed before it ever runs (fail closed).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "novo.h"

#define NOVO_HASH_BITS	10

struct novo_task {
	struct hlist_node node;
	struct task_struct *task;
	u32 fn_id;
	bool armed;		/* has exec'd the function: enforce */
	struct rcu_head rcu;
};

DEFINE_MUTEX(novo_mutex);
DEFINE_SPINLOCK(novo_lock);

static DEFINE_HASHTABLE(novo_tasks, NOVO_HASH_BITS);
static struct pid *novo_watch;	/* writes under novo_lock */
static bool novo_watch_dead;	/* its last thread exited; under novo_lock */

static void novo_end_work_fn(struct work_struct *w);
static DECLARE_WORK(novo_end_work, novo_end_work_fn);

static struct novo_task *novo_task_find(struct task_struct *t)
{
	struct novo_task *e;

	hash_for_each_possible_rcu(novo_tasks, e, node, (unsigned long)t)
		if (e->task == t)
			return e;
	return NULL;
}

u32 novo_task_fn(struct task_struct *t)
{
	struct novo_task *e = novo_task_find(t);

	return e && READ_ONCE(e->armed) ? READ_ONCE(e->fn_id) : 0;
}

static void novo_fn_tasks_add(u32 id, long n)
{
	struct novo_fn *fn;

	rcu_read_lock();
	fn = novo_fn_get(id);
	if (fn)
		atomic_long_add(n, &fn->tasks);
	rcu_read_unlock();
}

/* Under novo_lock: binds t to id with e, or updates t's entry. */
static void novo_task_set(struct task_struct *t, u32 id, bool armed,
			  struct novo_task *e)
{
	struct novo_task *old = novo_task_find(t);

	if (old) {
		novo_fn_tasks_add(old->fn_id, -1);
		WRITE_ONCE(old->fn_id, id);
		WRITE_ONCE(old->armed, armed);
		novo_fn_tasks_add(id, 1);
		kfree(e);
		return;
	}
	get_task_struct(t);
	e->task = t;
	e->fn_id = id;
	e->armed = armed;
	hash_add_rcu(novo_tasks, &e->node, (unsigned long)t);
	atomic_inc(&novo_nr_bound);
	novo_fn_tasks_add(id, 1);
}

static void novo_task_free_rcu(struct rcu_head *head)
{
	struct novo_task *e = container_of(head, struct novo_task, rcu);

	put_task_struct(e->task);
	kfree(e);
}

/* Under novo_lock. */
static void novo_task_del(struct novo_task *e)
{
	hash_del_rcu(&e->node);
	atomic_dec(&novo_nr_bound);
	novo_fn_tasks_add(e->fn_id, -1);
	call_rcu(&e->rcu, novo_task_free_rcu);
}

static void novo_task_remove(struct task_struct *t)
{
	struct novo_task *e;

	spin_lock(&novo_lock);
	e = novo_task_find(t);
	if (e)
		novo_task_del(e);
	spin_unlock(&novo_lock);
}

int novo_watch_register(void)
{
	struct pid *me = task_tgid(current);
	int ret = 0;

	lockdep_assert_held(&novo_mutex);
	spin_lock(&novo_lock);
	if (novo_watch && novo_watch != me)
		ret = -EBUSY;
	else if (!novo_watch)
		WRITE_ONCE(novo_watch, get_pid(me));
	spin_unlock(&novo_lock);
	if (!ret)
		pr_info("watching pid=%d comm=%s\n", task_tgid_nr(current),
			current->comm);
	return ret;
}

int novo_watch_state(void)
{
	struct pid *w = READ_ONCE(novo_watch);

	if (!w)
		return NOVO_STATE_FREE;
	return w == task_tgid(current) ? NOVO_STATE_MINE : NOVO_STATE_OTHER;
}

bool novo_watch_mine(void)
{
	lockdep_assert_held(&novo_mutex);
	return novo_watch_state() == NOVO_STATE_MINE;
}

/* Under novo_mutex: forgets the supervisor, its bound tasks, functions. */
void novo_watch_end(void)
{
	struct novo_task *e;
	struct hlist_node *tmp;
	struct pid *w;
	int bkt;

	lockdep_assert_held(&novo_mutex);
	spin_lock(&novo_lock);
	w = novo_watch;
	WRITE_ONCE(novo_watch, NULL);
	novo_watch_dead = false;
	hash_for_each_safe(novo_tasks, bkt, tmp, e, node)
		novo_task_del(e);
	spin_unlock(&novo_lock);
	if (w)
		pr_info("watch of pid=%d ended\n", pid_nr(w));
	put_pid(w);
	novo_fn_free_all();
}

static void novo_end_work_fn(struct work_struct *w)
{
	bool dead;

	mutex_lock(&novo_mutex);
	spin_lock(&novo_lock);
	dead = novo_watch_dead;
	spin_unlock(&novo_lock);
	if (dead)
		novo_watch_end();
	mutex_unlock(&novo_mutex);
}

/* Before a new registration: a dead supervisor's teardown is done. */
void novo_watch_flush(void)
{
	flush_work(&novo_end_work);
}

/* Under rcu_read_lock: is t below the supervisor (not one of its threads)? */
static bool novo_below_watch(struct task_struct *t, struct pid *w)
{
	if (task_tgid(t) == w)
		return false;
	while (t != &init_task) {
		t = rcu_dereference(t->real_parent);
		if (task_tgid(t) == w)
			return true;
	}
	return false;
}

/* Under rcu_read_lock and novo_lock: binds every thread of p. */
static int novo_bind_threads(struct task_struct *p, u32 id, bool now)
{
	struct task_struct *t;
	struct novo_task *e;

	for_each_thread(p, t) {
		e = kzalloc(sizeof(*e), GFP_ATOMIC);
		if (!e)
			return -ENOMEM;
		novo_task_set(t, id, now, e);
	}
	return 0;
}

int novo_watch_bind(pid_t nr, u32 id, bool now)
{
	struct task_struct *p;
	int ret;

	lockdep_assert_held(&novo_mutex);
	rcu_read_lock();
	if (!novo_fn_get(id)) {
		ret = -ENOENT;
		goto out;
	}
	p = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (!p || !novo_below_watch(p, novo_watch)) {
		ret = -ESRCH;
		goto out;
	}
	spin_lock(&novo_lock);
	ret = novo_bind_threads(p, id, now);
	spin_unlock(&novo_lock);
	/*
	 * Pairs with smp_mb() in the exit probe: either it sees our entry,
	 * or we see PF_EXITING and drop the entry ourselves.
	 */
	smp_mb();
	if (!ret && (p->flags & PF_EXITING))
		novo_task_remove(p);
out:
	rcu_read_unlock();
	return ret;
}

void novo_probe_fork(void *data, struct task_struct *parent,
		     struct task_struct *child)
{
	struct novo_task *e;
	bool armed = false;
	u32 id = 0;

	if (likely(!atomic_read(&novo_nr_bound)))
		return;
	rcu_read_lock();
	e = novo_task_find(parent);
	if (e) {
		id = READ_ONCE(e->fn_id);
		armed = READ_ONCE(e->armed);
	}
	rcu_read_unlock();
	if (likely(!id))
		return;
	/* The child has not run yet: it cannot exit before we are done. */
	e = kzalloc(sizeof(*e), GFP_NOWAIT | __GFP_NOWARN);
	spin_lock(&novo_lock);
	if (e && READ_ONCE(novo_watch)) {
		novo_task_set(child, id, armed, e);
		e = NULL;
	} else if (!e && READ_ONCE(novo_watch)) {
		send_sig(SIGKILL, child, 1);
		pr_warn_ratelimited("no memory to track pid=%d: killed\n",
				    task_pid_nr(child));
	}
	spin_unlock(&novo_lock);
	kfree(e);
}

/* A bound task replaced novod's code by the function's: enforce now. */
void novo_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		     struct linux_binprm *bprm)
{
	struct novo_task *e;

	if (likely(!atomic_read(&novo_nr_bound)))
		return;
	rcu_read_lock();
	e = novo_task_find(p);
	if (e)
		WRITE_ONCE(e->armed, true);
	rcu_read_unlock();
}

void novo_probe_exit(void *data, struct task_struct *p)
{
	struct pid *w = READ_ONCE(novo_watch);

	/*
	 * The supervisor's last thread: end the watch in process context.
	 * w is only compared here; under the lock novo_watch holds a
	 * reference, so a recycled struct pid cannot match.
	 */
	if (unlikely(w && task_tgid(p) == w && !atomic_read(&p->signal->live))) {
		spin_lock(&novo_lock);
		if (novo_watch == task_tgid(p)) {
			novo_watch_dead = true;
			schedule_work(&novo_end_work);
		}
		spin_unlock(&novo_lock);
	}
	/* Pairs with smp_mb() in novo_watch_bind(): PF_EXITING is set. */
	smp_mb();
	if (likely(!atomic_read(&novo_nr_bound)))
		return;
	rcu_read_lock();
	if (novo_task_find(p)) {
		rcu_read_unlock();
		novo_task_remove(p);
		return;
	}
	rcu_read_unlock();
}

/* At unload, after the probes are gone. */
void novo_watch_exit(void)
{
	cancel_work_sync(&novo_end_work);
	mutex_lock(&novo_mutex);
	novo_watch_end();
	mutex_unlock(&novo_mutex);
}
