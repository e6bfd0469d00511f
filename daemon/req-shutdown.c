/* req-shutdown.c - "shutdown": cancel everything and stop the daemon. */
#include "server.h"

void
req_shutdown(struct client *c, cJSON *req)
{
	(void)req;
	client_send_json(c, client_ok());
	server_stop(c->srv);
}
