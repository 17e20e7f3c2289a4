/*
 * noheader - no complete CGI header block:
 *   ?mode=0 writes nothing at all and exits 0
 *   ?mode=1 writes header lines but never the empty line ending them
 */

#include "fnutil.h"

int main(void)
{
	if (qnum("mode", 0) == 1)
		return put(1, "Content-Type: text/plain\r\nX-Half: yes\r\n") ?
			       1 :
			       0;
	return 0;
}
