/*
 * violation.h - the seccomp notifications of every spawner, read by one
 * thread: who broke its function's whitelist, killed, and remembered for
 * the request that ran it.
 */
#ifndef NOVO_VIOLATION_H
#define NOVO_VIOLATION_H

#include <stdbool.h>
#include <sys/types.h>

/* Starts the watcher thread (novod only). Returns 0, or -1. */
int violation_start(void);

/* Watches a spawner's notification fd, which the watcher now owns. */
void violation_watch(int fd);

/* Stops watching it; the watcher closes it. */
void violation_unwatch(int fd);

/*
 * A process novod started (a warm child, by then the function) that was
 * killed for a forbidden call at or after since_ns, itself or one of its
 * descendants: true and the syscall number, forgotten once taken.
 */
bool violation_take(pid_t pid, long long since_ns, int *nr);

#endif
