/* learn.h - `novoctl learn`: the syscalls a function needs, from one run. */
#ifndef NOVO_LEARN_H
#define NOVO_LEARN_H

/*
 * argv[0] is "learn"; then NAME [-q QUERY] [-d BODY] [-c novod.ini].
 * Prints the `syscalls = ...` line on stdout, the function's exit and the
 * start of its response on stderr. Returns the exit code for novoctl.
 */
int learn_main(int argc, char **argv);

#include <stdbool.h>

#include "config.h"

#define LEARN_NR_MAX 1024

/*
 * With novo.ko loaded and novod running: its learn mode records what one
 * request (GET with query) of function name uses; used[] gets the
 * syscall numbers. Returns 0, or -1 (then novoctl learns by itself).
 */
int learn_with_lkm(const struct server_config *srv, const char *name,
		   const char *query, int timeout_ms, bool *used);

#endif
