/* test_config.c - novod.ini and functions.ini over real files. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char root[256]; /* realpath of the temp folder (short) */
static char errs[16384]; /* messages of the last load */
static struct novo_config cfg;

static void write_file(const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void make_tree(void)
{
	char tmpl[] = "/tmp/novo-test-config-XXXXXX";
	static const char *const dirs[] = { "conf",
					    "functions",
					    "functions/hello",
					    "functions/noexec",
					    "functions/other",
					    "data" };
	char path[PATH_MAX];
	size_t i;

	if (!mkdtemp(tmpl) || !realpath(tmpl, path) ||
	    strlen(path) >= sizeof(root)) {
		perror("mkdtemp");
		exit(2);
	}
	strcpy(root, path);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
	}
	write_file("functions/hello/hello", "#!/bin/sh\necho hi\n", 0755);
	write_file("functions/other/run", "#!/bin/sh\n", 0755);
	write_file("functions/noexec/noexec", "#!/bin/sh\n", 0644);
}

/* Writes both files, loads them; cfg holds the result when 0 errors. */
static int load(const char *novod, const char *functions)
{
	char path[PATH_MAX];
	FILE *e = fmemopen(errs, sizeof(errs) - 1, "w");
	int n;

	memset(errs, 0, sizeof(errs));
	write_file("conf/novod.ini", novod, 0644);
	write_file("conf/functions.ini", functions, 0644);
	snprintf(path, sizeof(path), "%s/conf/novod.ini", root);
	setvbuf(e, NULL, _IONBF, 0);
	n = config_load(path, &cfg, e);
	fclose(e);
	return n;
}

/* Is there a message "<root>/conf/<file>:<line>: ...<part>..."? */
static int has_err(const char *file, int line, const char *part)
{
	char head[PATH_MAX + 64];
	const char *p = errs;

	snprintf(head, sizeof(head), "%s/conf/%s:%d: ", root, file, line);
	while ((p = strstr(p, head))) {
		const char *eol = strchrnul(p, '\n');
		const char *hit = strstr(p + strlen(head), part);

		if (hit && hit < eol)
			return 1;
		p = eol;
	}
	printf("     no \"%s%s\" in:\n%s", head, part, errs);
	return 0;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A message a load must have given: its line, a part of it, what it is. */
struct want_err {
	int line;
	const char *part, *what;
};

static void check_errs(const char *file, const struct want_err *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CHECK(has_err(file, w[i].line, w[i].part), w[i].what);
}

static const struct fn_config *fn(const char *name)
{
	return config_find(cfg.fns, cfg.n_fns, name, strlen(name));
}

static void test_defaults(void)
{
	char want[PATH_MAX * 2];
	const struct fn_config *h;

	CHECK(load("", "[hello]\n") == 0, "empty novod.ini and [hello] load");
	printf("%s", errs);
	CHECK(cfg.server.listen_unix, "default listen is a unix socket");
	CHECK_STR(cfg.server.listen_path, "/run/novo/novod.sock",
		  "socket path");
	CHECK_STR(cfg.server.status_path, "/novo-status", "status_path");
	CHECK_STR(cfg.server.user, "nobody", "user");
	CHECK(cfg.server.sandbox, "sandbox on");
	CHECK(cfg.server.busy_poll_us == 1000, "busy_poll_us 1000");
	CHECK(cfg.server.listen_mode == 0660, "listen_mode 0660");
	CHECK(cfg.server.lkm_mode == LKM_AUTO, "lkm auto");
	CHECK(cfg.server.log == NULL, "log: stderr");
	snprintf(want, sizeof(want), "%s/functions", root);
	CHECK_STR(cfg.server.functions_dir, want, "functions_dir ../functions");
	snprintf(want, sizeof(want), "%s/conf/functions.ini", root);
	CHECK_STR(cfg.server.functions_file, want,
		  "functions next to novod.ini");
	h = fn("hello");
	CHECK(cfg.n_fns == 1 && h, "one function");
	if (!h)
		return;
	snprintf(want, sizeof(want), "%s/functions/hello/hello", root);
	CHECK_STR(h->path, want, "default path <dir>/<name>/<name>");
	snprintf(want, sizeof(want), "%s/functions/hello", root);
	CHECK_STR(h->dir, want, "dir is the executable's folder");
	CHECK_STR(h->syscalls, "@cgi", "syscalls @cgi");
	CHECK(h->n_syscalls > 10 && h->syscall_nr, "@cgi resolved");
	CHECK(h->warm == 2 && h->max_concurrency == 32 && h->queue == 128,
	      "warm 2, max_concurrency 32, queue 128");
	CHECK(h->timeout_ms == 10000 && h->cpu_ms == 5000, "time limits");
	CHECK(h->memory_mb == 128 && h->max_body_kb == 1024 &&
		      h->max_output_kb == 10240,
	      "size limits");
	CHECK(!h->network && !h->read.n && !h->write.n && !h->env.n,
	      "no network, read, write, env");
	CHECK(h->cpu_affinity, "cpu_affinity on");
	CHECK(h->bin_size == 18 && h->bin_ino != 0, "binary identity");
	config_free(&cfg);
}

static int allowed(const char *addr)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

	if (inet_pton(AF_INET, addr, &in.sin_addr) == 1)
		return config_allowed(&cfg.server, (struct sockaddr *)&in);
	if (inet_pton(AF_INET6, addr, &in6.sin6_addr) != 1)
		return -1;
	return config_allowed(&cfg.server, (struct sockaddr *)&in6);
}

