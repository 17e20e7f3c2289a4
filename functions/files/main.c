/*
 * files - serves one file of a data folder: /fn/files?name=hello.txt.
 * Without a name it lists the folder.
 *
 * The folder is "data" in the working folder, which novod (as RFC 3875
 * asks) sets to the function's own folder, or $DATA_DIR when
 * functions.ini sets it (env = DATA_DIR=/srv/data, with read = /srv/data).
 *
 * Safe by construction, not only by the sandbox: a name is one plain
 * file name (no "/", no leading "."), opened relative to the folder,
 * without following symlinks, and served only if it is a regular file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgi_query.h"

#define NAME_MAX_LEN 64

/* [A-Za-z0-9_-][A-Za-z0-9._-]*: no path, no hidden file, no "..". */
static int valid_name(const char *s, size_t len)
{
	if (len == 0 || len > NAME_MAX_LEN || s[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static const char *content_type(const char *name)
{
	static const char *const types[][2] = {
		{ ".txt", "text/plain" },	 { ".html", "text/html" },
		{ ".json", "application/json" }, { ".css", "text/css" },
		{ ".png", "image/png" },	 { ".jpg", "image/jpeg" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

static int answer(const char *status, const char *msg)
{
	printf("Status: %s\r\nContent-Type: text/plain\r\n\r\nfiles: %s\n",
	       status, msg);
	return 0;
}

static int list_folder(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (!d)
		return answer("500 Internal Server Error",
			      "cannot list the folder");
	fputs("Content-Type: text/plain\r\n\r\n", stdout);
	while ((e = readdir(d)))
		if (e->d_type == DT_REG &&
		    valid_name(e->d_name, strlen(e->d_name)))
			printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

static int send_file(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char buf[16384];
	ssize_t n;

	if (fd < 0 && errno == ENOENT)
		return answer("404 Not Found", "no such file");
	if (fd < 0) /* ELOOP: a symlink, EACCES: not ours to read */
		return answer("403 Forbidden", "not readable");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return answer("403 Forbidden", "not a regular file");
	}
	printf("Content-Type: %s\r\nContent-Length: %lld\r\n\r\n",
	       content_type(name), (long long)st.st_size);
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			break;
	close(fd);
	return n == 0 ? 0 : 1; /* a short body: exit non-zero, novod logs it */
}

/* $DATA_DIR, or the folder "data" in the working folder. */
static int open_data_dir(void)
{
	const char *dir = getenv("DATA_DIR");

	return open(dir && *dir ? dir : "data",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int main(void)
{
	char name[NAME_MAX_LEN + 1];
	size_t len = 0;
	const char *v = query_param(getenv("QUERY_STRING"), "name", &len);
	int dirfd = open_data_dir();

	if (dirfd < 0)
		return answer("500 Internal Server Error", "no data folder");
	if (!v)
		return list_folder(dirfd);
	if (!valid_name(v, len))
		return answer("400 Bad Request",
			      "name must be a plain file name");
	memcpy(name, v, len);
	name[len] = '\0';
	return send_file(dirfd, name);
}
