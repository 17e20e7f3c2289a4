/* pool.h - the warm children of each function, and the table of functions. */
#ifndef NOVO_POOL_H
#define NOVO_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "sandbox.h"
#include "spawner.h"

#define LAT_WINDOW 2048

/* Counters of one function name: they survive reloads and binary swaps. */
struct fn_stats {
	char name[NOVO_NAME_MAX + 1];
	_Atomic uint64_t requests, r2xx, r3xx, r4xx, r5xx;
	_Atomic uint64_t timeouts, violations, spawned, spawn_failures;
	_Atomic uint64_t busy_polled; /* request.c's busy_poll_until */
	/* a ring written without a lock: a reader may see a slot not yet
	 * written, or one newer than the rest, never a torn value */
	_Atomic uint32_t lat_us[LAT_WINDOW];
	_Atomic unsigned lat_n, lat_pos;
	struct fn_stats *next;
};

/* A config generation: pools point into it, freed with the last one. */
struct config_gen {
	_Atomic int refs;
	struct fn_config *fns;
	size_t n;
};

struct pool {
	const struct fn_config *fn;
	char *env_tmpl; /* the fixed part of its requests' environment */
	size_t env_tmpl_len;
	struct config_gen *gen;
	struct fn_stats *stats;
	struct spawner sp;
	bool sp_dead;
	bool restarting; /* the main thread replaces sp: hands off */
	pthread_mutex_t lock;
	pthread_cond_t cv_idle, cv_slot, cv_pool, cv_warm;
	struct warm_child *idle;
	unsigned n_idle, cap_idle;
	unsigned busy, queued, waiting, spawning, peak, warm_waiters;
	long long peak_reset_ns, backoff_ns;
	bool retired, done;
	bool filled; /* warm reached once: refills may go apart (pool thread) */
	_Atomic int refs; /* the table's and each request's */
	pthread_t thread;
	bool thread_started;
	struct pool *next_all; /* every pool alive, for maintenance */
};

enum acquire_result {
	ACQ_OK = 0,
	ACQ_FULL = -1, /* queue full: 503 */
	ACQ_TIMEOUT = -2, /* no slot or child before the deadline: 504 */
	ACQ_BROKEN = -3, /* children fail to set up: 502 */
};

long long now_ns(void);

struct fn_stats *stats_for(const char *name);
void stats_latency(struct fn_stats *s, double ms);
void stats_percentiles(struct fn_stats *s, double *p50, double *p99);

/* Main thread only: starts the spawner and the pool thread. */
struct pool *pool_create(struct config_gen *gen, const struct fn_config *fn,
			 const struct sandbox_opts *opts, char *err,
			 size_t errlen);
/* Waits until the pool has its warm children (or timeout). */
void pool_wait_warm(struct pool *p, int timeout_ms);
void pool_retire(struct pool *p);

int pool_acquire(struct pool *p, struct warm_child *c, long long deadline_ns);
/* Another child in place of an acquired one found dead: same slot. */
int pool_retake(struct pool *p, struct warm_child *c, long long deadline_ns);

/* Function table: lookup takes a reference, pool_put drops it. */
struct pool *table_get(const char *name, size_t len);
void pool_ref(struct pool *p);
void pool_put(struct pool *p);
/* After a request that acquired: its slot and its reference, at once. */
void pool_release_put(struct pool *p);
/* Whether at most one request is in flight, over all pools. */
bool pool_alone(void);
/* Main thread: installs pools as the new table; returns the old one. */
struct pool **table_swap(struct pool **pools, size_t n, size_t *old_n);
/* Main thread only (it alone changes the table). */
struct pool **table_current(size_t *n);
/* Calls fn for every current pool under the table lock. */
void table_foreach(void (*fn)(struct pool *p, void *arg), void *arg);

/* Main thread, periodically: restart dead spawners, free retired pools. */
void pools_maintain(const struct sandbox_opts *opts);
/* Main thread at exit: kill every child, stop every spawner. */
void pools_shutdown(void);

void config_gen_put(struct config_gen *gen);

#endif
