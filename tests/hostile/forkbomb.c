/*
 * forkbomb - forks until it has ?cap= children (200) or fork fails. Each
 * child blocks on a pipe and leaves when we exit: the control cleans up.
 */
#include <sys/types.h>

#include "hostile.h"

int main(void)
{
	long cap = qnum("cap", 200), n = 0;
	int pfd[2], err = 0;
	char c;

	if (pipe(pfd) < 0)
		result(0, "pipe: %s", ename(errno));
	while (n < cap) {
		pid_t p = fork();

		if (p < 0) {
			err = errno;
			break;
		}
		if (p == 0) {
			close(pfd[1]);
			close(1);
			while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		n++;
	}
	result(n >= cap, "forked %ld of %ld children%s%s", n, cap,
	       err ? ", then fork: " : "", err ? ename(err) : "");
}
