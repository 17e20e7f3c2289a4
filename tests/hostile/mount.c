/* mount - mounts a tmpfs over TARGET (a folder), then unmounts it. */
#include <sys/mount.h>

#include "hostile.h"

int main(void)
{
	const char *dir = need_env("TARGET");

	if (mount("novo-hostile", dir, "tmpfs", 0, "size=1m") < 0)
		result(0, "mount tmpfs on %s: %s", dir, ename(errno));
	umount2(dir, MNT_DETACH);
	result(1, "mounted a tmpfs on %s", dir);
}
