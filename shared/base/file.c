/* file.c - whole files: atomic writes, bounded reads, folders, tails, removal. */
#include "file.h"
#include "buf.h"
#include "path.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Write a temporary file and rename it over path; durable: fsync both (see file.h). */
static int
write_replace(const char *path, const void *data, size_t len, int durable, char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	char *dir = path_dirname(path);
	const char *p = data;
	int fd, dfd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xasprintf("%s: write: %s", tmp, strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (durable && fsync(fd) != 0) {
		*cause = xasprintf("%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	/* The rename is durable only once the folder itself is synced. */
	dfd = durable ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}

int
file_write_atomic(const char *path, const void *data, size_t len, char **cause)
{
	return write_replace(path, data, len, 1, cause);
}

int
file_write_untorn(const char *path, const void *data, size_t len, char **cause)
{
	return write_replace(path, data, len, 0, cause);
}

char *
file_read(const char *path, size_t max, size_t *lenp, char **cause)
{
	struct buf b = { 0 };
	char chunk[65536];
	int fd;
	ssize_t n;

	struct stat st;

	/*
	 * Regular files only, opened without blocking: a FIFO (or a device)
	 * named where a file is expected would stall the reader, which may be
	 * the daemon's loop, for as long as nobody writes to it.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file (a FIFO, a device or a "
		    "folder): refusing to read it", path);
		close(fd);
		return NULL;
	}
	buf_add(&b, "", 0);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			*cause = xasprintf("%s: file is larger than %zu bytes", path, max);
			goto fail;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (lenp != NULL)
		*lenp = b.len;
	return b.p;
fail:
	close(fd);
	buf_free(&b);
	return NULL;
}

int
file_mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

char *
file_tail(const char *path, int nlines)
{
	char *cause = NULL, *data, *p;
	size_t len;
	int seen = 0;

	data = file_read(path, 64 << 20, &len, &cause);
	if (data == NULL) {
		free(cause);
		return xstrdup("");
	}
	while (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	for (p = data + len; p > data; p--) {
		if (p[-1] == '\n' && ++seen == nlines)
			break;
	}
	p = xstrdup(p);
	free(data);
	return p;
}

int
file_keep_ends(const char *path, off_t keep)
{
	struct stat st;
	char *tail = NULL, mark[160];
	int fd, n, rc = -1;
	off_t cut;

	if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	rc = 0;
	cut = st.st_size - 2 * keep;
	n = snprintf(mark, sizeof mark, "\n[perfd: %lld bytes cut here; the first and "
	    "last %lld bytes are kept]\n", (long long)cut, (long long)keep);
	if (cut <= n)
		goto out;
	rc = -1;
	tail = xmalloc((size_t)keep);
	/* The tail is read whole before anything is written over the middle. */
	if (pread(fd, tail, (size_t)keep, st.st_size - keep) != (ssize_t)keep ||
	    pwrite(fd, mark, (size_t)n, keep) != n ||
	    pwrite(fd, tail, (size_t)keep, keep + n) != (ssize_t)keep ||
	    ftruncate(fd, keep + n + keep) != 0)
		goto out;
	rc = 1;
out:
	free(tail);
	close(fd);
	return rc;
}

/* One entry of file_remove_tree()'s walk, children before their folder. */
static int
file_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT;
}

int
file_remove_tree(const char *path)
{
	int rc = nftw(path, file_remove_one, 16, FTW_DEPTH | FTW_PHYS);

	return rc == 0 || (rc == -1 && errno == ENOENT) ? 0 : -1;
}
