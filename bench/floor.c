/*
 * floor.c - what a function costs by itself: a tiny parent runs it the
 * cheapest way there is (vfork, execve with a CGI-sized environment,
 * read its stdout to the end, wait), with no HTTP, no FastCGI and no
 * sandbox. No server can answer faster than this; `make bench` prints it
 * beside the targets, as the bound of their ratios.
 *
 *   floor BINARY SECONDS LOOPS
 *
 * LOOPS processes run the loop side by side for SECONDS. Prints one line:
 * runs per second (all loops), then the p50 and p99 of one run (ms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS (1 << 20)

static char *env[] = { "GATEWAY_INTERFACE=CGI/1.1",
		       "SERVER_PROTOCOL=HTTP/1.1",
		       "SERVER_SOFTWARE=floor",
		       "SERVER_NAME=localhost",
		       "SERVER_PORT=80",
		       "REMOTE_ADDR=127.0.0.1",
		       "REMOTE_PORT=40000",
		       "REQUEST_METHOD=GET",
		       "REQUEST_URI=/fn/hello",
		       "SCRIPT_NAME=/fn/hello",
		       "PATH_INFO=",
		       "QUERY_STRING=",
		       "CONTENT_LENGTH=",
		       "CONTENT_TYPE=",
		       "HTTP_HOST=127.0.0.1",
		       "HTTP_USER_AGENT=floor",
		       "HTTP_ACCEPT=*/*",
		       NULL };

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

/* One run: 0, or -1 when it could not start or did not exit 0. */
static int run_once(char *path)
{
	char *argv[] = { path, NULL };
	char buf[4096];
	int p[2], st;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = vfork();
	if (pid == 0) {
		dup2(p[1], 1);
		execve(path, argv, env);
		_exit(127);
	}
	close(p[1]);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int *lat, loops;
	long long end;
	size_t *n;

	if (argc != 4 || (loops = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: floor BINARY SECONDS LOOPS\n");
		return 2;
	}
	/* shared with the loops: one slice of MAX_RUNS per loop */
	lat = mmap(NULL,
		   sizeof(int) * MAX_RUNS * loops + sizeof(size_t) * loops,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED)
		return 1;
	n = (size_t *)(lat + (size_t)MAX_RUNS * loops);
	end = now_us() + atoll(argv[2]) * 1000000LL;
	for (int l = 0; l < loops; l++) {
		if (fork() != 0)
			continue;
		while (now_us() < end && n[l] < MAX_RUNS) {
			long long t0 = now_us();

			if (run_once(argv[1]) < 0)
				_exit(1);
			lat[(size_t)l * MAX_RUNS + n[l]++] =
				(int)(now_us() - t0);
		}
		_exit(0);
	}
	for (int l = 0, st; l < loops; l++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "floor: %s did not run cleanly\n",
				argv[1]);
			return 1;
		}
	{
		size_t total = 0;

		for (int l = 0; l < loops; l++) {
			memmove(lat + total, lat + (size_t)l * MAX_RUNS,
				n[l] * sizeof(int));
			total += n[l];
		}
		if (total == 0)
			return 1;
		qsort(lat, total, sizeof(int), cmp);
		printf("%.0f %.3f %.3f\n", total / atof(argv[2]),
		       lat[total / 2] / 1000.0, lat[total * 99 / 100] / 1000.0);
	}
	return 0;
}
