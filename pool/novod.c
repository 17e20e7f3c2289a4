/* novod.c - the supervisor: start-up, signals, reload, stop. */
#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "lkm.h"
#include "log.h"
#include "pool.h"
#include "request.h"
#include "sandbox.h"
#include "server.h"
#include "spawner.h"
#include "violation.h"
#include "warm_child.h"

#define WARM_WAIT_MS 3000

static struct novo_config cfg;
static struct sandbox_opts sb_opts;
static unsigned max_timeout_ms;

static void usage(void)
{
	fprintf(stderr, "usage: novod [-t] -c novod.ini\n"
			"  -c FILE  configuration (runs in the foreground)\n"
			"  -t       check the configuration and exit\n");
	exit(2);
}

static int sandbox_options(const struct server_config *srv)
{
	struct passwd *pw;

	sb_opts.enabled = srv->sandbox;
	sb_opts.drop_user = geteuid() == 0;
	if (!sb_opts.drop_user)
		return 0;
	pw = getpwnam(srv->user);
	if (pw == NULL) {
		log_msg(LOG_ERR, "user \"%s\" does not exist", srv->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_msg(LOG_ERR, "functions never run as root: user = %s",
			srv->user);
		return -1;
	}
	sb_opts.uid = pw->pw_uid;
	sb_opts.gid = pw->pw_gid;
	return 0;
}

static struct pool *find_pool(struct pool **pools, size_t n,
			      const struct fn_config *fn)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pools[i]->fn->name, fn->name) == 0)
			return pools[i];
	return NULL;
}

/*
 * Builds the pools of a new generation: an unchanged function keeps its
 * pool (and warm children); a new or changed one gets a new pool, warm
 * before it is installed, so no request waits for a spawn.
 */
static struct pool **build_pools(struct config_gen *gen, struct pool **old,
				 size_t old_n)
{
	struct pool **pools = calloc(gen->n + 1, sizeof(*pools));
	char err[256];

	if (pools == NULL)
		return NULL;
	for (size_t i = 0; i < gen->n; i++) {
		const struct fn_config *fn = &gen->fns[i];
		struct pool *p = find_pool(old, old_n, fn);

		/* the whitelist is in the module before any child is bound */
		lkm_upload(fn);

		if (p && config_fn_equal(p->fn, fn)) {
			pool_ref(p);
		} else {
			struct pool *prev = p;

			p = pool_create(gen, fn, &sb_opts, err, sizeof(err));
			if (p == NULL && prev) {
				/* the old pool goes on serving */
				log_msg(LOG_ERR,
					"fn=%s new version not started, "
					"keeping the old one: %s",
					fn->name, err);
				pool_ref(prev);
				pools[i] = prev;
				continue;
			}
			if (p == NULL) {
				log_msg(LOG_ERR, "fn=%s not started: %s",
					fn->name, err);
				continue;
			}
			log_msg(LOG_NOTICE, "fn=%s pool started: %s", fn->name,
				p->sp.notes);
		}
		pools[i] = p;
	}
	for (size_t i = 0; i < gen->n; i++)
		if (pools[i])
			pool_wait_warm(pools[i], WARM_WAIT_MS);
	return pools;
}

static size_t compact(struct pool **pools, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (pools[i])
			pools[k++] = pools[i];
	return k;
}

static bool contains(struct pool **pools, size_t n, const struct pool *p)
{
	for (size_t i = 0; i < n; i++)
		if (pools[i] == p)
			return true;
	return false;
}

static int install(struct fn_config *fns, size_t n)
{
	struct config_gen *gen = calloc(1, sizeof(*gen));
	struct pool **old, **pools;
	size_t old_n, new_n;

	if (gen == NULL)
		return -1;
	gen->fns = fns;
	gen->n = n;
	gen->refs = 1; /* ours, while building */
	/* the old table keeps serving while the new pools warm up */
	old = table_current(&old_n);
	pools = build_pools(gen, old, old_n);
	if (pools == NULL) {
		config_gen_put(gen);
		return -1;
	}
	new_n = compact(pools, n);
	old = table_swap(pools, new_n, &old_n);
	for (size_t i = 0; i < old_n; i++) {
		if (!contains(pools, new_n, old[i]))
			pool_retire(old[i]);
		pool_put(old[i]); /* the old table's reference */
	}
	free(old);
	max_timeout_ms = 0;
	for (size_t i = 0; i < n; i++)
		if (fns[i].timeout_ms > max_timeout_ms)
			max_timeout_ms = fns[i].timeout_ms;
	config_gen_put(gen);
	return 0;
}

static void reload(void)
{
	struct fn_config *fns = NULL;
	size_t n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);
	int nerr;

	if (errs == NULL)
		return;
	nerr = config_load_functions(&cfg.server, &fns, &n, errs);
	fclose(errs);
	if (nerr > 0) {
		log_msg(LOG_ERR,
			"reload refused, the old configuration keeps "
			"serving:\n%s",
			buf);
		free(buf);
		return;
	}
	free(buf);
	if (install(fns, n) == 0)
		log_msg(LOG_NOTICE, "reloaded %s: %zu functions",
			cfg.server.functions_file, n);
}

