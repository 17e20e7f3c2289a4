/*
 * learn.c - `novoctl learn NAME [-q QUERY] [-d BODY] [-c novod.ini]`.
 *
 * Runs the function once, with a sample CGI request, in its own sandbox
 * (user, namespaces, Landlock, limits) but under a filter that allows
 * every syscall, and traces it with ptrace (forks and threads followed).
 * Prints the `syscalls =` line it needs: whole @groups where every member
 * was used, then single names.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "learn.h"
#include "sandbox.h"
#include "syscalls.h"

#define NR_MAX LEARN_NR_MAX
#define ENV_MAX 32

struct learn_args {
	const char *name, *query, *body, *config;
};

static const char learn_usage[] =
	"usage: novoctl learn NAME [-q QUERY] [-d BODY] [-c novod.ini]\n";

static pid_t traced_root;

static int parse_args(int argc, char **argv, struct learn_args *a)
{
	int opt;

	optind = 0; /* glibc: reset, novoctl ran getopt before */
	while ((opt = getopt(argc, argv, "q:d:c:")) != -1) {
		if (opt == 'q')
			a->query = optarg;
		else if (opt == 'd')
			a->body = optarg;
		else if (opt == 'c')
			a->config = optarg;
		else
			return -1;
	}
	if (optind != argc - 1)
		return -1;
	a->name = argv[optind];
	return 0;
}

/*
 * stdin and stdout are pipes, as under novod (a program may act on the
 * kind of its fds), made large so that nothing blocks while the tracer
 * waits: the body and the response may be up to PIPE_MAX each.
 */
#define PIPE_MAX (1 << 20)

static int make_pipes(const char *body, int *in, int *out)
{
	int p[2], q[2];
	size_t len = body ? strlen(body) : 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(q, O_CLOEXEC) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	fcntl(p[1], F_SETPIPE_SZ, PIPE_MAX);
	fcntl(q[1], F_SETPIPE_SZ, PIPE_MAX);
	if (len > PIPE_MAX || (len && write(p[1], body, len) != (ssize_t)len))
		errno = EFBIG;
	close(p[1]);
	*in = p[0];
	*out = q[0];
	return q[1];
}

static void env_add(char **env, size_t *n, const char *k, const char *v)
{
	if (*n + 1 >= ENV_MAX || asprintf(&env[*n], "%s=%s", k, v) < 0)
		return;
	env[++*n] = NULL;
}

static char **make_env(const struct fn_config *fn, const struct learn_args *a)
{
	static char *env[ENV_MAX];
	char script[NOVO_NAME_MAX + 8], len[32];
	size_t n = 0;

	snprintf(script, sizeof(script), "/fn/%s", fn->name);
	snprintf(len, sizeof(len), "%zu", a->body ? strlen(a->body) : 0);
	env_add(env, &n, "GATEWAY_INTERFACE", "CGI/1.1");
	env_add(env, &n, "SERVER_PROTOCOL", "HTTP/1.1");
	env_add(env, &n, "SERVER_SOFTWARE", "novo");
	env_add(env, &n, "SERVER_NAME", "localhost");
	env_add(env, &n, "SERVER_PORT", "80");
	env_add(env, &n, "REMOTE_ADDR", "127.0.0.1");
	env_add(env, &n, "REQUEST_METHOD", a->body ? "POST" : "GET");
	env_add(env, &n, "SCRIPT_NAME", script);
	env_add(env, &n, "PATH_INFO", "");
	env_add(env, &n, "QUERY_STRING", a->query ? a->query : "");
	env_add(env, &n, "CONTENT_LENGTH", len);
	if (a->body)
		env_add(env, &n, "CONTENT_TYPE",
			"application/x-www-form-urlencoded");
	for (size_t i = 0; i < fn->env.n && n + 1 < ENV_MAX; i++)
		env[n++] = fn->env.v[i];
	env[n] = NULL;
	return env;
}

