/*
 * probe.c - one attack per mode, run by test_sandbox inside and outside
 * the sandbox. Built static (a confined function cannot load libraries).
 * Prints one line; exits 0 when the attack worked, 3 when it was refused.
 *
 *   probe ok                 nothing: must simply run
 *   probe forbidden          getppid(), outside @cgi
 *   probe passwd             read /etc/passwd
 *   probe write PATH         create PATH
 *   probe socket             socket(AF_INET, SOCK_STREAM)
 *   probe rlimit             raise RLIMIT_NOFILE to 4096
 *   probe own                read the probe's own binary (allowed)
 *   probe exec               exec /bin/sh (execve itself is allowed)
 *   probe memory             allocate and touch 256 MiB
 *   probe gate               dup2() with a guessed spawner key in its
 *                            sixth argument (the spawner's gate)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int result(const char *what, long rc)
{
	if (rc >= 0) {
		printf("%s: done\n", what);
		return 0;
	}
	printf("%s: %s\n", what, strerror(errno));
	return 3;
}

static int try_open(const char *what, const char *path, int flags)
{
	char buf[64];
	int fd = open(path, flags, 0600);

	if (fd >= 0 && (flags & O_ACCMODE) == O_RDONLY &&
	    read(fd, buf, sizeof(buf)) <= 0)
		fd = -1;
	return result(what, fd);
}

static int memory(void)
{
	size_t len = 256u << 20;
	char *p = malloc(len);

	if (p)
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
	return result("memory", p ? 0 : -1);
}

/* Every CPU, as a placed function would take to leave its own: the
 * kernel keeps those it may use. A guess at the spawner's key. */
static int affinity(void)
{
	unsigned long all[16];

	memset(all, 0xff, sizeof(all));
	return result("affinity", syscall(SYS_sched_setaffinity, 0, sizeof(all),
					  all, 0, 0, 0x5a5a5a5a5a5a5000UL));
}

int main(int argc, char **argv)
{
	char *sh[] = { "/bin/sh", "-c", "exit 0", NULL };

	const char *m = argc > 1 ? argv[1] : "ok";
	struct rlimit rl = { 4096, 4096 };

	if (!strcmp(m, "ok"))
		return result("ok", 0);
	if (!strcmp(m, "forbidden"))
		return result("forbidden", syscall(SYS_getppid));
	if (!strcmp(m, "passwd"))
		return try_open("passwd", "/etc/passwd", O_RDONLY);
	if (!strcmp(m, "write") && argc > 2)
		return try_open("write", argv[2], O_WRONLY | O_CREAT);
	if (!strcmp(m, "socket"))
		return result("socket", socket(AF_INET, SOCK_STREAM, 0));
	if (!strcmp(m, "rlimit"))
		return result("rlimit", setrlimit(RLIMIT_NOFILE, &rl));
	if (!strcmp(m, "own"))
		return try_open("own", argv[0], O_RDONLY);
	if (!strcmp(m, "exec"))
		return result("exec", execve(sh[0], sh, NULL));
	if (!strcmp(m, "memory"))
		return memory();
	if (!strcmp(m, "gate"))
		return result("gate", syscall(SYS_dup2, 1, 9, 0, 0, 0,
					      0x5a5a5a5a5a5a5000UL));
	if (!strcmp(m, "affinity"))
		return affinity();
	printf("usage: probe MODE\n");
	return 2;
}
