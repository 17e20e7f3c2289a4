/* stderr - writes two marked lines to stderr, then answers. */
#include <stdio.h>

#include "fnutil.h"

int main(void)
{
	const char *q = getenv("QUERY_STRING");
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "NOVO-STDERR-LINE-1 %.200s\nNOVO-STDERR-LINE-2 %.200s\n",
		 q ? q : "", q ? q : "");
	put(2, buf);
	return put(1, "Content-Type: text/plain\r\n\r\nstderr ok\n") ? 1 : 0;
}
