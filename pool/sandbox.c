/*
 * sandbox.c - confining a function, in three steps (see docs/sandbox.md):
 * sandbox_prepare() computes everything once in the spawner,
 * sandbox_enter_spawner() switches user, makes the spawner's namespaces
 * and Landlock domain once (inherited by every child), and
 * sandbox_enter_child() applies the rest in each warm child with
 * async-signal-safe syscalls only, seccomp last.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_impl.h"

#define MIB (1024ULL * 1024)
#define NOFILE_MAX 64
#define FSIZE_MAX (64 * MIB)
#define AS_SLACK (1024 * MIB)
#define NPROC_EXTRA 64 /* per function, beyond its warm + busy children */
#define NPROC_SHARED 4096 /* without a user ns the count is per uid */

void sbx_note(struct sandbox_plan *p, const char *fmt, ...)
{
	size_t len = strlen(p->notes);
	va_list ap;

	if (len && len + 2 < sizeof(p->notes)) {
		memcpy(p->notes + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(p->notes + len, sizeof(p->notes) - len, fmt, ap);
	va_end(ap);
}

/* Never above the hard limit we were given: raising it needs a cap. */
void sbx_set_rlimit(struct sandbox_plan *p, int resource, rlim_t soft,
		    rlim_t hard)
{
	struct rlimit cur;
	int i;

	if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY) {
		if (hard > cur.rlim_max)
			hard = cur.rlim_max;
		if (soft > hard)
			soft = hard;
	}
	for (i = 0; i < p->n_rl && p->rl[i].resource != resource; i++)
		;
	if (i == SBX_MAX_RLIMITS)
		return;
	p->rl[i].resource = resource;
	/*
	 * The spawner keeps novod's RLIMIT_NOFILE: it bounds the fds the
	 * spawner may have in flight to novod, counted for its whole user.
	 */
	p->rl[i].per_child = resource == RLIMIT_CPU || resource == RLIMIT_AS ||
			     resource == RLIMIT_DATA ||
			     resource == RLIMIT_NOFILE;
	p->rl[i].lim.rlim_cur = soft;
	p->rl[i].lim.rlim_max = hard;
	if (i == p->n_rl)
		p->n_rl++;
}

/*
 * memory_mb bounds RLIMIT_DATA, the private writable memory a process
 * commits; RLIMIT_AS gets 1 GiB more, room for the address space Go's
 * runtime reserves (PROT_NONE) without using it. RLIMIT_CPU is whole
 * seconds: cpu_ms is rounded up; the hard limit one second later turns
 * SIGXCPU into SIGKILL. Soft = hard elsewhere, so that a function cannot
 * raise its own limits.
 */
static void plan_rlimits(struct sandbox_plan *p, const struct fn_config *fn)
{
	rlim_t cpu = (fn->cpu_ms + 999) / 1000;
	rlim_t mem = fn->memory_mb * MIB;

	if (mem) {
		sbx_set_rlimit(p, RLIMIT_DATA, mem, mem);
		sbx_set_rlimit(p, RLIMIT_AS, mem + AS_SLACK, mem + AS_SLACK);
	}
	if (fn->cpu_ms)
		sbx_set_rlimit(p, RLIMIT_CPU, cpu, cpu + 1);
	sbx_set_rlimit(p, RLIMIT_NOFILE, NOFILE_MAX, NOFILE_MAX);
	sbx_set_rlimit(p, RLIMIT_FSIZE, FSIZE_MAX, FSIZE_MAX);
	sbx_set_rlimit(p, RLIMIT_CORE, 0, 0);
	sbx_set_rlimit(p, RLIMIT_NPROC, NPROC_SHARED, NPROC_SHARED);
}

static int cap_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = 63;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 63;
		fclose(f);
	}
	return n;
}

static struct sandbox_plan *plan_new(const struct fn_config *fn,
				     const struct sandbox_opts *opts)
{
	struct sandbox_plan *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->enabled = opts->enabled;
	p->drop_user = opts->drop_user;
	p->uid = opts->uid;
	p->gid = opts->gid;
	p->network = fn->network;
	p->warm = fn->warm;
	p->max_concurrency = fn->max_concurrency;
	p->ll_ruleset = -1;
	p->cap_last = cap_last();
	return p;
}

static struct sandbox_plan *prepare(const struct fn_config *fn,
				    const struct sandbox_opts *opts, bool learn,
				    char *err, size_t errlen)
{
	struct sandbox_plan *p = plan_new(fn, opts);

	if (p)
		p->learn = learn;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	plan_rlimits(p, fn);
	if (!p->enabled) {
		sbx_note(p, "SANDBOX OFF: limits%s only",
			 p->drop_user ? " and user switch" : "");
		return p;
	}
	if (sbx_seccomp_prepare(p, fn, err, errlen) < 0 ||
	    sbx_landlock_prepare(p, fn, err, errlen) < 0) {
		sandbox_free(p);
		return NULL;
	}
	return p;
}

static int set_rlimits(const struct sandbox_plan *p, bool per_child)
{
	for (int i = 0; i < p->n_rl; i++)
		if (p->rl[i].per_child == per_child &&
		    sandbox_call(SYS_prlimit64, 0, p->rl[i].resource,
				 (long)&p->rl[i].lim, 0, 0) < 0)
			return -1;
	return 0;
}

/* The limits that bind the spawner too are set here, once. */
static int spawner_rlimits(struct sandbox_plan *p, char *err, size_t errlen)
{
	rlim_t nproc = p->warm + p->max_concurrency + NPROC_EXTRA;

	/* in its own user namespace a function counts only its own tasks */
	if (p->userns)
		sbx_set_rlimit(p, RLIMIT_NPROC, nproc, nproc);
	if (set_rlimits(p, false) < 0) {
		snprintf(err, errlen, "setrlimit: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int sandbox_enter_spawner(struct sandbox_plan *p, char *err, size_t errlen)
{
	if (sbx_drop_user(p, err, errlen) < 0)
		return -1;
	if (p->enabled) {
		sbx_namespaces(p);
		if (sbx_landlock_enter(p, err, errlen) < 0)
			return -1;
		sbx_drop_bounding(p);
	}
	return spawner_rlimits(p, err, errlen);
}

unsigned long sandbox_child_clone_flags(const struct sandbox_plan *p)
{
	return p->enabled && p->newpid ? CLONE_NEWPID : 0;
}

int sandbox_enter_child(const struct sandbox_plan *p)
{
	if (sandbox_call(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    set_rlimits(p, true) < 0)
		return -1;
	if (p->enabled && sbx_drop_caps() < 0)
		return -1;
	return 0;
}

int sandbox_seal(const struct sandbox_plan *p)
{
	if (!p->enabled)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -2;
	return sbx_seccomp_install(p);
}

const char *sandbox_notes(const struct sandbox_plan *p)
{
	return p->notes;
}

struct sandbox_plan *sandbox_prepare(const struct fn_config *fn,
				     const struct sandbox_opts *opts, char *err,
				     size_t errlen)
{
	return prepare(fn, opts, false, err, errlen);
}

struct sandbox_plan *sandbox_prepare_learn(const struct fn_config *fn,
					   const struct sandbox_opts *opts,
					   char *err, size_t errlen)
{
	return prepare(fn, opts, true, err, errlen);
}

void sandbox_free(struct sandbox_plan *p)
{
	if (!p)
		return;
	sbx_seccomp_free(p);
	if (p->ll_ruleset >= 0)
		close(p->ll_ruleset);
	free(p);
}
