/* cpus - sleeps ?ms=N milliseconds (default 0), then answers the CPUs it
 * may run on (sched_getaffinity), as "0,1,3". */
#include <sched.h>
#include <stdio.h>

#include "fnutil.h"

int main(void)
{
	char buf[4096];
	cpu_set_t set;
	int n;

	sleep_ms(qnum("ms", 0));
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	n = snprintf(buf, sizeof(buf), "Content-Type: text/plain\r\n\r\n");
	for (int i = 0; i < CPU_SETSIZE && n < (int)sizeof(buf) - 8; i++)
		if (CPU_ISSET(i, &set))
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%d",
				      buf[n - 1] == '\n' ? "" : ",", i);
	return put(1, buf) ? 1 : 0;
}
