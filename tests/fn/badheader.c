/*
 * badheader - a malformed CGI header block:
 *   ?mode=0 a header line without a colon
 *   ?mode=1 a Status: that is not a number
 */

#include "fnutil.h"

int main(void)
{
	if (qnum("mode", 0) == 1)
		return put(1,
			   "Status: banana\r\nContent-Type: text/plain\r\n\r\nbody\n") ?
			       1 :
			       0;
	return put(1, "this line is not a header\r\n\r\nbody\n") ? 1 : 0;
}
