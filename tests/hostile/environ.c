/* environ - reads /proc/$NOVOD_PID/environ: novod's secrets. */
#include <fcntl.h>

#include "hostile.h"

int main(void)
{
	const char *pid = need_env("NOVOD_PID");
	char path[64], buf[65536];
	ssize_t n, i;
	int fd, vars = 0;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		result(0, "open %s: %s", path, ename(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		result(0, "read %s: %s", path, ename(errno));
	for (i = 0; i < n; i++) {
		if (buf[i] == '\0') {
			vars++;
			buf[i] = '\n';
		}
	}
	buf[n] = '\0';
	result(n > 0, "read %s: %zd bytes, %d variables, NOVO_TEST_SECRET %s",
	       path, n, vars,
	       strstr(buf, "NOVO_TEST_SECRET=") ? "seen" : "absent");
}
