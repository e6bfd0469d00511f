/* req-shutdown.c - "shutdown": cancel everything and stop the daemon. */
#include "server.h"

void
req_shutdown(struct client *c, cJSON *req)
{
	(void)req;
	server_send_json(c, server_ok());
	server_stop(c->srv);
}
