/* execsh - execs /bin/sh, which would answer itself. */
#include "hostile.h"

int main(void)
{
	char *argv[] = {
		"sh", "-c",
		"printf 'Content-Type: text/plain\\r\\n\\r\\nESCAPED /bin/sh ran as uid %s\\n' \"$(id -u)\"",
		NULL
	};
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };

	execve("/bin/sh", argv, envp);
	result(0, "execve /bin/sh: %s", ename(errno));
}
