/* swap1 - answers "version-1": the binary-swap test replaces one by the other. */

#include "fnutil.h"

int main(void)
{
	return put(1, "Content-Type: text/plain\r\n\r\nversion-1\n") ? 1 : 0;
}