static void test_allow(void)
{
	CHECK(load("[server]\nlisten = 127.0.0.1:9000\n", "") == 0,
	      "tcp listen loads");
	CHECK(!cfg.server.listen_unix && cfg.server.listen_port == 9000,
	      "port 9000");
	CHECK_STR(cfg.server.listen_host, "127.0.0.1", "host");
	CHECK(cfg.server.n_allow == 2, "default allow: 127.0.0.1 ::1");
	CHECK(allowed("127.0.0.1") == 1 && allowed("::1") == 1,
	      "loopback allowed by default");
	CHECK(allowed("::ffff:127.0.0.1") == 1, "v4-mapped loopback allowed");
	CHECK(allowed("10.0.0.1") == 0 && allowed("127.0.0.2") == 0,
	      "others refused by default");
	config_free(&cfg);

	CHECK(load("[server]\nlisten = [::]:9001\nallow = 10.1.2.3/8 "
		   "192.168.1.7\n  fd00::/8\n",
		   "") == 0,
	      "allow with CIDRs over two lines");
	CHECK_STR(cfg.server.listen_host, "::", "v6 host without brackets");
	CHECK(cfg.server.n_allow == 3, "three rules");
	CHECK(allowed("10.200.0.1") == 1 && allowed("11.0.0.1") == 0,
	      "10.1.2.3/8 is 10.0.0.0/8");
	CHECK(allowed("192.168.1.7") == 1 && allowed("192.168.1.8") == 0,
	      "a single address");
	CHECK(allowed("fd12::1") == 1 && allowed("fe80::1") == 0, "v6 CIDR");
	CHECK(allowed("127.0.0.1") == 0, "loopback not added to a given allow");
	config_free(&cfg);

	CHECK(load("[server]\nlisten = 127.0.0.1:9000\nallow = 0.0.0.0/0\n",
		   "") == 0 &&
		      allowed("8.8.8.8") == 1 && allowed("::1") == 0,
	      "0.0.0.0/0 lets in every v4 peer, no v6");
	config_free(&cfg);
}

