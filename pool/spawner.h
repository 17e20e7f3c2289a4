/* spawner.h - one small process per function that makes warm children. */
#ifndef NOVO_SPAWNER_H
#define NOVO_SPAWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "sandbox.h"

struct spawner {
	pid_t pid;
	int sock; /* SOCK_SEQPACKET to the spawner */
	int pidfd; /* the spawner process itself */
	int notify; /* seccomp notifications of it and its children, or -1 */
	char notes[256];
};

/* A child made before its request: sandboxed, blocked reading stdin. */
struct warm_child {
	pid_t pid; /* as novod sees it */
	int pidfd; /* novod is its parent: waitid(P_PIDFD) works */
	int in; /* its stdin, write end */
	int out; /* its stdout, read end */
	int err; /* its stderr, read end */
	bool own_session; /* no pid namespace: kill its session too */
	bool ready; /* its "ready" line was read */
	bool placed; /* born off the first CPU (warm_child_place) */
	bool widen; /* taken while others were in flight: run anywhere */
};

/* Records the path novod re-executes as a spawner. Call once at start. */
int spawner_init(const char *self_exe);

/* Starts the spawner of fn (from novod's main thread only: the spawner
 * and the children it makes die with that thread through PDEATHSIG). */
int spawner_start(struct spawner *sp, const struct fn_config *fn,
		  const struct sandbox_opts *opts, char *err, size_t errlen);

/*
 * Asks for n warm children at once, born off the first CPU when apart
 * (warm_child_place); spawner_receive() then takes each
 * one's descriptors in order (-1: the spawner reported a failure, -2: it
 * did not answer). A child sets itself up in parallel; child_ready() reads
 * its "ready" line when it is first used (bounded by deadline_ns): 0 when
 * ready, -1 when its set-up failed or it stayed silent, 1 when it died
 * before a word (killed from outside: no fault of its set-up).
 */
int spawner_request(struct spawner *sp, unsigned n, bool apart);
int spawner_receive(struct spawner *sp, struct warm_child *c, char *err,
		    size_t errlen);
int child_ready(struct warm_child *c, long long deadline_ns, char *err,
		size_t errlen);

/* Closes the channel (the spawner exits) and reaps it. */
void spawner_stop(struct spawner *sp);

/* Has the spawner process exited? */
bool spawner_dead(const struct spawner *sp);

/* Hands the environment block ("K=V\0K=V\0") to the child: it execs. */
int child_start(struct warm_child *c, const char *env, size_t len,
		long long deadline_ns);

/* Kills (if still running) and closes everything; reaps when reap. */
void child_kill(struct warm_child *c);
/* Only the rest of its tree, when it has no pid namespace of its own. */
void child_kill_session(struct warm_child *c);
void child_close(struct warm_child *c);

/* The spawner process: `novod --spawner PPID`, channel on fd 3. */
int spawner_main(int argc, char **argv);

#endif
