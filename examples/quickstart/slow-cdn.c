/* slow-cdn.c - a loopback HTTP server that behaves like a distant CDN edge.
 *
 * Serves files under --root on 127.0.0.1 only, with a fixed delay before
 * the first byte of each response (--latency-ms) and a per-connection
 * rate cap (--rate bytes/s), so one transfer is slow and several at once
 * are not: the shape of a real download over a long link. Exits on its
 * own after --idle-exit seconds without a connection. One process per
 * connection; the parent only accepts.
 *
 * usage: slow-cdn --root DIR --port N [--latency-ms 120] [--rate 4000000]
 *                 [--idle-exit 30] [--pidfile FILE]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *root = ".";
static const char *pidfile;

static void
on_term(int sig)
{
	if (pidfile != NULL)
		unlink(pidfile);
	_exit(128 + sig);
}
static long latency_ms = 120, rate = 4000000;

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
reply(int fd, const char *status)
{
	dprintf(fd, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
}

/* One request on fd, then close. */
static void
serve(int fd)
{
	char req[4096], path[4096], *sp;
	ssize_t n = 0, got;
	struct stat st;
	int file;
	static char chunk[65536];

	while (n < (ssize_t)sizeof req - 1 && (got = read(fd, req + n, sizeof req - 1 - (size_t)n)) > 0) {
		n += got;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	if (n <= 0 || strncmp(req, "GET /", 5) != 0 || (sp = strchr(req + 4, ' ')) == NULL) {
		reply(fd, "400 Bad Request");
		return;
	}
	*sp = '\0';
	if (strstr(req + 4, "..") != NULL) {
		reply(fd, "403 Forbidden");
		return;
	}
	snprintf(path, sizeof path, "%s%s", root, req + 4);
	file = open(path, O_RDONLY);
	if (file < 0 || fstat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		reply(fd, "404 Not Found");
		return;
	}
	sleep_ms(latency_ms);	/* the long way to the edge and back */
	dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Length: %lld\r\nConnection: close\r\n\r\n", (long long)st.st_size);
	while ((n = read(file, chunk, sizeof chunk)) > 0) {
		if (write(fd, chunk, (size_t)n) != n)
			break;
		if (rate > 0)
			sleep_ms(n * 1000 / rate);
	}
	close(file);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int port = 18931, idle = 30, one = 1, lfd;
	FILE *f;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--root") == 0)
			root = argv[i + 1];
		else if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--latency-ms") == 0)
			latency_ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--rate") == 0)
			rate = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--idle-exit") == 0)
			idle = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--pidfile") == 0)
			pidfile = argv[i + 1];
		else {
			fprintf(stderr, "slow-cdn: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	signal(SIGCHLD, SIG_IGN);	/* children are reaped by the kernel */
	signal(SIGTERM, on_term);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);	/* loopback only */
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 64) != 0) {
		fprintf(stderr, "slow-cdn: 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	if (pidfile != NULL && (f = fopen(pidfile, "w")) != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int c;

		if (poll(&p, 1, idle * 1000) == 0)
			break;	/* nobody came for a while: done */
		c = accept(lfd, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			signal(SIGTERM, SIG_DFL);
			close(lfd);
			serve(c);
			close(c);
			_exit(0);
		}
		close(c);
	}
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}
