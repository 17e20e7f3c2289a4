/* sandbox.h - confining a function: namespaces, limits, Landlock, seccomp. */
#ifndef NOVO_SANDBOX_H
#define NOVO_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/*
 * A warm child reads its CGI environment on fd 0 (its stdin, before the
 * body), says "ready" on fd 2 (its stderr) and execs fd 3, the binary.
 */
#define SANDBOX_ENV_FD 0
#define SANDBOX_READY_FD 2
#define SANDBOX_EXEC_FD 3

struct sandbox_opts {
	bool enabled; /* [server] sandbox */
	bool drop_user; /* novod runs as root: switch to uid/gid */
	uid_t uid;
	gid_t gid;
};

struct sandbox_plan; /* opaque: everything computed once per function */

/*
 * In the function's spawner process, once per config load: builds the
 * seccomp BPF program, the Landlock ruleset, the rlimits. Costly work
 * belongs here. Returns NULL and a one-line reason in err on failure.
 */
struct sandbox_plan *sandbox_prepare(const struct fn_config *fn,
				     const struct sandbox_opts *opts, char *err,
				     size_t errlen);

/*
 * The same plan with a filter that allows every syscall (socket() still
 * fails with network = no): for `novoctl learn`, which records the calls
 * with ptrace. Landlock, namespaces and limits are those of the function.
 */
struct sandbox_plan *sandbox_prepare_learn(const struct fn_config *fn,
					   const struct sandbox_opts *opts,
					   char *err, size_t errlen);

/*
 * In the spawner, once, before it makes children: drops to the user,
 * creates the per-function namespaces (user, ipc, uts, mount, and net
 * unless network = yes). Returns 0, or -1 with a reason in err.
 * Anything missing on this kernel is degraded and reported in notes.
 */
int sandbox_enter_spawner(struct sandbox_plan *plan, char *err, size_t errlen);

/* Extra clone flags for each child (CLONE_NEWPID when available). */
unsigned long sandbox_child_clone_flags(const struct sandbox_plan *plan);

/*
 * In the spawner, once, after sandbox_enter_spawner: no_new_privs and the
 * function's seccomp filter on the spawner itself, so that every child
 * inherits it instead of compiling and attaching its own. The filter
 * also lets through the calls the spawner and a child before its execve
 * need, but only when they carry the spawner's key (sandbox_call): a
 * random value no function can know. Returns the user-notification fd
 * (>= 0) through which violations of the spawner and of all its children
 * are reported, -1 when there is none (violations then kill by SIGSYS),
 * or -2 on failure.
 */
int sandbox_seal(const struct sandbox_plan *plan);

/*
 * A raw syscall carrying the key in its sixth argument, which the calls
 * made this way do not use. Every call of a sealed spawner and of a child
 * before its execve goes through here (elsewhere the key is 0 and the
 * kernel ignores it).
 */
long sandbox_call(long nr, long a0, long a1, long a2, long a3, long a4);
/* The same for the calls of three arguments or fewer (most of them). */
#define SBX_CALL(nr, a0, a1, a2) \
	sandbox_call(nr, (long)(a0), (long)(a1), (long)(a2), 0, 0)
unsigned long sandbox_key(void);

/*
 * In each warm child, after clone, before it waits for its request:
 * the death signal, its own rlimits, no capabilities. Gated calls only:
 * it runs under the spawner's filter. Returns 0, or -1 on failure. Must
 * not allocate: it runs in a clone()d child.
 */
int sandbox_enter_child(const struct sandbox_plan *plan);

/*
 * In novod, on a readable notification fd: the notification's id, the
 * syscall number and the pid (as novod's pid namespace sees it) of the
 * violation. The call stays blocked until the process is killed. Returns
 * 0, or -1 with errno (ENOENT: the process is gone).
 */
int sandbox_notif_recv(int fd, unsigned long long *id, int *nr, pid_t *pid);

/* Is the notification id still pending (its process alive and blocked)? */
bool sandbox_notif_valid(int fd, unsigned long long id);

/* What this kernel gave and lacked, one line, for the log. */
const char *sandbox_notes(const struct sandbox_plan *plan);

void sandbox_free(struct sandbox_plan *plan);

#endif
