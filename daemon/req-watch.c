/* req-watch.c - "watch": stream an investigation's events, past then live. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
replay(void *arg, const char *body)
{
	client_send_line(arg, body);
}

void
req_watch(struct client *c, cJSON *req)
{
	const char *id = req_string(c, req, "id", 1);
	cJSON *since = cJSON_GetObjectItemCaseSensitive(req, "since"), *inv, *o;
	double after = 0;

	if (id == NULL)
		return;
	if (since != NULL && (!cJSON_IsNumber(since) || since->valuedouble < 0)) {
		client_error(c, "bad_field", "'since' must be a sequence number >= 0");
		return;
	}
	if (since != NULL)
		after = since->valuedouble;
	inv = store_get(c->srv->store, id);
	if (inv == NULL) {
		client_error(c, "unknown_id", "no investigation %s", id);
		return;
	}
	o = client_ok();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddItemToObject(o, "status", cJSON_Duplicate(cJSON_GetObjectItem(inv,
	    "status"), 1));
	client_send_json(c, o);
	/*
	 * The loop is single-threaded: nothing is broadcast between the
	 * replay and the subscription, so no event is lost or sent twice.
	 */
	store_each_event(c->srv->store, id, (int64_t)after, replay, c);
	if (sup_position(c->srv->sup, id) >= 0) {
		free(c->watch_id);
		c->watch_id = xstrdup(id);
	} else {
		/* Not active here (ended, or interrupted by a crash): say so. */
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "v", PROTO_VERSION);
		cJSON_AddStringToObject(e, "event", "investigation");
		cJSON_AddStringToObject(e, "investigation", id);
		cJSON_AddStringToObject(e, "state", "finished");
		cJSON_AddItemToObject(e, "status", cJSON_Duplicate(cJSON_GetObjectItem(inv,
		    "status"), 1));
		cJSON_AddTrueToObject(e, "replayed");
		client_send_json(c, e);
	}
	cJSON_Delete(inv);
}
