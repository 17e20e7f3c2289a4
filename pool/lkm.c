/* lkm.c - novod's side of novo.ko, through /dev/novo (lkm/uapi/novo.h). */
#include "lkm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../lkm/uapi/novo.h"
#include "log.h"
#include "syscalls.h"

/*
 * The device is opened per command and closed at once: an open file pins
 * the module, and `rmmod novo` must work at any moment. Registration
 * outlives the file: the module holds novod's process, not the fd.
 *
 * Function ids are handed out per name for the life of novod, so a
 * reload keeps a function's counters. The policies sent are kept to
 * switch learn mode without the config at hand.
 */
struct lkm_fn {
	struct novo_policy pol;
};

static pthread_mutex_t lkm_lock = PTHREAD_MUTEX_INITIALIZER;
static enum lkm_state lkm_st = LKM_STATE_OFF;
static struct lkm_fn *lkm_fns;
static size_t lkm_nfns;

/* One command on a fresh fd; returns ioctl's result, -1 with errno. */
static int lkm_cmd(unsigned long cmd, void *arg)
{
	int fd, r, e;

	fd = open(NOVO_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = ioctl(fd, cmd, arg);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static const char *lkm_why(int e)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "novo.ko is not loaded (no " NOVO_DEV ")";
	case EBUSY:
		return "novo.ko already watches another novod";
	default:
		return strerror(e);
	}
}

/* Under lkm_lock: the module went away or forgot us. */
static void lkm_gone(int e)
{
	if (lkm_st != LKM_STATE_ACTIVE)
		return;
	lkm_st = LKM_STATE_ABSENT;
	log_msg(LOG_WARN, "lkm: %s; going on with novod's own sandbox",
		e == 0 ? "novo.ko no longer watches novod" : lkm_why(e));
}

int lkm_start(enum lkm_mode mode, char *err, size_t errlen)
{
	int v, e = 0;

	pthread_mutex_lock(&lkm_lock);
	lkm_st = LKM_STATE_OFF;
	if (mode == LKM_OFF)
		goto out;
	v = lkm_cmd(NOVO_IOC_VERSION, NULL);
	if (v < 0)
		e = errno;
	else if (v != NOVO_API_VERSION)
		e = EPROTO;
	else if (lkm_cmd(NOVO_IOC_REGISTER, NULL) < 0)
		e = errno;
	if (e == 0) {
		lkm_st = LKM_STATE_ACTIVE;
		log_msg(LOG_NOTICE, "lkm: novo.ko watches novod (pid %d)",
			(int)getpid());
		goto out;
	}
	lkm_st = LKM_STATE_ABSENT;
	if (mode == LKM_REQUIRE) {
		snprintf(err, errlen, "lkm: mode = require, but %s",
			 e == EPROTO ? "novo.ko speaks another API version" :
				       lkm_why(e));
		pthread_mutex_unlock(&lkm_lock);
		return -1;
	}
	log_msg(LOG_NOTICE, "lkm: not used: %s; novod's own sandbox only",
		e == EPROTO ? "novo.ko speaks another API version" :
			      lkm_why(e));
out:
	pthread_mutex_unlock(&lkm_lock);
	return 0;
}

enum lkm_state lkm_state(void)
{
	enum lkm_state st;
	int r;

	pthread_mutex_lock(&lkm_lock);
	if (lkm_st == LKM_STATE_ACTIVE) {
		r = lkm_cmd(NOVO_IOC_STATE, NULL);
		if (r != NOVO_STATE_MINE)
			lkm_gone(r < 0 ? errno : 0);
	}
	st = lkm_st;
	pthread_mutex_unlock(&lkm_lock);
	return st;
}

const char *lkm_state_name(enum lkm_state s)
{
	switch (s) {
	case LKM_STATE_ACTIVE:
		return "active";
	case LKM_STATE_ABSENT:
		return "absent";
	default:
		return "off";
	}
}

/* Under lkm_lock: the entry of name, created with a new id if needed. */
static struct lkm_fn *lkm_fn(const char *name)
{
	struct lkm_fn *f;
	size_t i;

	for (i = 0; i < lkm_nfns; i++)
		if (strcmp(lkm_fns[i].pol.name, name) == 0)
			return &lkm_fns[i];
	if (strlen(name) >= NOVO_NAME_LEN)
		return NULL;
	f = realloc(lkm_fns, (lkm_nfns + 1) * sizeof(*f));
	if (f == NULL)
		return NULL;
	lkm_fns = f;
	f = &lkm_fns[lkm_nfns];
	memset(f, 0, sizeof(*f));
	f->pol.id = (uint32_t)++lkm_nfns;
	strcpy(f->pol.name, name);
	return f;
}

static struct lkm_fn *lkm_fn_find(const char *name)
{
	size_t i;

	for (i = 0; i < lkm_nfns; i++)
		if (strcmp(lkm_fns[i].pol.name, name) == 0)
			return &lkm_fns[i];
	return NULL;
}

/* Under lkm_lock: sends f's policy. */
static int lkm_send(struct lkm_fn *f)
{
	if (lkm_cmd(NOVO_IOC_UPLOAD, &f->pol) == 0)
		return 0;
	if (errno == ENOENT || errno == ENODEV || errno == EPERM) {
		lkm_gone(errno == EPERM ? 0 : errno);
		return -1;
	}
	log_msg(LOG_ERR, "lkm: upload of %s: %s", f->pol.name, strerror(errno));
	return -1;
}

