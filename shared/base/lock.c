/* lock.c - the host-wide measurement lock. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

static int
lock_open(const char *path, int how)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (flock(fd, how) != 0) {
		if (errno == EINTR)
			continue;
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
lock_acquire(const char *path)
{
	return lock_open(path, LOCK_EX);
}

int
lock_try(const char *path)
{
	return lock_open(path, LOCK_EX | LOCK_NB);
}

void
lock_release(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
