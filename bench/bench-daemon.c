/* bench-daemon.c - the daemon's own costs, against its goals.
 *
 * usage: bench-daemon BUILD_DIR
 * Starts a private daemon (test-double agents), then measures:
 *   submit -> all five agents running (median, p95)   goal < 10 ms
 *   ping round trip (p50, p99)                        goal < 1 ms
 *   the same while another client submits hostile specs goal < 1 ms
 *   events per second delivered to 16 watchers        goal > 100,000/s
 *   idle RSS of the daemon                            goal < 8 MB
 * A benchmark, not a test: it prints figures and never fails on them.
 */
#include "stats.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PINGS		5000
#define SUBMITS		30
#define WATCHERS	16
#define SPAM_EVENTS	200000

static char sock[100], tmp[64], spec[128];

static int
dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
send_line(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n)
		fatal("write: %s", strerror(errno));
}

/* Read one line (blocking) into buf; returns its length or -1. */
static int
read_line(int fd, struct buf *in, char *out, size_t max)
{
	char chunk[65536], *nl;
	ssize_t n;

	while ((nl = in->p ? memchr(in->p, '\n', in->len) : NULL) == NULL) {
		n = read(fd, chunk, sizeof chunk);
		if (n <= 0)
			return -1;
		buf_add(in, chunk, (size_t)n);
	}
	n = nl - in->p;
	snprintf(out, max, "%.*s", (int)n, in->p);
	buf_consume(in, (size_t)n + 1);
	return (int)n;
}

/* others: the test double's mode for the four other agents. */
static pid_t
start_daemon(const char *build, const char *fake_profiling, const char *others)
{
	char *perfd = xasprintf("%s/perfd", build);
	char *state = xasprintf("%s/state", tmp);
	pid_t pid = fork();

	if (pid == 0) {
		setenv("PERFD_AGENT", xasprintf("%s/tests/fake-agent", build), 1);
		setenv("FAKE_REAL_AGENT", xasprintf("%s/perfd-agent", build), 1);
		setenv("PERFD_LOCK", xasprintf("%s/lock", tmp), 1);
		setenv("FAKE_PROFILING", fake_profiling, 1);
		setenv("FAKE_DB_CONFIG", others, 1);
		setenv("FAKE_CLIENT_LIBRARY", others, 1);
		setenv("FAKE_BATCH_SIZE", others, 1);
		if (strcmp(others, "ok") != 0)	/* ok: the real integration */
			setenv("FAKE_INTEGRATION", others, 1);
		freopen("/dev/null", "w", stderr);
		execl(perfd, perfd, "daemon", "--socket", sock, "--state", state, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int fd = dial();

		if (fd >= 0) {
			close(fd);
			break;
		}
		usleep(10000);
	}
	free(perfd);
	free(state);
	return pid;
}

static void
stop_daemon(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static long
rss_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = atol(line + strlen(field) + 1);
	if (f != NULL)
		fclose(f);
	return v;
}

/* Submit the bench spec on fd and read the new investigation's ID. */
static void
submit(int fd, struct buf *in, char *id, size_t idlen)
{
	char line[65536], *req = xasprintf("{\"cmd\":\"submit\",\"spec\":\"%s\"}\n", spec);
	cJSON *o;

	send_line(fd, req);
	free(req);
	read_line(fd, in, line, sizeof line);
	o = cJSON_Parse(line);
	snprintf(id, idlen, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "id")));
	cJSON_Delete(o);
}

/* PINGS round trips on a fresh connection, sorted, in ms (caller frees). */
static double *
ping_series(void)
{
	double *x = xcalloc(PINGS, sizeof *x);
	struct buf in = { 0 };
	char line[4096];
	int fd = dial();

	for (int i = 0; i < PINGS; i++) {
		uint64_t t = now_ns();

		send_line(fd, "{\"cmd\":\"ping\"}\n");
		read_line(fd, &in, line, sizeof line);
		x[i] = (double)(now_ns() - t) / 1e6;
	}
	close(fd);
	buf_free(&in);
	stats_sort(x, PINGS);
	return x;
}

