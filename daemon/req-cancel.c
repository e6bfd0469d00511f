/* req-cancel.c - "cancel": stop an investigation's five agents. */
#include "server.h"

#include <stdlib.h>

void
req_cancel(struct client *c, cJSON *req)
{
	const char *id = server_req_string(c, req, "id", 1);
	char *cause = NULL;
	cJSON *o;

	if (id == NULL)
		return;
	if (sup_cancel(c->srv->sup, id, &cause) != 0) {
		server_error(c, "not_active", "%s", cause);
		free(cause);
		return;
	}
	o = server_ok();
	cJSON_AddStringToObject(o, "id", id);
	server_send_json(c, o);
}
