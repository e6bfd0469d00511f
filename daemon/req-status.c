/* req-status.c - "status" and "list": what investigations there are. */
#include "server.h"

#include <string.h>

#include "util.h"

/*
 * The investigation as stored, with its place in the queue when the
 * supervisor has it. sup may be NULL (the CLI reading the state alone).
 */
cJSON *
req_status_json(struct store *store, struct sup *sup, const char *id)
{
	cJSON *o = store_get(store, id);

	if (o != NULL && sup != NULL) {
		int pos = sup_position(sup, id);

		if (pos > 0)
			cJSON_AddNumberToObject(o, "queue_position", pos);
	}
	return o;
}

void
req_status(struct client *c, cJSON *req)
{
	const char *id = server_req_string(c, req, "id", 0);
	cJSON *o, *inv, *list, *item, *next;

	if (id == NULL && cJSON_GetObjectItemCaseSensitive(req, "id") != NULL)
		return;
	o = server_ok();
	if (id != NULL) {
		inv = req_status_json(c->srv->store, c->srv->sup, id);
		if (inv == NULL) {
			cJSON_Delete(o);
			server_error(c, "unknown_id", "no investigation %s", id);
			return;
		}
		cJSON_AddItemToObject(o, "investigation", inv);
		server_send_json(c, o);
		return;
	}
	/* Without an ID: the investigations running or queued here. */
	list = store_list(c->srv->store, 1000);
	for (item = list->child; item != NULL; item = next) {
		const char *iid = cJSON_GetStringValue(cJSON_GetObjectItem(item, "id"));
		int pos = iid != NULL ? sup_position(c->srv->sup, iid) : -1;

		next = item->next;
		if (pos < 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(list, item));
		else if (pos > 0)
			cJSON_AddNumberToObject(item, "queue_position", pos);
	}
	cJSON_AddItemToObject(o, "investigations", list);
	server_send_json(c, o);
}

void
req_list(struct client *c, cJSON *req)
{
	cJSON *o = server_ok(), *lim = cJSON_GetObjectItemCaseSensitive(req, "limit");
	int limit = 50;

	if (lim != NULL) {
		if (!cJSON_IsNumber(lim) || lim->valueint < 1) {
			cJSON_Delete(o);
			server_error(c, "bad_field", "'limit' must be a number >= 1");
			return;
		}
		limit = lim->valueint;
	}
	cJSON_AddItemToObject(o, "investigations", store_list(c->srv->store, limit));
	server_send_json(c, o);
}