static void
bench_ping(void)
{
	double *x = ping_series();

	printf("ping round trip:                 p50 %.3f ms, p99 %.3f ms (%d pings; goal "
	    "< 1 ms)\n", stats_percentile_sorted(x, PINGS, 50),
	    stats_percentile_sorted(x, PINGS, 99), PINGS);
	free(x);
}

/*
 * Ping while another client submits, in a loop, the costliest spec the
 * parser still reads to the end (about 1 MiB: 9,900 unknown keys, just
 * under the cap on keys and values) and one nested 500,000 levels deep.
 * The daemon parses on its thread pool, so the loop answers meanwhile.
 */
static void
bench_ping_hostile(void)
{
	char *keys = xasprintf("%s/keys.yaml", tmp), *deep = xasprintf("%s/deep.yaml", tmp);
	double *x;
	char line[65536];
	int submits = 0, pfd[2];
	FILE *f;
	pid_t kid;

	f = fopen(keys, "w");
	fprintf(f, "version: 1\nname: hostile\npipeline:\n  stages:\n"
	    "    - {name: a, run: 'true'}\n");
	for (int i = 0; i < 9900; i++)
		fprintf(f, "key_number_%06d: %0*d\n", i, 80, i);
	fclose(f);
	f = fopen(deep, "w");
	fprintf(f, "version: 1\nname: hostile\ndescription: ");
	for (int i = 0; i < 500000; i++)
		fputc('[', f);
	for (int i = 0; i < 500000; i++)
		fputc(']', f);
	fputc('\n', f);
	fclose(f);
	if (pipe(pfd) != 0)
		fatal("pipe: %s", strerror(errno));
	kid = fork();
	if (kid == 0) {
		char *req[2];
		struct buf kin = { 0 };
		int k = dial(), n = 0;

		req[0] = xasprintf("{\"cmd\":\"submit\",\"spec\":\"%s\"}\n", keys);
		req[1] = xasprintf("{\"cmd\":\"submit\",\"spec\":\"%s\"}\n", deep);
		close(pfd[0]);
		for (;;) {
			send_line(k, req[n % 2]);
			if (read_line(k, &kin, line, sizeof line) < 0)
				_exit(0);
			if (write(pfd[1], "s", 1) != 1)
				_exit(0);
			n++;
		}
	}
	close(pfd[1]);
	usleep(100000);
	x = ping_series();
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	/* One byte per answered submit. */
	for (ssize_t n; (n = read(pfd[0], line, sizeof line)) > 0; )
		submits += (int)n;
	close(pfd[0]);
	printf("ping during hostile submits:     p50 %.3f ms, p99 %.3f ms (%d pings "
	    "while %d 1 MiB specs were parsed; goal < 1 ms)\n",
	    stats_percentile_sorted(x, PINGS, 50), stats_percentile_sorted(x, PINGS, 99),
	    PINGS, submits);
	free(x);
	free(keys);
	free(deep);
}

/* submit, then read the watch stream until five "started" events. */
static void
bench_submit(void)
{
	double x[SUBMITS];
	struct stats st;

	for (int i = 0; i < SUBMITS; i++) {
		struct buf in = { 0 };
		char line[65536], id[128] = "", *req;
		int fd = dial(), started = 0;
		uint64_t t = now_ns();

		submit(fd, &in, id, sizeof id);
		req = xasprintf("{\"cmd\":\"watch\",\"id\":\"%s\"}\n", id);
		send_line(fd, req);
		free(req);
		while (started < 5 && read_line(fd, &in, line, sizeof line) >= 0)
			started += strstr(line, "\"state\":\"started\"") != NULL;
		x[i] = (double)(now_ns() - t) / 1e6;
		req = xasprintf("{\"cmd\":\"cancel\",\"id\":\"%s\"}\n", id);
		send_line(fd, req);
		free(req);
		while (read_line(fd, &in, line, sizeof line) >= 0 &&
		    strstr(line, "\"state\":\"finished\"") == NULL)
			;
		close(fd);
		buf_free(&in);
	}
	stats_compute(x, SUBMITS, &st);
	printf("submit -> all five agents running: median %.2f ms, p95 %.2f ms (%d "
	    "submissions; goal < 10 ms)\n", st.median, st.p95, SUBMITS);
}

