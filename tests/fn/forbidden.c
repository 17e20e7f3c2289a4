/*
 * forbidden - calls ptrace(PTRACE_TRACEME), which no CGI whitelist holds.
 * Under novod's seccomp filter it is killed (502); if the call merely
 * fails (the kernel module's -EPERM), it says so and answers 200.
 */
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "fnutil.h"

int main(void)
{
	char buf[128];
	long r = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);

	snprintf(
		buf, sizeof(buf),
		"Content-Type: text/plain\r\n\r\nptrace returned %ld errno %d\n",
		r, r < 0 ? errno : 0);
	return put(1, buf) ? 1 : 0;
}
