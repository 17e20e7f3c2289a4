/* writefile - creates and writes the file named by TARGET (outside its paths). */
#include <fcntl.h>

#include "hostile.h"

int main(void)
{
	const char *path = need_env("TARGET");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		result(0, "create %s: %s", path, ename(errno));
	if (write(fd, "pwned\n", 6) != 6)
		result(0, "write %s: %s (created, empty)", path, ename(errno));
	result(1, "wrote %s", path);
}