/* 16 watchers of one investigation whose agent sends SPAM_EVENTS events. */
static void
bench_fanout(void)
{
	struct pollfd pfd[WATCHERS];
	long lines[WATCHERS] = { 0 };
	int done[WATCHERS] = { 0 }, ndone = 0, fd = dial();
	struct buf in = { 0 };
	char id[128], *req, chunk[1 << 16];
	uint64_t t0, t1;
	long total = 0;

	submit(fd, &in, id, sizeof id);
	close(fd);
	req = xasprintf("{\"cmd\":\"watch\",\"id\":\"%s\"}\n", id);
	t0 = now_ns();
	for (int i = 0; i < WATCHERS; i++) {
		pfd[i].fd = dial();
		pfd[i].events = POLLIN;
		send_line(pfd[i].fd, req);
	}
	free(req);
	/* Count lines; a watcher is done at the investigation's last event. */
	while (ndone < WATCHERS) {
		if (poll(pfd, WATCHERS, 60000) <= 0)
			break;
		for (int i = 0; i < WATCHERS; i++) {
			ssize_t n;

			if (done[i] || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pfd[i].fd, chunk, sizeof chunk);
			if (n <= 0) {
				done[i] = 1;
				ndone++;
				continue;
			}
			for (ssize_t k = 0; k < n; k++)
				lines[i] += chunk[k] == '\n';
			if (memmem(chunk, (size_t)n, "\"state\":\"finished\"", 18) != NULL) {
				done[i] = 1;
				ndone++;
			}
		}
	}
	t1 = now_ns();
	for (int i = 0; i < WATCHERS; i++) {
		total += lines[i];
		close(pfd[i].fd);
	}
	printf("events delivered to %d watchers:  %.0f events/s per watcher, %.0f "
	    "deliveries/s in all (%ld events each, incl. storing each in SQLite; "
	    "goal > 100,000/s)\n", WATCHERS, (double)total / WATCHERS /
	    ((double)(t1 - t0) / 1e9), (double)total / ((double)(t1 - t0) / 1e9),
	    total / WATCHERS);
	buf_free(&in);
}

int
main(int argc, char **argv)
{
	pid_t d;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-daemon BUILD_DIR\n");
		return 2;
	}
	snprintf(tmp, sizeof tmp, "/tmp/perfd-bench-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	chmod(tmp, 0700);
	snprintf(sock, sizeof sock, "%s/perfd.sock", tmp);
	snprintf(spec, sizeof spec, "%s/spec.yaml", tmp);
	f = fopen(spec, "w");
	fprintf(f, "version: 1\nname: bench\npipeline:\n  stages:\n"
	    "    - {name: a, run: 'true'}\nagents:\n  timeout: 10m\n");
	fclose(f);
	setvbuf(stdout, NULL, _IOLBF, 0);
	d = start_daemon(argv[1], "hang", "hang");
	usleep(200000);
	printf("daemon idle RSS:                 %ld kB (goal < 8 MB)\n", rss_kb(d, "VmRSS:"));
	bench_ping();
	bench_ping_hostile();
	bench_submit();
	stop_daemon(d);
	{
		char *spam = xasprintf("spam:%d", SPAM_EVENTS);

		d = start_daemon(argv[1], spam, "ok");
		free(spam);
	}
	bench_fanout();
	printf("daemon RSS after the fan-out:    %ld kB (peak %ld kB)\n", rss_kb(d, "VmRSS:"),
	    rss_kb(d, "VmHWM:"));
	stop_daemon(d);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);

		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
		free(cmd);
	}
	return 0;
}
