/* req-cancel.c - "cancel": stop an investigation's five agents. */
#include "server.h"

#include <stdlib.h>

void
req_cancel(struct client *c, cJSON *req)
{
	const char *id = req_string(c, req, "id", 1);
	char *cause = NULL;
	cJSON *o;

	if (id == NULL)
		return;
	if (sup_cancel(c->srv->sup, id, &cause) != 0) {
		client_error(c, "not_active", "%s", cause);
		free(cause);
		return;
	}
	o = client_ok();
	cJSON_AddStringToObject(o, "id", id);
	client_send_json(c, o);
}
