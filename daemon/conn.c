/* conn.c - the CLI's side of the control socket (blocking). */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
conn_open(struct conn *c, const char *path, char **cause)
{
	struct sockaddr_un sa;
	int saved;

	memset(c, 0, sizeof *c);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		*cause = xasprintf("socket path too long: %s", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		saved = errno;
		*cause = xasprintf("no perfd daemon on %s (%s): start one with "
		    "'perfd daemon &', or run without one: 'perfd run SPEC'", path,
		    strerror(saved));
		close(c->fd);
		c->fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
}

int
conn_send(struct conn *c, cJSON *req)
{
	char *s;
	size_t n;
	const char *p;

	cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
	s = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	n = strlen(s);
	s = xrealloc(s, n + 2);
	s[n++] = '\n';
	for (p = s; n > 0; ) {
		ssize_t w = write(c->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			free(s);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	free(s);
	return 0;
}

cJSON *
conn_recv(struct conn *c, char **cause)
{
	char chunk[65536], *nl, *line;
	cJSON *o;

	while ((nl = c->in.p != NULL ? memchr(c->in.p, '\n', c->in.len) : NULL) == NULL) {
		ssize_t n = read(c->fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*cause = xstrdup(n == 0 ? "the daemon closed the connection" :
			    strerror(errno));
			return NULL;
		}
		buf_add(&c->in, chunk, (size_t)n);
	}
	line = xstrndup(c->in.p, (size_t)(nl - c->in.p));
	buf_consume(&c->in, (size_t)(nl - c->in.p) + 1);
	o = cJSON_Parse(line);
	if (o == NULL)
		*cause = xasprintf("the daemon sent a line that is not JSON: %.80s", line);
	free(line);
	return o;
}

cJSON *
conn_request(struct conn *c, cJSON *req, char **cause)
{
	if (conn_send(c, req) != 0) {
		*cause = xasprintf("cannot send to the daemon: %s", strerror(errno));
		return NULL;
	}
	return conn_recv(c, cause);
}
