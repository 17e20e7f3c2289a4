/* syscalls.h - syscall names and @groups, resolved for this architecture. */
#ifndef NOVO_SYSCALLS_H
#define NOVO_SYSCALLS_H

#include <stddef.h>

/*
 * Resolves a whitelist ("read write @cgi @file") into sorted, unique
 * syscall numbers of the native architecture. On error returns -1 and
 * writes a one-line reason ("unknown syscall \"foo\"", "unknown group
 * \"@bar\"") into err; *nr is then NULL.
 */
int syscalls_resolve(const char *spec, int **nr, size_t *n, char *err,
		     size_t errlen);

/* Name of a native syscall number, or NULL. */
const char *syscalls_name(int nr);

/* The @groups, for docs/syscalls.md and `novoctl learn`. */
struct syscall_group {
	const char *name; /* "@cgi" */
	const char *what; /* one line */
	const char *members; /* names and @groups, space separated */
};

size_t syscalls_n_groups(void);
const struct syscall_group *syscalls_group(size_t i);

#endif
