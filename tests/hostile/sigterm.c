/*
 * sigterm - ignores SIGTERM, forks a child that does too, and both beat
 * into TARGET for 8 s: far past any timeout. The test's verdict: 504, and
 * the beats stop.
 */
#include <signal.h>

#include "beat.h"

int main(void)
{
	const char *path = need_env("TARGET");
	pid_t p;

	signal(SIGTERM, SIG_IGN);
	p = fork();
	if (p < 0)
		result(0, "fork: %s", ename(errno));
	if (p == 0) {
		close(1);
		beat(path, "child", 80);
		_exit(0);
	}
	beat(path, "parent", 80);
	result(1, "parent and child outlived 8 s, SIGTERM ignored");
}