static void child(const struct sandbox_plan *plan, const struct fn_config *fn,
		  int in, int out, char **envp)
{
	char *argv[] = { fn->path, NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(126);
	syscall(SYS_close_range, 3, ~0U, 0);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ||
	    sandbox_enter_child(plan) < 0 || sandbox_seal(plan) == -2)
		_exit(126);
	execve(fn->path, argv, envp);
	_exit(127);
}

static void record(pid_t pid, bool *used)
{
	struct __ptrace_syscall_info si;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si) <= 0)
		return;
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY &&
	    si.arch == seccomp_arch_native() && si.entry.nr < NR_MAX)
		used[si.entry.nr] = true;
}

static void on_alarm(int sig)
{
	(void)sig;
	kill(traced_root, SIGKILL);
}

/*
 * Follows root and all it starts until the last one is gone. Stops other
 * than syscall stops and events pass their signal on, except the SIGSTOP
 * each new tracee starts with. Returns root's wait status, or -1.
 */
static int trace(pid_t root, bool *used)
{
	int st, root_st = -1, live = 1, sig;
	pid_t pid;

	if (waitpid(root, &st, __WALL) != root || !WIFSTOPPED(st))
		return WIFEXITED(st) || WIFSIGNALED(st) ? st : -1;
	ptrace(PTRACE_SETOPTIONS, root, NULL,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
		       PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		       PTRACE_O_EXITKILL);
	ptrace(PTRACE_SYSCALL, root, NULL, NULL);
	while (live > 0 && (pid = waitpid(-1, &st, __WALL)) > 0) {
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == root)
				root_st = st;
			live--;
			continue;
		}
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			record(pid, used);
		else if (st >> 16)
			live++; /* fork, vfork or clone: a new tracee */
		else if (WSTOPSIG(st) != SIGSTOP && WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
	}
	return root_st;
}

/* Whole groups first (every member used), then what is left, by name. */
static void print_line(bool *used)
{
	bool left[NR_MAX];
	char err[128];
	size_t n;
	int *nr;

	memcpy(left, used, sizeof(left));
	printf("syscalls =");
	for (size_t g = 0; g < syscalls_n_groups(); g++) {
		const struct syscall_group *grp = syscalls_group(g);
		bool all = true;

		if (syscalls_resolve(grp->name, &nr, &n, err, sizeof(err)))
			continue;
		for (size_t i = 0; i < n; i++)
			all = all && nr[i] < NR_MAX && used[nr[i]];
		for (size_t i = 0; all && i < n; i++)
			left[nr[i]] = false;
		if (all)
			printf(" %s", grp->name);
		free(nr);
	}
	for (int i = 0; i < NR_MAX; i++)
		if (left[i] && syscalls_name(i))
			printf(" %s", syscalls_name(i));
	printf("\n");
}

