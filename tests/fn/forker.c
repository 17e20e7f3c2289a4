/*
 * forker - forks a grandchild that leaves the session (setsid), ignores
 * SIGTERM/SIGHUP and sleeps 60 s; then sleeps ?ms=N (default 30000)
 * itself. Both must die when novod times the request out.
 */
#include <signal.h>
#include <stdio.h>

#include "fnutil.h"

int main(void)
{
	char buf[128];
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0) {
		setsid();
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		sleep_ms(60000);
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "forker pid=%d grandchild=%d\n",
		 (int)getpid(), (int)pid);
	put(2, buf);
	sleep_ms(qnum("ms", 30000));
	return put(1, "Content-Type: text/plain\r\n\r\nforker done\n") ? 1 : 0;
}
