/*
 * ptrace - PTRACE_SEIZE of its parent, then of every pid it can name. SEIZE
 * checks the same rights as ATTACH but sends no SIGSTOP: a catch never
 * stops anyone (the init of a pid namespace would drop that SIGSTOP and a
 * waitpid for it would hang), and our exit lets every tracee go.
 */
#include <signal.h>
#include <sys/ptrace.h>

#include "pids.h"

static int last_err;

static int attach(pid_t p)
{
	if (ptrace(PTRACE_SEIZE, p, 0, 0) < 0) {
		if (errno != ESRCH)
			last_err = errno;
		return -1;
	}
	return 0;
}

int main(void)
{
	pid_t parent = getppid();
	int par = parent > 0 ? attach(parent) : -1, par_err = errno, n;
	const char *how = "?";

	n = each_pid(attach, &how);
	result(par == 0 || n > 0,
	       "seize parent %d: %s; seized %d pids (%s, last error %s)",
	       (int)parent,
	       par == 0	  ? "done" :
	       parent > 0 ? ename(par_err) :
			    "none visible",
	       n, how, last_err ? ename(last_err) : "none");
}