static void show_response(int out, int st)
{
	char buf[512];
	ssize_t n = read(out, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (WIFEXITED(st))
		fprintf(stderr,
			"novoctl: the function exited with %d; its "
			"response began:\n%s\n",
			WEXITSTATUS(st), buf);
	else
		fprintf(stderr,
			"novoctl: the function was killed by signal "
			"%d; its response began:\n%s\n",
			WTERMSIG(st), buf);
}

static int sandbox_options(const struct server_config *srv,
			   struct sandbox_opts *o)
{
	struct passwd *pw;

	o->enabled = srv->sandbox;
	o->drop_user = geteuid() == 0;
	if (!o->drop_user)
		return 0;
	pw = getpwnam(srv->user);
	if (!pw) {
		fprintf(stderr, "novoctl: no user \"%s\"\n", srv->user);
		return -1;
	}
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	return 0;
}

static struct sandbox_plan *learn_plan(const struct server_config *srv,
				       const struct fn_config *fn)
{
	struct sandbox_plan *plan;
	struct sandbox_opts o;
	char err[256];

	if (sandbox_options(srv, &o) < 0)
		return NULL;
	plan = sandbox_prepare_learn(fn, &o, err, sizeof(err));
	if (plan && sandbox_enter_spawner(plan, err, sizeof(err)) < 0) {
		sandbox_free(plan);
		plan = NULL;
	}
	if (!plan)
		fprintf(stderr, "novoctl: sandbox: %s\n", err);
	return plan;
}

/* Everything after the sandbox is entered: no file may be opened here. */
static int run(const struct server_config *srv, const struct fn_config *fn,
	       const struct learn_args *a)
{
	static bool used[NR_MAX];
	char **envp = make_env(fn, a);
	int in, out, wout, st;
	struct sandbox_plan *plan;

	wout = make_pipes(a->body, &in, &out);
	if (wout < 0) {
		fprintf(stderr, "novoctl: pipe: %s\n", strerror(errno));
		return 1;
	}
	plan = learn_plan(srv, fn);
	if (!plan)
		return 1;
	traced_root = (pid_t)syscall(SYS_clone,
				     SIGCHLD | sandbox_child_clone_flags(plan),
				     NULL, NULL, NULL, 0);
	if (traced_root == 0)
		child(plan, fn, in, wout, envp);
	close(wout);
	if (traced_root < 0)
		return 1;
	signal(SIGALRM, on_alarm);
	alarm((fn->timeout_ms + 999) / 1000);
	st = trace(traced_root, used);
	if (st == -1) {
		fprintf(stderr, "novoctl: tracing %s failed\n", fn->path);
		return 1;
	}
	show_response(out, st);
	print_line(used);
	return WIFEXITED(st) && WEXITSTATUS(st) < 126 ? 0 : 1;
}

/*
 * The sandbox changes the process that enters it (user, namespaces,
 * Landlock): a forked learner enters it, novoctl itself stays as it was.
 */
static int run_apart(const struct server_config *srv,
		     const struct fn_config *fn, const struct learn_args *a)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		st = run(srv, fn, a);
		fflush(stdout);
		_exit(st);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}

/*
 * novo.ko loaded: learn through the running novod, which sees the function
 * exactly as it serves it. Not for a body (-d): novoctl's client sends
 * GETs. -1 when that is not possible: novoctl then learns by itself.
 */
static int learn_module(const struct server_config *srv,
			const struct fn_config *fn, const struct learn_args *a)
{
	static bool used[NR_MAX];

	if (a->body || access("/dev/novo", F_OK) != 0)
		return -1;
	if (learn_with_lkm(srv, fn->name, a->query, (int)fn->timeout_ms,
			   used) != 0) {
		fprintf(stderr, "novoctl: learning through novo.ko failed; "
				"learning by tracing instead\n");
		return -1;
	}
	print_line(used);
	return 0;
}

static const char *default_config(void)
{
	return access("conf/novod.ini", F_OK) == 0 ? "conf/novod.ini" :
						     "/etc/novo/novod.ini";
}

int learn_main(int argc, char **argv)
{
	struct learn_args a = { 0 };
	struct novo_config cfg;
	const struct fn_config *fn;
	int rc;

	if (parse_args(argc, argv, &a) < 0) {
		fputs(learn_usage, stderr);
		return 2;
	}
	if (!a.config)
		a.config = default_config();
	if (config_load(a.config, &cfg, stderr))
		return 1;
	fn = config_find(cfg.fns, cfg.n_fns, a.name, strlen(a.name));
	if (!fn) {
		fprintf(stderr, "novoctl: no function \"%s\" in %s\n", a.name,
			cfg.server.functions_file);
		config_free(&cfg);
		return 1;
	}
	rc = learn_module(&cfg.server, fn, &a);
	if (rc < 0)
		rc = run_apart(&cfg.server, fn, &a);
	config_free(&cfg);
	return rc;
}
