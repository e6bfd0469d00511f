/* req-status.c - "status" and "list": what investigations there are. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "investigation.h"
#include "spec.h"
#include "util.h"

/* The spec's budget in ms from the investigation folder's spec.json, or 0. */
static int64_t
budget_of(const char *dir)
{
	char *path = path_join(dir, INV_SPEC_FILE), *why = NULL;
	char *text = file_read(path, 1 << 20, NULL, &why);
	cJSON *spec = text != NULL ? cJSON_Parse(text) : NULL;
	const char *b = cJSON_GetStringValue(cJSON_GetObjectItem(spec, "budget"));
	int64_t ms = b != NULL ? spec_parse_duration(b) : 0;

	cJSON_Delete(spec);
	free(text);
	free(why);
	free(path);
	return ms > 0 ? ms : 0;
}

/*
 * A running investigation's time left, about, and what the estimate rests
 * on: the spec's budget, else the slowest agent's progress so far (its
 * elapsed time scaled by what it has left); null when too early to tell.
 */
static void
time_left(struct store *store, cJSON *o)
{
	const cJSON *started = cJSON_GetObjectItem(o, "started_ms");
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
	const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(o, "dir"));
	double elapsed, left;
	int64_t budget;
	int least;
	char from[96];

	if (status == NULL || strcmp(status, "running") != 0 || !cJSON_IsNumber(started))
		return;
	elapsed = (double)now_unix_ms() - started->valuedouble;
	if (dir != NULL && (budget = budget_of(dir)) > 0) {
		left = (double)budget - elapsed;
		snprintf(from, sizeof from, "the spec's budget of %.0f s", (double)budget / 1000);
	} else {
		least = store_least_progress(store, cJSON_GetStringValue(cJSON_GetObjectItem(o,
		    "id")));
		if (least < 5 || least >= 100) {
			cJSON_AddNullToObject(o, "time_left_ms");
			cJSON_AddStringToObject(o, "time_left_from", "too early to tell");
			return;
		}
		left = elapsed * (100 - least) / least;
		snprintf(from, sizeof from, "the slowest agent's progress (%d%%)", least);
	}
	cJSON_AddNumberToObject(o, "time_left_ms", left > 0 ? left : 0);
	cJSON_AddStringToObject(o, "time_left_from", from);
}

/*
 * The investigation as stored, with its place in the queue when the
 * supervisor has it, and its time left while it runs. sup may be NULL
 * (the CLI reading the state alone).
 */
cJSON *
req_status_json(struct store *store, struct sup *sup, const char *id)
{
	cJSON *o = store_get(store, id);

	if (o != NULL)
		time_left(store, o);
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