static void test_server_errors(void)
{
	static const struct want_err want[] = {
		{ 3, "bad value \"localhost:80\" for \"listen\"",
		  "listen numeric only" },
		{ 4, "\"10.0.0.0/33\": bad prefix length", "bad CIDR" },
		{ 5, "not an octal mode", "bad mode" },
		{ 6, "not a boolean", "bad bool" },
		{ 7, "unknown user \"no-such-user-novo\"", "unknown user" },
		{ 8, "functions_dir", "missing functions_dir" },
		{ 9, "expected a URI path", "status_path" },
		{ 10, "unknown key \"colour\"", "unknown key" },
		{ 12, "expected auto, require or off", "lkm mode" },
		{ 13, "duplicate section [server] (first at line 2)",
		  "duplicate section" },
		{ 15, "unknown section [extra]", "unknown section" },
	};
	int n = load("; a comment\n"
		     "[server]\n"
		     "listen = localhost:80\n" /* 3 */
		     "allow = 10.0.0.0/33 1.2.3.999\n" /* 4 */
		     "listen_mode = 0999\n" /* 5 */
		     "sandbox = maybe\n" /* 6 */
		     "user = no-such-user-novo\n" /* 7 */
		     "functions_dir = ../nowhere\n" /* 8 */
		     "status_path = novo\n" /* 9 */
		     "colour = blue\n" /* 10 */
		     "[lkm]\n" /* 11 */
		     "mode = sometimes\n" /* 12 */
		     "[server]\n" /* 13 */
		     "listen = 1.2.3.4:5\n" /* 14 */
		     "[extra]\n" /* 15 */
		     "key = 1\n",
		     "");

	CHECK(n == 11, "eleven errors in novod.ini");
	CHECK(n == count_lines(errs), "one line per error");
	check_errs("novod.ini", want, sizeof(want) / sizeof(want[0]));
	CHECK(load("[server]\nbusy_poll_us = 0\n", "") == 0 &&
		      cfg.server.busy_poll_us == 0,
	      "busy_poll_us = 0: off");
	config_free(&cfg);
	CHECK(load("[server]\nbusy_poll_us = 10000\n", "") == 0 &&
		      cfg.server.busy_poll_us == 10000,
	      "busy_poll_us = 10000: its bound");
	config_free(&cfg);
	CHECK(load("[server]\nbusy_poll_us = 10001\n", "") == 1 &&
		      has_err("novod.ini", 2,
			      "bad value \"10001\" for \"busy_poll_us\": out of range 0..10000"),
	      "busy_poll_us over its bound");
	CHECK(load("[server]\nbusy_poll_us = 1ms\n", "") == 1 &&
		      has_err("novod.ini", 2, "not a whole number"),
	      "busy_poll_us with a unit");
	CHECK(load("[server]\nlisten_group = no-such-group-novo\n", "") == 1 &&
		      has_err("novod.ini", 2,
			      "unknown group \"no-such-group-novo\""),
	      "unknown listen_group");
}

static void test_listen_values(void)
{
	static const char *const bad[] = { "1.2.3.4:0", "1.2.3.4:70000",
					   "unix:",	"[::1:80",
					   "1.2.3.4",	"::1:80" };
	char ini[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ini, sizeof(ini), "[server]\n\nlisten = %s\n", bad[i]);
		CHECK(load(ini, "") == 1 && has_err("novod.ini", 3, "listen"),
		      bad[i]);
	}
	CHECK(load("[server]\nlisten = unix:/tmp/x.sock\nallow =\n", "") == 0,
	      "allow is ignored for a unix socket");
	config_free(&cfg);
	CHECK(load("[server]\nlisten = unix:../run/./novod.sock\n", "") == 0,
	      "relative socket path");
	snprintf(ini, sizeof(ini), "unix:%s/run/novod.sock", root);
	CHECK_STR(cfg.server.listen, ini, "socket relative to novod.ini");
	CHECK_STR(cfg.server.listen_path, ini + 5, "listen_path absolute");
	config_free(&cfg);
	CHECK(load("[server]\nlisten = 127.0.0.1:1\nallow =\n", "") == 1 &&
		      has_err("novod.ini", 3, "allow is empty"),
	      "empty allow on tcp");
}

