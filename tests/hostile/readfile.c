/* readfile - reads the file named by TARGET (/etc/passwd, another function's file). */
#include <fcntl.h>

#include "hostile.h"

int main(void)
{
	const char *path = need_env("TARGET");
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		result(0, "open %s: %s", path, ename(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		result(0, "read %s: %s", path, ename(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	result(1, "read %s: %zd bytes, first line \"%.80s\"", path, n, buf);
}
