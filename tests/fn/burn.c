/*
 * burn - uses up a resource:
 *   ?cpu=1    spins until killed (cpu_ms)
 *   ?mem=MB   allocates and touches MB mebibytes (memory_mb); answers
 *             "allocated MB" or "malloc failed at N MiB" if it survives
 */
#include <stdio.h>

#include "fnutil.h"

static int eat(long mb)
{
	char buf[128];
	long got = 0;

	for (; got < mb; got++) {
		char *p = malloc(1 << 20);

		if (!p)
			break;
		memset(p, 0x5a,
		       1 << 20); /* touch it: resident, not just mapped */
	}
	if (got < mb)
		snprintf(
			buf, sizeof(buf),
			"Content-Type: text/plain\r\n\r\nmalloc failed at %ld MiB\n",
			got);
	else
		snprintf(buf, sizeof(buf),
			 "Content-Type: text/plain\r\n\r\nallocated %ld MiB\n",
			 got);
	return put(1, buf) ? 1 : 0;
}

int main(void)
{
	volatile unsigned long n = 0;

	if (qnum("mem", 0) > 0)
		return eat(qnum("mem", 0));
	while (qnum("cpu", 0))
		n++;
	return put(1, "Content-Type: text/plain\r\n\r\nidle\n") ? 1 : 0;
}
