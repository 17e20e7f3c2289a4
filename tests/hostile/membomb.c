/* membomb - allocates and touches 16 MiB chunks up to ?mb= (512) MiB. */
#include "hostile.h"

#define CHUNK_MB 16

int main(void)
{
	long cap = qnum("mb", 512), mb = 0;
	int err = 0;

	while (mb < cap) {
		char *p = malloc((size_t)CHUNK_MB << 20);

		if (!p) {
			err = errno;
			break;
		}
		memset(p, 0xa5, (size_t)CHUNK_MB << 20);
		mb += CHUNK_MB;
	}
	result(mb >= cap, "allocated and touched %ld of %ld MiB%s%s", mb, cap,
	       err ? ", then malloc: " : "", err ? ename(err) : "");
}
