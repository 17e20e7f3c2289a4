/* ptrace - PTRACE_ATTACH to its parent, then to every pid it can name. */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "pids.h"

static int last_err;

/* Attaches, waits for the stop, detaches at once: a catch leaves no trace. */
static int attach(pid_t p)
{
	int st;

	if (ptrace(PTRACE_ATTACH, p, 0, 0) < 0) {
		if (errno != ESRCH)
			last_err = errno;
		return -1;
	}
	waitpid(p, &st, __WALL);
	ptrace(PTRACE_DETACH, p, 0, 0);
	return 0;
}

int main(void)
{
	pid_t parent = getppid();
	int par = parent > 0 ? attach(parent) : -1, par_err = errno, n;
	const char *how = "?";

	n = each_pid(attach, &how);
	result(par == 0 || n > 0, "attach parent %d: %s; attached %d pids (%s, last error %s)",
	       (int)parent, par == 0 ? "done" : parent > 0 ? ename(par_err) : "none visible",
	       n, how, last_err ? ename(last_err) : "none");
}
