/* swap2 - answers "version-2": the binary-swap test replaces one by the other. */

#include "fnutil.h"

int main(void)
{
	return put(1, "Content-Type: text/plain\r\n\r\nversion-2\n") ? 1 : 0;
}
