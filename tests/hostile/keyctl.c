/* keyctl - joins a new session keyring (kernel key store, shared by uid). */
#include <linux/keyctl.h>
#include <sys/syscall.h>

#include "hostile.h"

int main(void)
{
	long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);

	if (id < 0)
		result(0, "keyctl(JOIN_SESSION_KEYRING): %s", ename(errno));
	result(1, "keyctl(JOIN_SESSION_KEYRING): keyring %ld", id);
}
