/* req-ping.c - "ping": is the daemon there, and which version is it. */
#include "server.h"

#include <unistd.h>

void
req_ping(struct client *c, cJSON *req)
{
	cJSON *o = server_ok();

	(void)req;
	cJSON_AddTrueToObject(o, "pong");
	cJSON_AddStringToObject(o, "version", PERFD_VERSION);
	cJSON_AddNumberToObject(o, "protocol", PROTO_VERSION);
	cJSON_AddNumberToObject(o, "pid", getpid());
	server_send_json(c, o);
}
