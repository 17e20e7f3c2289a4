/*
 * hello - the smallest novo function.
 *
 * A function is any executable that speaks CGI/1.1: it writes a header
 * block, an empty line, then the body, on stdout, and exits.
 */
#include <stdio.h>

int main(void)
{
	fputs("Content-Type: text/plain\r\n"
	      "\r\n"
	      "Hello, world!\n",
	      stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
