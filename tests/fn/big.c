/*
 * big - streams ?n=BYTES (default 10 MiB) of a verifiable pattern: every
 * 16-byte record is its own offset as 15 hex digits and '\n' (the last
 * record may be cut). Options:
 *   ?after=BYTES&pause=MS  sleep MS once BYTES of body have been written
 *   ?one=1                 headers and body in one write(2) (n <= 3900)
 */
#include <stdio.h>

#include "fnutil.h"

#define HDR "Content-Type: application/octet-stream\r\n\r\n"
#define CHUNK 16384

static void fill(char *buf, long off, long len)
{
	char rec[17];

	for (long i = 0; i < len; i += 16) {
		snprintf(rec, sizeof(rec), "%015lx\n", off + i);
		memcpy(buf + i, rec, len - i < 16 ? (size_t)(len - i) : 16);
	}
}

static int one_write(long n)
{
	static char buf[4096];
	size_t h = strlen(HDR);

	if (n < 0 || (size_t)n > sizeof(buf) - h - 16)
		return 1;
	memcpy(buf, HDR, h);
	fill(buf + h, 0, n);
	return write(1, buf, h + (size_t)n) == (ssize_t)(h + (size_t)n) ? 0 : 1;
}

int main(void)
{
	static char buf[CHUNK];
	long n = qnum("n", 10L * 1024 * 1024);
	long after = qnum("after", -1), pause = qnum("pause", 0);

	if (qnum("one", 0))
		return one_write(n);
	if (put(1, HDR))
		return 1;
	for (long off = 0; off < n;) {
		long len = n - off < CHUNK ? n - off : CHUNK;

		if (after >= off && after < off + len && after > off)
			len = after - off;
		fill(buf, off, len);
		if (write_all(1, buf, (size_t)len))
			return 1;
		off += len;
		if (off == after)
			sleep_ms(pause);
	}
	return 0;
}
