/* sandbox_impl.h - what the sandbox_*.c files share; not for other users. */
#ifndef NOVO_SANDBOX_IMPL_H
#define NOVO_SANDBOX_IMPL_H

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/resource.h>

#include "sandbox.h"

#define SBX_MAX_RLIMITS 8
#define SBX_NOTES 512

struct sbx_rlimit {
	int resource;
	bool per_child; /* CPU and AS: the spawner must not be bound by them */
	struct rlimit lim;
};

struct sandbox_plan {
	bool enabled, drop_user, network;
	uid_t uid;
	gid_t gid;
	unsigned warm, max_concurrency;

	struct sbx_rlimit rl[SBX_MAX_RLIMITS];
	int n_rl;

	struct sock_fprog prog; /* exported once, installed raw per child */
	bool notify; /* default action is SECCOMP_RET_USER_NOTIF */
	bool learn; /* novoctl learn: every syscall allowed */

	int ll_ruleset; /* Landlock ruleset fd, -1 when none */
	int ll_abi; /* 0: no Landlock */
	unsigned ll_restrict_flags;

	bool userns; /* the spawner lives in its own user namespace */
	bool newpid; /* children get CLONE_NEWPID */
	int cap_last;

	char notes[SBX_NOTES];
};

/* sandbox.c */
void sbx_note(struct sandbox_plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbx_set_rlimit(struct sandbox_plan *p, int resource, rlim_t soft,
		    rlim_t hard);

/* sandbox_seccomp.c */
int sbx_seccomp_prepare(struct sandbox_plan *p, const struct fn_config *fn,
			char *err, size_t errlen);
int sbx_seccomp_install(const struct sandbox_plan *p);
void sbx_seccomp_free(struct sandbox_plan *p);

/* sandbox_landlock.c */
int sbx_landlock_prepare(struct sandbox_plan *p, const struct fn_config *fn,
			 char *err, size_t errlen);
int sbx_landlock_enter(struct sandbox_plan *p, char *err, size_t errlen);

/* sandbox_ns.c */
int sbx_drop_user(const struct sandbox_plan *p, char *err, size_t errlen);
void sbx_namespaces(struct sandbox_plan *p);
void sbx_drop_bounding(const struct sandbox_plan *p);
int sbx_drop_caps(void);

#endif
