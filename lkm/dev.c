// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - /dev/novo: ioctl commands and a text table on read().
 *
 * Every command runs under novo_mutex, so commands never race each
 * other or the end of a watch. An open file pins the module (fops owner),
 * so the supervisor opens the device per command and closes it at once:
 * rmmod stays possible at any time between two commands.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "novo.h"

static int novo_show(struct seq_file *m, void *v)
{
	if (mutex_lock_killable(&novo_mutex))
		return -EINTR;
	seq_printf(m, "version=%d watch=%s\n", NOVO_API_VERSION,
		   novo_watch_state() == NOVO_STATE_FREE ? "none" : "active");
	novo_fn_show(m);
	mutex_unlock(&novo_mutex);
	return 0;
}

static int novo_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice there; seq_file wants it empty */
	file->private_data = NULL;
	return single_open(file, novo_show, NULL);
}

static long novo_cmd_register(void)
{
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	novo_watch_flush();
	mutex_lock(&novo_mutex);
	ret = novo_watch_register();
	mutex_unlock(&novo_mutex);
	return ret;
}

static long novo_cmd_upload(void __user *up)
{
	struct novo_policy *p;
	long ret;

	p = memdup_user(up, sizeof(*p));
	if (IS_ERR(p))
		return PTR_ERR(p);
	p->name[NOVO_NAME_LEN - 1] = '\0';
	mutex_lock(&novo_mutex);
	ret = novo_watch_mine() ? novo_fn_upload(p) : -EPERM;
	mutex_unlock(&novo_mutex);
	kfree(p);
	return ret;
}

static long novo_cmd_bind(void __user *up)
{
	struct novo_bind b;
	long ret;

	if (copy_from_user(&b, up, sizeof(b)))
		return -EFAULT;
	if (b.flags & ~NOVO_BIND_NOW)
		return -EINVAL;
	mutex_lock(&novo_mutex);
	ret = novo_watch_mine() ? novo_watch_bind(b.pid, b.id,
						   b.flags & NOVO_BIND_NOW) : -EPERM;
	mutex_unlock(&novo_mutex);
	return ret;
}

static long novo_cmd_stats(void __user *up)
{
	struct novo_stats *st;
	long ret;

	st = memdup_user(up, sizeof(*st));
	if (IS_ERR(st))
		return PTR_ERR(st);
	st->name[NOVO_NAME_LEN - 1] = '\0';
	mutex_lock(&novo_mutex);
	ret = novo_fn_stats(st, u64_to_user_ptr(st->denies));
	mutex_unlock(&novo_mutex);
	if (!ret && copy_to_user(up, st, sizeof(*st)))
		ret = -EFAULT;
	kfree(st);
	return ret;
}

static long novo_cmd_unregister(void)
{
	long ret = -EPERM;

	mutex_lock(&novo_mutex);
	if (novo_watch_mine()) {
		novo_watch_end();
		ret = 0;
	}
	mutex_unlock(&novo_mutex);
	return ret;
}

static long novo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *up = (void __user *)arg;
	long ret;

	switch (cmd) {
	case NOVO_IOC_VERSION:
		return NOVO_API_VERSION;
	case NOVO_IOC_REGISTER:
		return novo_cmd_register();
	case NOVO_IOC_STATE:
		mutex_lock(&novo_mutex);
		ret = novo_watch_state();
		mutex_unlock(&novo_mutex);
		return ret;
	case NOVO_IOC_UPLOAD:
		return novo_cmd_upload(up);
	case NOVO_IOC_BIND:
		return novo_cmd_bind(up);
	case NOVO_IOC_STATS:
		return novo_cmd_stats(up);
	case NOVO_IOC_UNREGISTER:
		return novo_cmd_unregister();
	}
	return -ENOTTY;
}

static const struct file_operations novo_fops = {
	.owner		= THIS_MODULE,
	.open		= novo_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
	.unlocked_ioctl	= novo_ioctl,
};

static struct miscdevice novo_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "novo",
	.fops	= &novo_fops,
	.mode	= 0600,
};

int novo_dev_init(void)
{
	return misc_register(&novo_misc);
}

void novo_dev_exit(void)
{
	misc_deregister(&novo_misc);
}
