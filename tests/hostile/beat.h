/* beat.h - a heartbeat appended to TARGET: proof that a process still runs. */
#ifndef NOVO_HOSTILE_BEAT_H
#define NOVO_HOSTILE_BEAT_H

#include <fcntl.h>

#include "hostile.h"

/* Appends "<who> <pid> <n>" to path every 100 ms, count times. */
static inline void beat(const char *path, const char *who, int count)
{
	char line[64];
	int i, fd, len;

	for (i = 0; i < count; i++) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			len = snprintf(line, sizeof(line), "%s %d %d\n", who,
				       (int)getpid(), i);
			if (write(fd, line, (size_t)len) < 0)
				i = count;
			close(fd);
		}
		sleep_ms(100);
	}
}

#endif
