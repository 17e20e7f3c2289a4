/*
 * daemon - double fork and setsid: a daemon that beats into TARGET for 8 s
 * after the request ended. The verdict is the test's: does the beat go on?
 */
#include <string.h>
#include <sys/wait.h>

#include "beat.h"

/*
 * Waits up to 2 s for the daemon's first whole beat line: it ran before we
 * answer. The file alone is not enough: the daemon's open(O_CREAT) makes it
 * before its write, and our exit would kill the daemon in between.
 */
static int first_beat(const char *path)
{
	char buf[64];
	ssize_t n;
	int i, fd;

	for (i = 0; i < 40; i++) {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf));
			close(fd);
			if (n > 0 && memchr(buf, '\n', (size_t)n))
				return 1;
		}
		sleep_ms(50);
	}
	return 0;
}

int main(void)
{
	const char *path = need_env("TARGET");
	pid_t p = fork();
	int st;

	if (p < 0)
		result(0, "fork: %s", ename(errno));
	if (p == 0) {
		pid_t d;

		if (setsid() < 0)
			_exit(3);
		d = fork();
		if (d < 0)
			_exit(4); /* no daemon: the test would prove nothing */
		if (d > 0)
			_exit(0);
		close(0);
		close(1);
		close(2);
		beat(path, "daemon", 80);
		_exit(0);
	}
	waitpid(p, &st, 0);
	dprintf(1,
		"Content-Type: text/plain\r\n\r\nSPAWNED daemon (middle child %s %d, %s)\n",
		WIFEXITED(st) ? "exited" : "killed by signal",
		WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		first_beat(path) ? "first beat seen" : "no beat within 2 s");
	return 0;
}
