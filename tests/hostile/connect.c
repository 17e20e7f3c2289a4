/* connect - TCP connect to 127.0.0.1:<port> (the test listens there). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "hostile.h"

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long port = qnum("port", 0);
	int s;

	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		result(0, "socket: %s", ename(errno));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		result(0, "connect 127.0.0.1:%ld: %s", port, ename(errno));
	if (write(s, "pwned\n", 6) != 6)
		result(1, "connected to 127.0.0.1:%ld (write: %s)", port,
		       ename(errno));
	result(1, "connected to 127.0.0.1:%ld and wrote", port);
}
