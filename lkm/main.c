// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - novo.ko: loading and unloading.
 *
 * The module hooks three tracepoints, found by name since they are not
 * exported as symbols: sys_enter (enforcement), sched_process_fork
 * (children inherit their function), sched_process_exec (a bound task
 * starts its function: enforcement begins) and sched_process_exit
 * (bound tasks and the supervisor leave). It does not touch sys_call_table.
 *
 * Unload order makes "rmmod at any moment" safe: the device goes first
 * (no new command; a command in progress holds a module reference, so
 * rmmod cannot even start then), then the probes, then
 * tracepoint_synchronize_unregister() waits until no CPU is inside one,
 * and only then is the state freed; rcu_barrier() waits for our RCU
 * callbacks before the module text goes away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "novo.h"

struct novo_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool on;
};

static struct novo_tp novo_tps[] = {
	{ .name = "sched_process_fork", .probe = novo_probe_fork },
	{ .name = "sched_process_exit", .probe = novo_probe_exit },
	{ .name = "sched_process_exec", .probe = novo_probe_exec },
	{ .name = "sys_enter", .probe = novo_probe_sys_enter },
};

static void novo_tp_find(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(novo_tps); i++)
		if (!strcmp(tp->name, novo_tps[i].name))
			novo_tps[i].tp = tp;
}

static void novo_tp_off(void)
{
	unsigned int i;

	for (i = ARRAY_SIZE(novo_tps); i-- > 0;) {
		if (!novo_tps[i].on)
			continue;
		tracepoint_probe_unregister(novo_tps[i].tp, novo_tps[i].probe,
					    NULL);
		novo_tps[i].on = false;
	}
	tracepoint_synchronize_unregister();
}

static int novo_tp_on(void)
{
	unsigned int i;
	int err;

	for_each_kernel_tracepoint(novo_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(novo_tps); i++) {
		if (!novo_tps[i].tp) {
			pr_err("tracepoint %s not found\n", novo_tps[i].name);
			err = -ENOENT;
			goto fail;
		}
		err = tracepoint_probe_register(novo_tps[i].tp,
						novo_tps[i].probe, NULL);
		if (err) {
			pr_err("tracepoint %s: error %d\n", novo_tps[i].name,
			       err);
			goto fail;
		}
		novo_tps[i].on = true;
	}
	return 0;
fail:
	novo_tp_off();
	return err;
}

static int __init novo_init(void)
{
	int err;

	err = novo_tp_on();
	if (err)
		return err;
	err = novo_dev_init();
	if (err) {
		novo_tp_off();
		return err;
	}
	pr_info("loaded: %u syscalls, /dev/novo\n", NOVO_NR);
	return 0;
}

static void __exit novo_exit(void)
{
	novo_dev_exit();
	novo_tp_off();
	novo_watch_exit();
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(novo_init);
module_exit(novo_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("novo");
MODULE_DESCRIPTION("novo: per-function syscall whitelists for novod's process tree");
