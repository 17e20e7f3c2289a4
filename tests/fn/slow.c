/* slow - sleeps ?ms=N milliseconds (default 1000), then answers. */
#include <stdio.h>

#include "fnutil.h"

int main(void)
{
	long ms = qnum("ms", 1000);
	char buf[128];

	sleep_ms(ms);
	snprintf(buf, sizeof(buf),
		 "Content-Type: text/plain\r\n\r\nslept %ld\n", ms);
	return put(1, buf) ? 1 : 0;
}
