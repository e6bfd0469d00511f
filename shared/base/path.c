/* path.c - path strings: joined, cut, made absolute. */
#include "path.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
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