static unsigned fn_field(const char *key, const char *value, int *errors)
{
	char ini[256];
	const struct fn_config *h;
	unsigned v = 0;

	snprintf(ini, sizeof(ini), "[hello]\n%s = %s\n", key, value);
	*errors = load("", ini);
	h = fn("hello");
	if (*errors || !h)
		return 0;
	if (!strcmp(key, "memory_mb"))
		v = h->memory_mb;
	else if (!strcmp(key, "max_body_kb"))
		v = h->max_body_kb;
	else if (!strcmp(key, "max_output_kb"))
		v = h->max_output_kb;
	else if (!strcmp(key, "network"))
		v = h->network;
	else if (!strcmp(key, "cpu_affinity"))
		v = h->cpu_affinity;
	config_free(&cfg);
	return v;
}

static void test_sizes(void)
{
	static const struct {
		const char *key, *value;
		unsigned want; /* 0: an error on line 2 */
	} cases[] = {
		{ "memory_mb", "256", 256 },
		{ "memory_mb", "1g", 1024 },
		{ "memory_mb", "512MB", 512 },
		{ "memory_mb", "8192k", 8 },
		{ "memory_mb", "8 mb", 8 },
		{ "memory_mb", "100k", 0 },
		{ "memory_mb", "2", 0 },
		{ "memory_mb", "5x", 0 },
		{ "memory_mb", "-1", 0 },
		{ "memory_mb", "", 0 },
		{ "max_body_kb", "2m", 2048 },
		{ "max_body_kb", "1kb", 1 },
		{ "max_body_kb", "1GB", 1048576 },
		{ "max_body_kb", "2g", 0 },
		{ "max_output_kb", "4g", 4194304 },
		{ "max_output_kb", "5g", 0 },
		{ "max_output_kb", "99999999999999999999", 0 },
		{ "network", "yes", 1 },
		{ "network", "ON", 1 },
		{ "network", "true", 1 },
		{ "network", "1", 1 },
		{ "network", "maybe", 0 },
		{ "cpu_affinity", "on", 1 },
		{ "cpu_affinity", "auto", 0 },
	};
	char msg[128];
	size_t i;
	int errors;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned v = fn_field(cases[i].key, cases[i].value, &errors);

		snprintf(msg, sizeof(msg), "%s = %s", cases[i].key,
			 cases[i].value);
		if (cases[i].want)
			CHECK(!errors && v == cases[i].want, msg);
		else
			CHECK(errors == 1 &&
				      has_err("functions.ini", 2, cases[i].key),
			      msg);
	}
	CHECK(fn_field("network", "off", &errors) == 0 && !errors,
	      "network = off");
	CHECK(fn_field("cpu_affinity", "off", &errors) == 0 && !errors,
	      "cpu_affinity = off");
}

