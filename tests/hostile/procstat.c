/*
 * procstat - stat()s /proc/$NOVOD_PID: Landlock denies opening anything
 * under /proc, but not stat(), which tells that a host process exists.
 */
#include <sys/stat.h>

#include "hostile.h"

int main(void)
{
	const char *pid = need_env("NOVOD_PID");
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s", pid);
	if (stat(path, &st) < 0)
		result(0, "stat %s: %s", path, ename(errno));
	result(1, "stat %s: a host process of uid %u", path,
	       (unsigned)st.st_uid);
}
