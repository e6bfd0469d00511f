/* conn.h - the CLI's side of the control socket (blocking). */
#ifndef PERFD_CONN_H
#define PERFD_CONN_H

#include <cjson/cJSON.h>

#include "proto.h"

struct conn {
	int		fd;
	struct buf	in;
};

/* Connect; -1 with *cause (errno kept: ENOENT/ECONNREFUSED = no daemon). */
int conn_open(struct conn *, const char *socket_path, char **cause);
void conn_close(struct conn *);
/* Send a request (takes req; "v" is added). */
int conn_send(struct conn *, cJSON *req);
/* The next line as JSON; NULL at EOF or on error, with *cause. */
cJSON *conn_recv(struct conn *, char **cause);
/* One request, one response. */
cJSON *conn_request(struct conn *, cJSON *req, char **cause);

#endif