static void graceful_stop(void)
{
	long long deadline;

	log_msg(LOG_NOTICE, "graceful stop: finishing requests in flight");
	server_stop_accepting();
	server_close_idle();
	deadline = now_ns() + (max_timeout_ms + 2000) * 1000000LL;
	/* requests in flight may still need warm children: keep pools healthy */
	while (server_open() > 0 && now_ns() < deadline) {
		pools_maintain(&sb_opts);
		usleep(20000);
	}
	pools_shutdown();
	log_msg(LOG_NOTICE, "stopped");
}

/* Returns 1 when novod must stop. */
static int handle_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
		log_msg(LOG_NOTICE, "SIGHUP: reloading");
		reload();
		return 0;
	case SIGUSR1:
		if (log_reopen() != 0)
			log_msg(LOG_ERR, "cannot reopen log: %s",
				strerror(errno));
		log_msg(LOG_NOTICE, "log reopened");
		return 0;
	case SIGTERM:
	case SIGQUIT:
		graceful_stop();
		return 1;
	case SIGINT:
		log_msg(LOG_NOTICE, "SIGINT: fast stop");
		server_stop_accepting();
		pools_shutdown();
		/* PDEATHSIG takes every child down with us */
		return 1;
	default:
		return 0;
	}
}

/*
 * Only the signals novod acts on are waited for: children exit with
 * SIGCHLD to novod (CLONE_PARENT), hundreds a second, and that must not
 * keep the maintenance tick from coming.
 */
static int serve(void)
{
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGTERM, SIGQUIT, SIGINT };
	struct timespec tick = { .tv_nsec = 250000000 };
	long long next = now_ns();
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &tick);

		if (sig > 0 && handle_signal(sig))
			return 0;
		if (now_ns() >= next) {
			pools_maintain(&sb_opts);
			(void)lkm_state(); /* logs it when the module went away */
			next = now_ns() + 500000000LL;
		}
	}
}

/* Each warm child holds six fds in novod: take the whole hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int start(void)
{
	char err[256], self[PATH_MAX];
	struct fn_config *fns;
	ssize_t n;
	int fd;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (self[n] = '\0', spawner_init(self)) != 0) {
		log_msg(LOG_ERR, "cannot find my own executable");
		return -1;
	}
	raise_nofile();
	if (!cfg.server.sandbox)
		log_msg(LOG_WARN,
			"SANDBOX IS OFF (sandbox = off in %s): functions run "
			"without seccomp, Landlock or namespaces; use only to "
			"measure or debug",
			cfg.server.file);
	if (sandbox_options(&cfg.server))
		return -1;
	if (lkm_start(cfg.server.lkm_mode, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	if (violation_start() != 0) {
		log_msg(LOG_ERR, "cannot start the violation watcher: %s",
			strerror(errno));
		return -1;
	}
	FCGX_Init();
	warm_child_place_init();
	request_init(&(struct request_ctx){
		.status_path = cfg.server.status_path,
		.busy_poll_ns = cfg.server.busy_poll_us * 1000LL });
	fd = server_listen(&cfg.server, err, sizeof(err));
	if (fd < 0) {
		log_msg(LOG_ERR, "cannot listen on %s", err);
		return -1;
	}
	/* the config's function array now belongs to the first generation */
	fns = cfg.fns;
	cfg.fns = NULL;
	if (install(fns, cfg.n_fns) != 0)
		return -1;
	cfg.fns = NULL;
	if (server_start(fd, &cfg.server) != 0)
		return -1;
	log_msg(LOG_NOTICE, "novod %d listening on %s, lkm %s", (int)getpid(),
		cfg.server.listen, lkm_state_name(lkm_state()));
	return 0;
}

/* -c FILE [-t]: returns the file; *test says whether to check only. */
static const char *parse_args(int argc, char **argv, bool *test)
{
	const char *file = NULL;
	int opt;

	*test = false;
	while ((opt = getopt(argc, argv, "tc:h")) != -1) {
		if (opt == 't')
			*test = true;
		else if (opt == 'c')
			file = optarg;
		else
			usage();
	}
	if (file == NULL || optind != argc)
		usage();
	return file;
}

int main(int argc, char **argv)
{
	const char *file;
	bool test;
	sigset_t all;
	int rc;

	/* fds 0-2 open, so no socket or pipe of ours lands on them */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	if (argc >= 2 && strcmp(argv[1], "--spawner") == 0)
		return spawner_main(argc, argv);
	file = parse_args(argc, argv, &test);
	if (config_load(file, &cfg, stderr) != 0) {
		fprintf(stderr, "novod: configuration file %s test failed\n",
			file);
		return 1;
	}
	if (test) {
		fprintf(stderr,
			"novod: configuration file %s test is successful\n",
			file);
		return 0;
	}
	if (log_open(cfg.server.log) != 0) {
		fprintf(stderr, "novod: cannot open log %s: %s\n",
			cfg.server.log, strerror(errno));
		return 1;
	}
	/* signals are taken by sigtimedwait in the main thread only */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (start() != 0)
		return 1;
	rc = serve();
	lkm_stop();
	return rc;
}
