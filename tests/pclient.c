/* pclient.c - a raw protocol client for the end-to-end tests.
 *
 *   pclient SOCKET send [IDLE_MS]  send stdin as is, print every line that
 *                                  comes back until IDLE_MS (default 500)
 *                                  pass without one
 *   pclient SOCKET stall ID [S]    watch ID and read nothing for S seconds
 *                                  (default: forever), then read to the end:
 *                                  exit 0 if the daemon closed the connection
 *   pclient SOCKET flood S         send "list" requests for S seconds and read
 *                                  nothing: exit 0 if the daemon closed the
 *                                  connection, 1 if it was still open
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int
dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "pclient: %s: %s\n", path, strerror(errno));
		exit(3);
	}
	return fd;
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "pclient: write: %s\n", strerror(errno));
			exit(4);
		}
		p += w;
		n -= (size_t)w;
	}
}

int
main(int argc, char **argv)
{
	char chunk[65536];
	int fd;

	if (argc < 3)
		return 2;
	fd = dial(argv[1]);
	if (strcmp(argv[2], "stall") == 0 && argc > 3) {
		char *req = xasprintf("{\"cmd\":\"watch\",\"id\":\"%s\"}\n", argv[3]);
		int small = 4096;

		/* A tiny receive buffer so the daemon's queue fills up fast. */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
		write_all(fd, req, strlen(req));
		free(req);
		if (argc < 5)
			for (;;)
				pause();
		sleep((unsigned)atoi(argv[4]));
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (poll(&p, 1, 5000) <= 0)
				return 1;	/* still open */
			n = read(fd, chunk, sizeof chunk);
			if (n == 0)
				return 0;	/* dropped */
			if (n < 0)
				return errno == ECONNRESET ? 0 : 1;
		}
	}
	if (strcmp(argv[2], "flood") == 0 && argc > 3) {
		const char req[] = "{\"cmd\":\"list\"}\n";
		char many[sizeof req * 256];
		time_t end = time(NULL) + atoi(argv[3]);
		int small = 4096;

		for (size_t i = 0; i < 256; i++)
			memcpy(many + i * (sizeof req - 1), req, sizeof req - 1);
		signal(SIGPIPE, SIG_IGN);
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		while (time(NULL) < end) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 100) > 0 && (p.revents & (POLLHUP | POLLERR)))
				return 0;
			if (write(fd, many, 256 * (sizeof req - 1)) < 0 &&
			    errno != EAGAIN && errno != EINTR)
				return errno == EPIPE || errno == ECONNRESET ? 0 : 1;
		}
		return 1;
	}
	if (strcmp(argv[2], "send") == 0) {
		int idle = argc > 3 ? atoi(argv[3]) : 500;
		ssize_t n;

		while ((n = read(0, chunk, sizeof chunk)) > 0)
			write_all(fd, chunk, (size_t)n);
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, idle) <= 0)
				break;
			n = read(fd, chunk, sizeof chunk);
			if (n <= 0)
				break;
			fwrite(chunk, 1, (size_t)n, stdout);
		}
		return 0;
	}
	return 2;
}