int lkm_upload(const struct fn_config *fn)
{
	struct lkm_fn *f;
	size_t i;
	int r = -1;

	pthread_mutex_lock(&lkm_lock);
	if (lkm_st != LKM_STATE_ACTIVE) {
		r = 0;
		goto out;
	}
	f = lkm_fn(fn->name);
	if (f == NULL) {
		log_msg(LOG_ERR, "lkm: upload of %s: out of memory", fn->name);
		goto out;
	}
	memset(f->pol.allow, 0, sizeof(f->pol.allow));
	for (i = 0; i < fn->n_syscalls; i++) {
		int nr = fn->syscall_nr[i];

		if (nr >= 0 && nr < NOVO_SYSCALL_BITS)
			f->pol.allow[nr / 64] |= 1ULL << (nr % 64);
	}
	r = lkm_send(f);
out:
	pthread_mutex_unlock(&lkm_lock);
	return r;
}

int lkm_set_learn(const char *fn_name, bool on)
{
	struct lkm_fn *f;
	int r = -1;

	pthread_mutex_lock(&lkm_lock);
	f = lkm_fn_find(fn_name);
	if (lkm_st != LKM_STATE_ACTIVE || f == NULL) {
		log_msg(LOG_ERR, "lkm: learn %s: %s", fn_name,
			f ? "novo.ko is not active" : "no such function");
		goto out;
	}
	if (on)
		f->pol.flags |= NOVO_FN_LEARN;
	else
		f->pol.flags &= ~NOVO_FN_LEARN;
	r = lkm_send(f);
out:
	pthread_mutex_unlock(&lkm_lock);
	return r;
}

int lkm_bind(pid_t pid, const char *fn_name)
{
	struct lkm_fn *f;
	struct novo_bind b = { .pid = pid };
	int r = 0;

	pthread_mutex_lock(&lkm_lock);
	if (lkm_st != LKM_STATE_ACTIVE)
		goto out;
	/*
	 * A child may come before its function's whitelist (pools start
	 * while the config is being uploaded): bind it to an empty one,
	 * which refuses everything, until lkm_upload() replaces it under
	 * the same id. Enforcement starts at exec anyway.
	 */
	f = lkm_fn_find(fn_name);
	if (f == NULL && ((f = lkm_fn(fn_name)) == NULL || lkm_send(f) < 0)) {
		log_msg(LOG_ERR, "lkm: bind pid %d: no policy for %s", (int)pid,
			fn_name);
		r = -1;
		goto out;
	}
	b.id = f->pol.id;
	if (lkm_cmd(NOVO_IOC_BIND, &b) == 0)
		goto out;
	r = -1;
	if (errno == ENOENT || errno == ENODEV || errno == EPERM)
		lkm_gone(errno == EPERM ? 0 : errno);
	else
		log_msg(LOG_ERR, "lkm: bind pid %d to %s: %s", (int)pid,
			fn_name, strerror(errno));
out:
	pthread_mutex_unlock(&lkm_lock);
	return r;
}

/* Counters of fn_name straight from the module; denies: NOVO_SYSCALL_BITS. */
static int lkm_stats(const char *fn_name, struct novo_stats *st,
		     uint64_t *denies)
{
	memset(st, 0, sizeof(*st));
	if (strlen(fn_name) >= NOVO_NAME_LEN) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(st->name, fn_name);
	st->denies = (uint64_t)(uintptr_t)denies;
	st->denies_len = denies ? NOVO_SYSCALL_BITS : 0;
	return lkm_cmd(NOVO_IOC_STATS, st);
}

void lkm_status_json(FILE *out, const char *fn_name)
{
	static uint64_t denies[NOVO_SYSCALL_BITS];
	static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
	struct novo_stats st;
	const char *name;
	unsigned i, n = 0;

	if (lkm_state() != LKM_STATE_ACTIVE)
		return;
	pthread_mutex_lock(&buf_lock);
	if (lkm_stats(fn_name, &st, denies) < 0)
		goto out;
	fprintf(out,
		", \"lkm\": {\"learn\": %s, \"tasks\": %llu, "
		"\"denied\": %llu, \"denies\": {",
		st.flags & NOVO_FN_LEARN ? "true" : "false",
		(unsigned long long)st.tasks, (unsigned long long)st.denied);
	for (i = 0; i < st.nr_syscalls && i < NOVO_SYSCALL_BITS; i++) {
		if (denies[i] == 0)
			continue;
		name = syscalls_name((int)i);
		if (name)
			fprintf(out, "%s\"%s\": %llu", n++ ? ", " : "", name,
				(unsigned long long)denies[i]);
		else
			fprintf(out, "%s\"%u\": %llu", n++ ? ", " : "", i,
				(unsigned long long)denies[i]);
	}
	fputs("}}", out);
out:
	pthread_mutex_unlock(&buf_lock);
}

int lkm_learned(const char *fn_name, int **nr, size_t *n)
{
	struct novo_stats st;
	unsigned i;

	*nr = NULL;
	*n = 0;
	if (lkm_stats(fn_name, &st, NULL) < 0)
		return -1;
	*nr = malloc(NOVO_SYSCALL_BITS * sizeof(**nr));
	if (*nr == NULL)
		return -1;
	for (i = 0; i < st.nr_syscalls && i < NOVO_SYSCALL_BITS; i++)
		if (st.learned[i / 64] & (1ULL << (i % 64)))
			(*nr)[(*n)++] = (int)i;
	return 0;
}

void lkm_stop(void)
{
	pthread_mutex_lock(&lkm_lock);
	if (lkm_st == LKM_STATE_ACTIVE)
		(void)lkm_cmd(NOVO_IOC_UNREGISTER, NULL);
	lkm_st = LKM_STATE_OFF;
	free(lkm_fns);
	lkm_fns = NULL;
	lkm_nfns = 0;
	pthread_mutex_unlock(&lkm_lock);
}
