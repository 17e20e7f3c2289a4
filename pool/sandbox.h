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
 * In each warm child, after clone, before it waits for its request:
 * rlimits, no_new_privs, capabilities, Landlock, then seccomp last.
 * After it returns the child may only call read/recvmsg on fd 3,
 * sendmsg on fd 3, close, execve and exit_group until it execs.
 * Returns the seccomp user-notification fd (>= 0) when the kill is
 * reported through one, -1 when none (violations then kill by SIGSYS),
 * or -2 on failure. Must not allocate: it runs in a clone()d child.
 */
int sandbox_enter_child(const struct sandbox_plan *plan);

/*
 * In novod, on a readable notification fd: the syscall number and the pid
 * (as novod's pid namespace sees it) of the violation. The caller logs
 * syscalls_name(nr) and kills the child's tree; the call stays blocked
 * until then. Returns 0, or -1 with errno (ENOENT: the process is gone).
 */
int sandbox_notif_recv(int fd, int *nr, pid_t *pid);

/* What this kernel gave and lacked, one line, for the log. */
const char *sandbox_notes(const struct sandbox_plan *plan);

void sandbox_free(struct sandbox_plan *plan);

#endif
