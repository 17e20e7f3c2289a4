/*
 * headers - CGI headers that novod must honour:
 *   ?mode=0 Status: 201, Location: (a path), X-Custom, Content-Type
 *   ?mode=1 a client redirect: Location: with an absolute URL, no Status
 */

#include "fnutil.h"

int main(void)
{
	if (qnum("mode", 0) == 1)
		return put(1,
			   "Location: http://example.com/elsewhere\r\n\r\n") ?
			       1 :
			       0;
	return put(1, "Status: 201 Created\r\n"
		      "Location: /somewhere/else\r\n"
		      "X-Custom: yes-custom\r\n"
		      "Content-Type: text/x-novo\r\n"
		      "\r\n"
		      "created\n") ?
		       1 :
		       0;
}
