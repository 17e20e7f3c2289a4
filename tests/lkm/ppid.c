/*
 * ppid.c - a test function for the VM: answers with the result of
 * getppid in itself and in a child it forks ("getppid=-1 errno=1" when
 * novo.ko refuses it). Its whitelist in novod.ini lacks getppid.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *who)
{
	long r = syscall(SYS_getppid);

	printf("%s getppid=%ld errno=%d\n", who, r > 0 ? 1L : r,
	       r < 0 ? errno : 0);
	fflush(stdout);
}

int main(void)
{
	pid_t pid;
	int st;

	printf("Content-Type: text/plain\r\n\r\n");
	report("fn");
	pid = fork();
	if (pid == 0) {
		report("grandchild");
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	return 0;
}
