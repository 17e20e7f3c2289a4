/*
 * suidhelper - installed setuid root by the test; says whose rights it runs
 * with. Executed by setuid.c, it gives the result line for it.
 */
#include "hostile.h"

int main(void)
{
	uid_t r = getuid(), e = geteuid();

	result(e == 0 && r != 0, "setuid-root binary ran: ruid %u euid %u",
	       (unsigned)r, (unsigned)e);
}
