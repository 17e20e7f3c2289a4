/*
 * killall - kill(-1, SIGKILL) (unless ?minus1=0), then SIGKILL to every pid
 * it can name.
 */
#include <signal.h>

#include "pids.h"

static int last_err;

/* The init of our pid namespace shrugs SIGKILL off: not counted. */
static int kill_one(pid_t p)
{
	if (kill(p, SIGKILL) == 0)
		return p == 1 ? -1 : 0;
	if (errno != ESRCH)
		last_err = errno;
	return -1;
}

int main(void)
{
	const char *how = "?";
	int minus1 = qnum("minus1", 1) != 0;
	int all = minus1 ? kill(-1, SIGKILL) : -1, all_err = errno, n;

	n = each_pid(kill_one, &how);
	result(all == 0 || n > 0,
	       "kill(-1): %s; SIGKILL to %d pids (%s, last error %s)",
	       !minus1	? "not tried" :
	       all == 0 ? "sent" :
			  ename(all_err),
	       n, how, last_err ? ename(last_err) : "none");
}