static void test_fn_errors(void)
{
	static const struct want_err want[] = {
		{ 1, "\"warm\" outside a [function]",
		  "key before any section" },
		{ 3, "bad value \"abc\" for \"warm\": not a whole number",
		  "not a number" },
		{ 4, "unknown key \"bogus\"", "unknown key" },
		{ 5, "out of range 0..65536", "range" },
		{ 6, "bad function name \"bad name!\"", "bad section name" },
		{ 7, "duplicate function \"hello\" (first at line 2)",
		  "duplicate section" },
		{ 8, "is not an executable file", "not executable" },
		{ 9, "No such file or directory", "missing binary" },
		{ 12, "read: \"/nonexistent-novo-xyz\"", "missing read path" },
		{ 13, "\"FOO=bar 1BAD=x\" for \"env\"", "bad env pair" },
		{ 14, "unknown group", "unknown group" },
		{ 15, "not a whole number", "negative" },
		{ 17, "duplicate key \"warm\" (first set at line 16)",
		  "duplicate key" },
		{ 18, "expected \"key = value\"", "syntax error" },
		{ 21, "\"cpu_ms\" takes one value",
		  "continuation of a one-value key" },
		{ 22, "missing \"]\"", "broken header" },
		{ 25, "unknown syscall",
		  "unknown syscall: the line of the syscalls key" },
	};
	int n = load("", "warm = 1\n" /* 1 */
			 "[hello]\n"
			 "warm = abc\n" /* 3 */
			 "bogus = 1\n" /* 4 */
			 "queue = 99999999\n" /* 5 */
			 "[bad name!]\n" /* 6 */
			 "[hello]\n" /* 7 */
			 "[noexec]\n" /* 8 */
			 "[missing]\n" /* 9 */
			 "[ok2]\n" /* 10 */
			 "path = hello/hello\n"
			 "read = /nonexistent-novo-xyz\n" /* 12 */
			 "env = FOO=bar 1BAD=x\n" /* 13 */
			 "syscalls = read @nosuchgroup\n" /* 14 */
			 "timeout_ms = -5\n" /* 15 */
			 "warm = 3\n" /* 16 */
			 "warm = 4\n" /* 17 */
			 "garbage line\n" /* 18 */
			 "  \n"
			 "cpu_ms = 7\n" /* 20 */
			 "  8\n" /* 21 */
			 "[x\n" /* 22 */
			 "[ok3] ; a comment is fine\n" /* 23 */
			 "path = other/run\n"
			 "syscalls = read write\n"
			 "  notasyscall\n" /* 26 */
			 "[ok4]\n"
			 "path = /bin/sh\n");

	CHECK(n == 17, "seventeen errors in functions.ini");
	CHECK(n == count_lines(errs), "one line per error");
	check_errs("functions.ini", want, sizeof(want) / sizeof(want[0]));
	CHECK(cfg.fns == NULL && cfg.n_fns == 0, "nothing kept on errors");
}

static void test_lines(void)
{
	char longline[300];

	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "env = A=", 8);
	strcpy(longline + 250, "\n");
	CHECK(load("", longline) == 1 &&
		      has_err("functions.ini", 1, "line longer than 198"),
	      "a long line is refused, not split");
	CHECK(load("", "\xEF\xBB\xBF[hello]\r\nwarm = 5 ; five\r\n"
		       "read = ../data\r\n   /tmp\r\n") == 0,
	      "BOM, CRLF, comments");
	CHECK(fn("hello") && fn("hello")->warm == 5, "value before a comment");
	CHECK(fn("hello") && fn("hello")->read.n == 2, "read on two lines");
	config_free(&cfg);
	CHECK(load("[server]\nfunctions = nope.ini\n", "") == 1 &&
		      has_err("novod.ini", 2, "cannot open functions file"),
	      "missing functions file at its line");
	CHECK(load("", "[hello]\n[a-b_C9]\npath=hello/hello\n") == 0 &&
		      cfg.n_fns == 2 && fn("a-b_C9"),
	      "name characters");
	config_free(&cfg);
}

static void test_paths(void)
{
	char want[PATH_MAX * 2];
	const struct fn_config *o;

	CHECK(load("[server]\nfunctions_dir = ../functions/\nlog = "
		   "../data/novod.log\n",
		   "[o]\npath = other/./run\nread = hello ../data\n"
		   "write = /tmp\nenv = A=1 B= C=x=y\nnetwork = yes\n"
		   "cpu_affinity = off\n"
		   "syscalls = @cgi  read\n   write\n") == 0,
	      "paths load");
	printf("%s", errs);
	o = fn("o");
	if (!o)
		return;
	snprintf(want, sizeof(want), "%s/functions/other/run", root);
	CHECK_STR(o->path, want, "path relative to functions_dir");
	snprintf(want, sizeof(want), "%s/data/novod.log", root);
	CHECK_STR(cfg.server.log, want, "log relative to novod.ini");
	snprintf(want, sizeof(want), "%s/functions/hello", root);
	CHECK(o->read.n == 2, "two read paths");
	CHECK_STR(o->read.n ? o->read.v[0] : NULL, want, "read resolved");
	snprintf(want, sizeof(want), "%s/data", root);
	CHECK_STR(o->read.n > 1 ? o->read.v[1] : NULL, want, "read ../data");
	CHECK(o->env.n == 3, "three env pairs");
	CHECK_STR(o->env.n == 3 ? o->env.v[2] : NULL, "C=x=y",
		  "env value with =");
	CHECK_STR(o->syscalls, "@cgi read write", "syscalls joined");
	CHECK(o->network, "network");
	CHECK(!o->cpu_affinity, "cpu_affinity off");
}

