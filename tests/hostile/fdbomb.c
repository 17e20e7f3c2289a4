/* fdbomb - dup(0) until it holds ?n= (1000) more descriptors or dup fails. */
#include "hostile.h"

int main(void)
{
	long cap = qnum("n", 1000), n = 0;
	int err = 0;

	while (n < cap) {
		if (dup(0) < 0) {
			err = errno;
			break;
		}
		n++;
	}
	result(n >= cap, "opened %ld of %ld descriptors%s%s", n, cap,
	       err ? ", then dup: " : "", err ? ename(err) : "");
}
