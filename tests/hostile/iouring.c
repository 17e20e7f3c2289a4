/* iouring - io_uring_setup: a ring would do I/O behind seccomp's back. */
#include <linux/io_uring.h>
#include <sys/syscall.h>

#include "hostile.h"

int main(void)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0)
		result(0, "io_uring_setup: %s", ename(errno));
	result(1, "io_uring_setup: ring fd %ld", fd);
}
