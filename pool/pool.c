/* pool.c - warm children per function: admission, hand-out, replenishment. */
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgi_env.h"
#include "lkm.h"
#include "log.h"

#define PEAK_WINDOW_NS (10LL * 1000000000LL)
#define LONE_QUIET_NS (100LL * 1000000LL)
#define BACKOFF_NS (200LL * 1000000LL)
/* idle children past the target that the sweep leaves alone */
#define IDLE_SLACK 2

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool **table;
static size_t table_n;
static struct pool *all_pools;
static struct fn_stats *all_stats;

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void deadline_ts(long long deadline_ns, struct timespec *ts)
{
	ts->tv_sec = deadline_ns / 1000000000LL;
	ts->tv_nsec = deadline_ns % 1000000000LL;
}

/* ---- stats ---- */

struct fn_stats *stats_for(const char *name)
{
	struct fn_stats *s;

	pthread_mutex_lock(&table_lock);
	for (s = all_stats; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			goto out;
	s = calloc(1, sizeof(*s));
	if (s) {
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->next = all_stats;
		all_stats = s;
	}
out:
	pthread_mutex_unlock(&table_lock);
	return s;
}

/* Every request's: no lock, the window is a ring of atomic slots. */
void stats_latency(struct fn_stats *s, double ms)
{
	unsigned pos =
		atomic_fetch_add_explicit(&s->lat_pos, 1, memory_order_relaxed);
	double us = ms * 1000.0;

	atomic_store_explicit(&s->lat_us[pos % LAT_WINDOW],
			      us < UINT32_MAX ? (uint32_t)us : UINT32_MAX,
			      memory_order_relaxed);
	if (atomic_load_explicit(&s->lat_n, memory_order_relaxed) < LAT_WINDOW)
		atomic_fetch_add_explicit(&s->lat_n, 1, memory_order_relaxed);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void stats_percentiles(struct fn_stats *s, double *p50, double *p99)
{
	static uint32_t copy[LAT_WINDOW];
	static pthread_mutex_t copy_lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned n = atomic_load(&s->lat_n);

	if (n > LAT_WINDOW)
		n = LAT_WINDOW;
	pthread_mutex_lock(&copy_lock);
	for (unsigned i = 0; i < n; i++)
		copy[i] = atomic_load_explicit(&s->lat_us[i],
					       memory_order_relaxed);
	*p50 = *p99 = 0;
	if (n > 0) {
		qsort(copy, n, sizeof(copy[0]), cmp_u32);
		*p50 = copy[(n - 1) / 2] / 1000.0;
		*p99 = copy[(size_t)((n - 1) * 0.99)] / 1000.0;
	}
	pthread_mutex_unlock(&copy_lock);
}

/* ---- the pool thread: keeps warm children ready ---- */

/*
 * Requests in flight over all pools. Children are born off the first CPU
 * only after LONE_QUIET_NS with one request at a time (warm_child_place):
 * a request that overlaps another only raises a flag, and the pool thread
 * that next makes children takes it and notes the time, off the request
 * path.
 */
static atomic_uint busy_all;
static atomic_bool overlapped;
static _Atomic long long overlap_ns;

static void busy_add(struct pool *p)
{
	p->busy++;
	if (p->busy > p->peak)
		p->peak = p->busy;
	if (atomic_fetch_add(&busy_all, 1) >= 1 && !atomic_load(&overlapped))
		atomic_store(&overlapped, true);
}

static void busy_sub(struct pool *p)
{
	p->busy--;
	atomic_fetch_sub(&busy_all, 1);
}

bool pool_alone(void)
{
	return atomic_load(&busy_all) <= 1;
}

static bool lone(long long now)
{
	if (atomic_exchange(&overlapped, false))
		atomic_store(&overlap_ns, now);
	return pool_alone() && now - atomic_load(&overlap_ns) > LONE_QUIET_NS;
}

/* The burst of the last PEAK_WINDOW_NS; the pool thread rolls it over. */
static void roll_peak(struct pool *p, long long now)
{
	if (now > p->peak_reset_ns) {
		p->peak = p->busy;
		p->peak_reset_ns = now + PEAK_WINDOW_NS;
	}
}

/* How many children it should hold: called with the lock held. */
static unsigned pool_target(const struct pool *p)
{
	unsigned max = p->fn->max_concurrency;
	unsigned target;

	if (p->retired)
		return p->waiting;
	/* grow to the recent burst, never past max_concurrency */
	target = p->peak < max ? p->peak : max;
	if (target < p->fn->warm)
		target = p->fn->warm;
	return target + p->waiting;
}

/*
 * Refill when no more than this many are idle: never fewer than warm
 * idle; above that, in batches from half the target down: under load one
 * round trip to the spawner and one wake-up of the pool thread make
 * several children, not one per request.
 */
static bool below_low(const struct pool *p, unsigned target)
{
	unsigned low = target / 2;

	if (p->fn->warm > 0 && low < p->fn->warm - 1)
		low = p->fn->warm - 1;
	return p->n_idle <= low;
}

static bool child_alive(const struct warm_child *c)
{
	struct pollfd pf = { .fd = c->pidfd, .events = POLLIN };

	return poll(&pf, 1, 0) == 0;
}

/* Drops dead idle children, and extra ones past the target. */
static void pool_sweep(struct pool *p, unsigned target)
{
	unsigned i = 0;

	while (i < p->n_idle) {
		struct warm_child *c = &p->idle[i];

		if (child_alive(c) && p->n_idle <= target + IDLE_SLACK) {
			i++;
			continue;
		}
		child_kill(c);
		child_close(c);
		p->idle[i] = p->idle[--p->n_idle];
	}
}

static int push_idle(struct pool *p, struct warm_child *c)
{
	if (p->n_idle == p->cap_idle) {
		unsigned cap = p->cap_idle ? p->cap_idle * 2 : 8;
		struct warm_child *n = realloc(p->idle, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		p->idle = n;
		p->cap_idle = cap;
	}
	p->idle[p->n_idle++] = *c;
	return 0;
}

#define SPAWN_BATCH 8

/* Hands a new child to the pool: requests may take it from now on. */
static bool offer(struct pool *p, struct warm_child *c)
{
	bool ok, warm_waiters;

	pthread_mutex_lock(&p->lock);
	ok = push_idle(p, c) == 0;
	warm_waiters = p->warm_waiters > 0;
	pthread_mutex_unlock(&p->lock);
	/*
	 * One child, one waiting request: waking them all would have them
	 * queue on the lock to find it gone. Signalled once the lock is free,
	 * so that the one woken does not wait for it.
	 */
	if (ok) {
		p->stats->spawned++;
		pthread_cond_signal(&p->cv_idle);
		if (warm_waiters)
			pthread_cond_broadcast(&p->cv_warm);
	}
	if (!ok) {
		child_kill(c);
		child_close(c);
	}
	return ok;
}

/* Never serve a child the module does not police: bound before it execs. */
static int bind_lkm(struct pool *p, struct warm_child *c, char *err,
		    size_t errlen)
{
	if (lkm_state() != LKM_STATE_ACTIVE ||
	    lkm_bind(c->pid, p->fn->name) == 0)
		return 0;
	snprintf(err, errlen, "lkm bind of pid %d failed", (int)c->pid);
	child_kill(c);
	child_close(c);
	return -1;
}

#define READY_WAIT_MS 50

/*
 * Reads the new children's "ready" lines, waiting for them together, so
 * that a request does not have to, and hands each to the pool as soon as
 * it is ready, not when the slowest of its batch is; a child slower than
 * READY_WAIT_MS is handed over anyway and read when a request takes it.
 * Drops the ones that failed to set up; returns how many it handed over.
 */
static unsigned read_ready(struct pool *p, struct warm_child *cs, unsigned n)
{
	long long deadline = now_ns() + READY_WAIT_MS * 1000000LL;
	struct pollfd pf[SPAWN_BATCH];
	unsigned offered = 0, waiting = n;
	char err[160];

	for (unsigned i = 0; i < n; i++)
		pf[i] = (struct pollfd){ .fd = cs[i].err, .events = POLLIN };
	while (waiting > 0) {
		int left = (int)((deadline - now_ns()) / 1000000);

		if (left <= 0 || poll(pf, n, left) <= 0)
			break;
		for (unsigned i = 0; i < n; i++) {
			if (!pf[i].revents)
				continue;
			pf[i].fd = -1; /* read once; poll skips it now */
			waiting--;
			if (child_ready(&cs[i], deadline, err, sizeof(err)) ==
			    0) {
				offered += offer(p, &cs[i]);
				continue;
			}
			log_msg(LOG_ERR, "fn=%s %s", p->fn->name, err);
			child_kill(&cs[i]);
			child_close(&cs[i]);
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (pf[i].fd >= 0)
			offered += offer(p, &cs[i]);
	return offered;
}

/*
 * Makes up to n children outside the lock; returns how many it handed over.
 * One request at a time, this thread waits for their "ready" lines, so
 * that a request never does. Under load each child goes to the pool as it
 * arrives and the request that takes it reads its line (child_ready):
 * children are taken within milliseconds there, and this thread's
 * wake-ups for the lines cost more than the read (wrk -c16 and -c64: 0.7
 * to 1.2 context switches fewer per request, 2-4% more requests/s).
 */
static unsigned spawn_batch(struct pool *p, unsigned n, char *err,
			    size_t errlen)
{
	struct warm_child cs[SPAWN_BATCH];
	/* a first fill is made on every CPU: in parallel, and no one waits */
	bool alone = p->filled && lone(now_ns());
	bool at_once = p->filled && !alone;
	unsigned got = 0, offered = 0;

	if (spawner_request(&p->sp, n, alone && p->fn->cpu_affinity) != 0) {
		snprintf(err, errlen, "spawner gone");
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		int rc = spawner_receive(&p->sp, &cs[got], err, errlen);

		if (rc == -2) {
			/* out of step or stuck: replaced, not trusted */
			kill(p->sp.pid, SIGKILL);
			break;
		}
		if (rc != 0 || bind_lkm(p, &cs[got], err, errlen) != 0)
			continue;
		if (at_once)
			offered += offer(p, &cs[got]);
		else
			got++;
	}
	return offered + read_ready(p, cs, got);
}

static void pool_spawn(struct pool *p, unsigned want)
{
	unsigned n = want < SPAWN_BATCH ? want : SPAWN_BATCH, got;
	char err[256] = "";

	p->spawning = n;
	pthread_mutex_unlock(&p->lock);
	got = spawn_batch(p, n, err, sizeof(err));
	pthread_mutex_lock(&p->lock);
	p->spawning = 0;
	if (p->n_idle >= p->fn->warm)
		p->filled = true;
	if (got == n)
		return;
	p->stats->spawn_failures += n - got;
	p->backoff_ns = now_ns() + BACKOFF_NS;
	if (spawner_dead(&p->sp))
		p->sp_dead = true;
	log_msg(LOG_ERR, "fn=%s cannot make a warm child: %s", p->fn->name,
		err);
}

/*
 * How far a refill goes past the target: with warm/2 more (at most
 * IDLE_SLACK, which the sweep tolerates), the request that leaves fewer
 * than warm idle wakes this thread and the next warm/2 do not; a wake-up
 * of a thread on an idle CPU is an inter-processor interrupt, tens of µs
 * in a VM, paid by the request that signals it.
 */
static unsigned refill_slack(const struct pool *p)
{
	unsigned slack = p->fn->warm / 2;

	if (p->retired)
		return 0;
	return slack < IDLE_SLACK ? slack : IDLE_SLACK;
}

static void *pool_thread(void *arg)
{
	struct pool *p = arg;
	long long next_sweep = 0;

	pthread_setname_np(pthread_self(), "novod-pool");
	pthread_mutex_lock(&p->lock);
	while (!p->done) {
		long long now = now_ns();
		unsigned target;
		struct timespec ts;

		roll_peak(p, now);
		target = pool_target(p);
		if (now >= next_sweep) {
			pool_sweep(p, target);
			next_sweep = now + 500000000LL;
		}
		if (p->n_idle < target &&
		    (below_low(p, target) || p->waiting) && !p->sp_dead &&
		    !p->restarting && now >= p->backoff_ns) {
			pool_spawn(p, target + refill_slack(p) - p->n_idle);
			continue;
		}
		deadline_ts(now_ns() + 100000000LL, &ts);
		pthread_cond_timedwait(&p->cv_pool, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static pthread_condattr_t mono_attr;

static void pool_init_sync(struct pool *p)
{
	static bool inited;

	if (!inited) {
		pthread_condattr_init(&mono_attr);
		pthread_condattr_setclock(&mono_attr, CLOCK_MONOTONIC);
		inited = true;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cv_idle, &mono_attr);
	pthread_cond_init(&p->cv_slot, &mono_attr);
	pthread_cond_init(&p->cv_pool, &mono_attr);
	pthread_cond_init(&p->cv_warm, &mono_attr);
}

struct pool *pool_create(struct config_gen *gen, const struct fn_config *fn,
			 const struct sandbox_opts *opts, char *err,
			 size_t errlen)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->fn = fn;
	p->gen = gen;
	gen->refs++;
	p->stats = stats_for(fn->name);
	p->env_tmpl = cgi_env_template(fn, &p->env_tmpl_len);
	pool_init_sync(p);
	if (p->stats == NULL || p->env_tmpl == NULL ||
	    spawner_start(&p->sp, fn, opts, err, errlen) != 0) {
		config_gen_put(gen);
		free(p->env_tmpl);
		free(p);
		return NULL;
	}
	p->refs = 1; /* the table's */
	if (pthread_create(&p->thread, NULL, pool_thread, p) != 0) {
		spawner_stop(&p->sp);
		config_gen_put(gen);
		free(p->env_tmpl);
		free(p);
		snprintf(err, errlen, "cannot start pool thread");
		return NULL;
	}
	p->thread_started = true;
	pthread_mutex_lock(&table_lock);
	p->next_all = all_pools;
	all_pools = p;
	pthread_mutex_unlock(&table_lock);
	return p;
}

void pool_wait_warm(struct pool *p, int timeout_ms)
{
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	struct timespec ts;

	deadline_ts(deadline, &ts);
	pthread_mutex_lock(&p->lock);
	p->warm_waiters++;
	while (p->n_idle < p->fn->warm && now_ns() < deadline && !p->sp_dead)
		pthread_cond_timedwait(&p->cv_warm, &p->lock, &ts);
	p->warm_waiters--;
	pthread_mutex_unlock(&p->lock);
}

void pool_retire(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->retired = true;
	pthread_cond_broadcast(&p->cv_pool);
	pthread_mutex_unlock(&p->lock);
}

/* ---- requests ---- */

static int wait_slot(struct pool *p, long long deadline_ns)
{
	struct timespec ts;

	if (p->queued >= p->fn->queue)
		return ACQ_FULL;
	p->queued++;
	deadline_ts(deadline_ns, &ts);
	while (p->busy >= p->fn->max_concurrency) {
		if (pthread_cond_timedwait(&p->cv_slot, &p->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	p->queued--;
	return p->busy >= p->fn->max_concurrency ? ACQ_TIMEOUT : ACQ_OK;
}

static int take_idle(struct pool *p, struct warm_child *c,
		     long long deadline_ns)
{
	struct timespec ts;

	deadline_ts(deadline_ns, &ts);
	for (;;) {
		if (p->n_idle > 0) {
			/* the oldest child is the likeliest to be set up */
			*c = p->idle[0];
			memmove(p->idle, p->idle + 1,
				--p->n_idle * sizeof(p->idle[0]));
			return ACQ_OK;
		}
		p->waiting++;
		pthread_cond_signal(&p->cv_pool);
		int rc = pthread_cond_timedwait(&p->cv_idle, &p->lock, &ts);
		p->waiting--;
		if (rc == ETIMEDOUT && p->n_idle == 0)
			return ACQ_TIMEOUT;
	}
}

/*
 * A child says it is ready when it is first taken: set-up failures show
 * here. Called with the lock held; drops it while it waits. One whose
 * "ready" line the pool thread has read costs no syscall here: if it died
 * since, the request finds out when its environment cannot be written
 * (pool_retake).
 */
static int take_ready(struct pool *p, struct warm_child *c,
		      long long deadline_ns)
{
	char err[160];

	for (int tries = 0; tries < 3;) {
		int rc = take_idle(p, c, deadline_ns);

		if (rc != ACQ_OK)
			return rc;
		/* its line may need a read: not under the pool's lock */
		pthread_mutex_unlock(&p->lock);
		rc = child_ready(c, deadline_ns, err, sizeof(err));
		if (rc < 0) {
			log_msg(LOG_ERR, "fn=%s %s", p->fn->name, err);
			child_kill(c);
		}
		/* rc > 0: it died idle, the next one, without a word */
		if (rc != 0)
			child_close(c);
		pthread_mutex_lock(&p->lock);
		if (rc == 0) {
			/* born off the first CPU, needed elsewhere now */
			c->widen = c->placed && !pool_alone();
			return ACQ_OK;
		}
		if (rc < 0) {
			p->stats->spawn_failures++;
			tries++;
		}
	}
	return ACQ_BROKEN;
}

int pool_acquire(struct pool *p, struct warm_child *c, long long deadline_ns)
{
	int rc = ACQ_OK;

	pthread_mutex_lock(&p->lock);
	if (p->busy >= p->fn->max_concurrency)
		rc = wait_slot(p, deadline_ns);
	if (rc == ACQ_OK) {
		busy_add(p);
		rc = take_ready(p, c, deadline_ns);
		if (rc != ACQ_OK) {
			busy_sub(p);
			pthread_cond_signal(&p->cv_slot);
		}
	}
	if (rc != ACQ_OK)
		pthread_cond_signal(&p->cv_pool);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int pool_retake(struct pool *p, struct warm_child *c, long long deadline_ns)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = take_ready(p, c, deadline_ns);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ---- the table ---- */

struct pool *table_get(const char *name, size_t len)
{
	struct pool *found = NULL;

	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_n; i++) {
		const char *n = table[i]->fn->name;

		if (strlen(n) == len && memcmp(n, name, len) == 0) {
			found = table[i];
			pool_ref(found);
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	return found;
}

void pool_ref(struct pool *p)
{
	atomic_fetch_add(&p->refs, 1);
}

void pool_put(struct pool *p)
{
	atomic_fetch_sub(&p->refs, 1);
}

/*
 * The replacement is asked for here, once the answer has gone: waking the
 * pool thread (an inter-processor interrupt, tens of µs in a VM) and the
 * spawner's work must not compete with the function it replaces. A
 * request that finds no idle child asks at once (take_idle).
 */
void pool_release_put(struct pool *p)
{
	bool queued, refill;

	pthread_mutex_lock(&p->lock);
	busy_sub(p);
	queued = p->queued > 0;
	refill = below_low(p, pool_target(p));
	pthread_mutex_unlock(&p->lock);
	/* after the unlock: the thread woken does not wait for the lock */
	if (queued)
		pthread_cond_signal(&p->cv_slot);
	if (refill)
		pthread_cond_signal(&p->cv_pool);
	pool_put(p);
}

struct pool **table_swap(struct pool **pools, size_t n, size_t *old_n)
{
	struct pool **old;

	pthread_mutex_lock(&table_lock);
	old = table;
	*old_n = table_n;
	table = pools;
	table_n = n;
	pthread_mutex_unlock(&table_lock);
	return old;
}

struct pool **table_current(size_t *n)
{
	*n = table_n;
	return table;
}

void table_foreach(void (*fn)(struct pool *p, void *arg), void *arg)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_n; i++)
		fn(table[i], arg);
	pthread_mutex_unlock(&table_lock);
}

/* ---- maintenance, main thread ---- */

void config_gen_put(struct config_gen *gen)
{
	if (--gen->refs == 0) {
		config_free_functions(gen->fns, gen->n);
		free(gen);
	}
}

static void pool_free(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->done = true;
	pthread_cond_broadcast(&p->cv_pool);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	for (unsigned i = 0; i < p->n_idle; i++) {
		child_kill(&p->idle[i]);
		child_close(&p->idle[i]);
	}
	free(p->idle);
	spawner_stop(&p->sp);
	config_gen_put(p->gen);
	free(p->env_tmpl);
	free(p);
}

static void pool_restart_spawner(struct pool *p,
				 const struct sandbox_opts *opts)
{
	char err[256];

	struct spawner sp;
	int rc;

	pthread_mutex_lock(&p->lock);
	/* a retired pool still owes children to requests waiting on it */
	if (!p->sp_dead || p->spawning || (p->retired && p->waiting == 0) ||
	    now_ns() < p->backoff_ns) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	/* slow work (up to seconds) without the lock: requests go on */
	p->restarting = true;
	sp = p->sp;
	pthread_mutex_unlock(&p->lock);
	spawner_stop(&sp);
	rc = spawner_start(&sp, p->fn, opts, err, sizeof(err));
	pthread_mutex_lock(&p->lock);
	p->sp = sp;
	p->restarting = false;
	if (rc == 0) {
		p->sp_dead = false;
		pthread_cond_signal(&p->cv_pool);
	} else {
		p->backoff_ns = now_ns() + BACKOFF_NS * 5;
	}
	pthread_mutex_unlock(&p->lock);
	if (rc == 0)
		log_msg(LOG_NOTICE, "fn=%s spawner restarted", p->fn->name);
	else
		log_msg(LOG_ERR, "fn=%s cannot restart spawner: %s",
			p->fn->name, err);
}

static bool pool_finished(struct pool *p)
{
	bool fin;

	pthread_mutex_lock(&p->lock);
	fin = p->retired && p->refs == 0 && p->busy == 0 && p->waiting == 0;
	pthread_mutex_unlock(&p->lock);
	return fin;
}

/*
 * The list of all pools changes only here and in pool_create, both in the
 * main thread: it walks it without the table lock, which requests need.
 */
void pools_maintain(const struct sandbox_opts *opts)
{
	struct pool **pp = &all_pools;

	while (*pp) {
		struct pool *p = *pp;

		if (pool_finished(p)) {
			pthread_mutex_lock(&table_lock);
			*pp = p->next_all;
			pthread_mutex_unlock(&table_lock);
			pool_free(p);
			continue;
		}
		if (spawner_dead(&p->sp)) {
			pthread_mutex_lock(&p->lock);
			p->sp_dead = true;
			pthread_mutex_unlock(&p->lock);
		}
		pool_restart_spawner(p, opts);
		pp = &p->next_all;
	}
}

void pools_shutdown(void)
{
	pthread_mutex_lock(&table_lock);
	for (struct pool *p = all_pools; p; p = p->next_all) {
		pthread_mutex_lock(&p->lock);
		for (unsigned i = 0; i < p->n_idle; i++)
			child_kill(&p->idle[i]);
		pthread_mutex_unlock(&p->lock);
		kill(p->sp.pid, SIGKILL);
	}
	pthread_mutex_unlock(&table_lock);
}
