/* warm_child.h - a warm child from clone to execve. */
#ifndef NOVO_WARM_CHILD_H
#define NOVO_WARM_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox.h"

/*
 * The child's ends: stdin read, stdout/stderr write; and the function's
 * binary and folder, opened before privileges were dropped so that a
 * folder the user cannot traverse to still works.
 */
struct child_fds {
	int in, out, err;
	int bin, dir;
};

/*
 * Clones a child that shares the spawner's memory until it execs (no page
 * tables to copy, nothing to unmap at exec): it runs on a stack of its own,
 * takes no lock and allocates nothing. Its parent is novod (CLONE_PARENT).
 * Returns its pid and *pidfd, or -1.
 */
pid_t warm_child_clone(const char *path, const struct sandbox_plan *plan,
		       const struct child_fds *fds, int *pidfd);

/* Frees the stacks of children that have exec'd or died. */
void warm_child_reap(void);

/*
 * Where children are born. apart (novod has had one request at a time):
 * the spawner moves off the first CPU, so its children and their functions
 * live apart from the request path (nginx, novod); otherwise it may run
 * anywhere. Returns whether children made now are born off the first CPU.
 * warm_child_place_init() first, before the spawner is sealed.
 */
void warm_child_place_init(void);
bool warm_child_place(bool apart);
/* Whether the caller runs on the first CPU, the one children born apart
 * keep off (warm_child_place_init() first, in this process). */
bool warm_child_on_first_cpu(void);

/* The top bit of the environment's length: run anywhere (see above). */
#define ENV_LEN_WIDEN 0x80000000u

#endif
