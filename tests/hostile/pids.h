/*
 * pids.h - the targets of killall and ptrace: the pids named in the query
 * string, then every pid listed in /proc, or, when /proc cannot be listed,
 * every pid from 1 to HOSTILE_PID_MAX. Calls fn on each but our own.
 */
#ifndef NOVO_HOSTILE_PIDS_H
#define NOVO_HOSTILE_PIDS_H

#include <dirent.h>

#include "hostile.h"

/* Returns how many calls succeeded; *how says how the pids were found. */
static inline int each_pid(int (*fn)(pid_t), const char **how)
{
	pid_t named[16], self = getpid();
	int i, n = qpids(named, 16), ok = 0;
	struct dirent *de;
	DIR *d;

	for (i = 0; i < n; i++)
		ok += named[i] != self && fn(named[i]) == 0;
	d = opendir("/proc");
	if (d) {
		*how = "/proc";
		while ((de = readdir(d)) != NULL) {
			pid_t p = (pid_t)atoi(de->d_name);

			if (p > 0 && p != self)
				ok += fn(p) == 0;
		}
		closedir(d);
		return ok;
	}
	*how = "1..pid_max (no /proc)";
	for (pid_t p = 1; p <= HOSTILE_PID_MAX; p++)
		if (p != self)
			ok += fn(p) == 0;
	return ok;
}

#endif
