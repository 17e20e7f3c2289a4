/* fdcheck - lists its open file descriptors (0..1023), without /proc. */
#include <fcntl.h>
#include <stdio.h>

#include "fnutil.h"

int main(void)
{
	char buf[8192];
	size_t len = 0;

	len += snprintf(buf, sizeof(buf),
			"Content-Type: text/plain\r\n\r\nfds=");
	for (int fd = 0; fd < 1024 && len < sizeof(buf) - 16; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%d",
					buf[len - 1] == '=' ? "" : " ", fd);
	len += snprintf(buf + len, sizeof(buf) - len, "\n");
	return write_all(1, buf, len) ? 1 : 0;
}