static void test_text(void)
{
	struct fn_config back, *orig;
	char *text, *text2;
	FILE *e = fopen("/dev/null", "w");

	orig = (struct fn_config *)fn("o");
	if (!orig)
		return;
	text = config_fn_to_text(orig);
	CHECK(text && config_fn_from_text(text, &back, e) == 0,
	      "text form parses back");
	CHECK(config_fn_equal(orig, &back), "round trip is equal");
	text2 = config_fn_to_text(&back);
	CHECK_STR(text2, text, "text of the copy is the same");
	back.warm++;
	CHECK(!config_fn_equal(orig, &back), "warm differs");
	back.warm--;
	back.bin_mtime_ns++;
	CHECK(!config_fn_equal(orig, &back), "binary mtime differs");
	back.bin_mtime_ns--;
	back.syscall_nr[0]++;
	CHECK(!config_fn_equal(orig, &back), "a syscall differs");
	back.syscall_nr[0]--;
	back.cpu_affinity = !back.cpu_affinity;
	CHECK(!config_fn_equal(orig, &back), "cpu_affinity differs");
	back.cpu_affinity = !back.cpu_affinity;
	config_fn_clear(&back);
	free(text);
	free(text2);
	CHECK(config_fn_from_text("[a]\n[b]\n", &back, e) == 1,
	      "two functions refused");
	CHECK(config_fn_from_text("[a]\nbin_ino = x\n", &back, e) == 1,
	      "bad identity refused");
	CHECK(config_fn_from_text("[a]\npath = /nonexistent\n", &back, e) == 0,
	      "no filesystem checks");
	config_fn_clear(&back);
	fclose(e);
	config_free(&cfg);
}

static void test_identity(void)
{
	struct fn_config *a, *b;
	size_t na, nb;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	char path[PATH_MAX];
	FILE *e = fopen("/dev/null", "w");

	CHECK(load("", "[hello]\n") == 0, "load for reload");
	CHECK(config_load_functions(&cfg.server, &a, &na, e) == 0 && na == 1,
	      "functions alone");
	snprintf(path, sizeof(path), "%s/functions/hello/hello", root);
	utimensat(AT_FDCWD, path, ts, 0);
	CHECK(config_load_functions(&cfg.server, &b, &nb, e) == 0 && nb == 1,
	      "functions again");
	CHECK(config_fn_equal(&cfg.fns[0], &a[0]), "same binary: equal");
	CHECK(!config_fn_equal(&a[0], &b[0]), "touched binary: not equal");
	config_free_functions(a, na);
	config_free_functions(b, nb);
	config_free(&cfg);
	fclose(e);
}

static void test_names(void)
{
	char name[66];

	memset(name, 'x', sizeof(name));
	CHECK(config_valid_name("a", 1) && config_valid_name("A-z_0", 5),
	      "valid names");
	CHECK(config_valid_name(name, 64) && !config_valid_name(name, 65),
	      "64 characters at most");
	CHECK(!config_valid_name("", 0) && !config_valid_name("a.b", 3) &&
		      !config_valid_name("a/b", 3) &&
		      !config_valid_name("..", 2),
	      "invalid names");
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	make_tree();
	test_defaults();
	test_allow();
	test_server_errors();
	test_listen_values();
	test_sizes();
	test_fn_errors();
	test_lines();
	test_paths();
	test_text();
	test_identity();
	test_names();
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return UNIT_END();
}
