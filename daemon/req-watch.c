/* req-watch.c - "watch": stream an investigation's events, past then live. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
req_watch(struct client *c, cJSON *req)
{
	const char *id = server_req_string(c, req, "id", 1);
	cJSON *since = cJSON_GetObjectItemCaseSensitive(req, "since"), *inv, *o;

	if (id == NULL)
		return;
	if (since != NULL && (!cJSON_IsNumber(since) || since->valuedouble < 0)) {
		server_error(c, "bad_field", "'since' must be a sequence number >= 0");
		return;
	}
	inv = store_get(c->srv->store, id);
	if (inv == NULL) {
		server_error(c, "unknown_id", "no investigation %s", id);
		return;
	}
	o = server_ok();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddItemToObject(o, "status", cJSON_Duplicate(cJSON_GetObjectItem(inv,
	    "status"), 1));
	server_send_json(c, o);
	cJSON_Delete(inv);
	server_watch(c, id, since != NULL ? (int64_t)since->valuedouble : 0);
}
