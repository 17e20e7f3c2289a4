/* setuid - executes TARGET, a setuid-root binary, hoping to become root. */
#include "hostile.h"

int main(void)
{
	const char *path = need_env("TARGET");
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { NULL };

	execve(path, argv, envp);
	result(0, "execve %s: %s", path, ename(errno));
}
