/* config.h - novod.ini and functions.ini: parsed, validated, immutable. */
#ifndef NOVO_CONFIG_H
#define NOVO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NOVO_NAME_MAX 64

enum lkm_mode { LKM_AUTO, LKM_REQUIRE, LKM_OFF };

/* One entry of [server] allow: an address and a prefix length. */
struct allow_rule {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

struct strlist {
	char **v;
	size_t n;
};

struct fn_config {
	char name[NOVO_NAME_MAX + 1];
	int line; /* line of the section header, for messages */
	char *path; /* absolute path of the executable */
	char *dir; /* absolute folder of the executable */
	char *syscalls; /* the whitelist as written ("@cgi" by default) */
	int *syscall_nr; /* resolved syscall numbers, sorted, unique */
	size_t n_syscalls;
	unsigned warm, max_concurrency, queue;
	unsigned timeout_ms, cpu_ms, memory_mb;
	unsigned max_body_kb, max_output_kb;
	bool network;
	bool cpu_affinity; /* alone, off the first CPU (warm_child_place) */
	struct strlist read; /* absolute paths */
	struct strlist write; /* absolute paths */
	struct strlist env; /* KEY=VALUE */
	/* identity of the binary when loaded: a change means a new pool */
	dev_t bin_dev;
	ino_t bin_ino;
	long long bin_mtime_ns;
	off_t bin_size;
};

struct server_config {
	char *file; /* absolute path of novod.ini */
	char *listen; /* "unix:/path" or "host:port" */
	bool listen_unix;
	char *listen_path; /* unix socket path, when listen_unix */
	char *listen_host; /* tcp host, otherwise */
	unsigned listen_port;
	struct allow_rule *allow;
	size_t n_allow;
	char *functions_file; /* absolute */
	char *functions_dir; /* absolute */
	char *status_path;
	char *user;
	bool sandbox;
	unsigned busy_poll_us; /* request.c's busy_poll_until */
	char *listen_owner, *listen_group;
	unsigned listen_mode;
	char *log; /* NULL or empty: stderr */
	enum lkm_mode lkm_mode;
	int functions_line; /* line of "functions" in file, for messages */
};

struct novo_config {
	struct server_config server;
	struct fn_config *fns;
	size_t n_fns;
};

/*
 * Parses novod.ini and the functions.ini it names. Every error is written
 * to errs as "file:line: message" (one per line); returns the number of
 * errors, 0 when cfg is valid and filled.
 */
int config_load(const char *novod_ini, struct novo_config *cfg, FILE *errs);

/* Only novod.ini, checked (novoctl needs no more); 0 when srv is filled. */
int config_load_server(const char *novod_ini, struct server_config *srv,
		       FILE *errs);
void config_free_server(struct server_config *srv);

/* Re-reads only functions.ini of an already loaded server section. */
int config_load_functions(const struct server_config *srv,
			  struct fn_config **fns, size_t *n_fns, FILE *errs);

void config_free(struct novo_config *cfg);
void config_free_functions(struct fn_config *fns, size_t n);
/* Frees what one fn_config holds (from config_fn_from_text), not fn. */
void config_fn_clear(struct fn_config *fn);

const struct fn_config *config_find(const struct fn_config *fns, size_t n,
				    const char *name, size_t len);

/* [A-Za-z0-9_-]{1,64} */
bool config_valid_name(const char *s, size_t len);

/* Is addr (AF_INET/AF_INET6 sockaddr) let in by the allow rules? */
bool config_allowed(const struct server_config *srv,
		    const struct sockaddr *addr);

/*
 * Functions travel to their spawner process as text: the same ini syntax,
 * parsed back by config_fn_from_text (no filesystem checks there).
 */
char *config_fn_to_text(const struct fn_config *fn);
int config_fn_from_text(const char *text, struct fn_config *fn, FILE *errs);

/* Same binary, same sandbox, same limits: the warm pool can be kept. */
bool config_fn_equal(const struct fn_config *a, const struct fn_config *b);

#endif
