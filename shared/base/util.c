/* util.c - memory, buffers, files and clocks shared by every perfd program. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("perfd: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("bad format '%s'", fmt);
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

char *
xstrreplace(const char *s, const char *from, const char *to)
{
	struct buf b = { 0 };
	size_t n = strlen(from);
	const char *q;

	buf_add(&b, "", 0);
	while ((q = strstr(s, from)) != NULL) {
		buf_add(&b, s, (size_t)(q - s));
		buf_puts(&b, to);
		s = q + n;
	}
	buf_puts(&b, s);
	return b.p;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

/* Drop the first n bytes. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		if (b->p != NULL)
			b->p[0] = '\0';
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->p[b->len] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
atomic_write(const char *path, const void *data, size_t len, char **cause)
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
	if (fsync(fd) != 0) {
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
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

char *
read_file(const char *path, size_t max, size_t *lenp, char **cause)
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
mkdir_p(const char *path, int mode)
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

	data = read_file(path, 64 << 20, &len, &cause);
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
csv_split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, ',')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

int
csv_column(char *const *head, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(head[i], name) == 0)
			return i;
	return -1;
}

char *
path_join(const char *a, const char *b)
{
	if (b[0] == '/')
		return xstrdup(b);
	if (a[0] == '\0')
		return xstrdup(b);
	return xasprintf("%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b);
}

char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *
path_absolute(const char *base, const char *path)
{
	char cwd[PATH_MAX], *joined, *real;

	if (path[0] == '/')
		joined = xstrdup(path);
	else if (base != NULL && base[0] == '/')
		joined = path_join(base, path);
	else {
		if (getcwd(cwd, sizeof cwd) == NULL)
			fatal("getcwd: %s", strerror(errno));
		char *b = base != NULL ? path_join(cwd, base) : xstrdup(cwd);
		joined = path_join(b, path);
		free(b);
	}
	real = realpath(joined, NULL);
	if (real != NULL) {
		free(joined);
		return real;
	}
	return joined;
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t
now_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
time_iso(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%03dZ", s, (int)(ms % 1000));
}

void
hash_hex(const void *data, size_t len, char out[17])
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
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

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *
utf8_escape(const char *s)
{
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s;

	buf_add(&b, "", 0);
	while (*p != '\0') {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf_printf(&b, "\\x%02X", *p);
			p++;
		} else {
			buf_add(&b, p, n);
			p += n;
		}
	}
	return b.p;
}

double
cpu_self_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}
