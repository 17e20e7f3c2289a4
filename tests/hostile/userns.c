/* userns - unshare(CLONE_NEWUSER), map itself to 0, then setuid(0). */
#include <fcntl.h>
#include <sched.h>

#include "hostile.h"

static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	int us, us_err, su;

	us = unshare(CLONE_NEWUSER);
	us_err = errno;
	if (us == 0) {
		put_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		put_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		put_file("/proc/self/gid_map", map);
	}
	su = setuid(0);
	result(su == 0 && uid != 0,
	       "uid %u: unshare(CLONE_NEWUSER): %s; setuid(0): %s",
	       (unsigned)uid, us == 0 ? "done" : ename(us_err),
	       su == 0 ? "done" : ename(errno));
}
