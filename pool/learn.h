/* learn.h - `novoctl learn`: the syscalls a function needs, from one run. */
#ifndef NOVO_LEARN_H
#define NOVO_LEARN_H

/*
 * argv[0] is "learn"; then NAME [-q QUERY] [-d BODY] [-c novod.ini].
 * Prints the `syscalls = ...` line on stdout, the function's exit and the
 * start of its response on stderr. Returns the exit code for novoctl.
 */
int learn_main(int argc, char **argv);

#endif
