/* req-submit.c - "submit": validate a spec and queue its investigation. */
#include "server.h"
#include "dbdriver.h"

#include <stdlib.h>

#include "util.h"

/*
 * A spec is read and parsed on libuv's thread pool, never on the loop:
 * a hostile or merely large spec must not stall every other client. The
 * client's further requests wait meanwhile, so its answers keep their
 * order.
 */
struct submit_work {
	uv_work_t	 req;
	struct client	*c;		/* NULL once the client is gone */
	char		*spec_path;
	char		*out;		/* NULL: beside the spec */
	char		*base_dir;	/* --baseline's folder, or NULL */
	struct spec	*spec;		/* the parse's result ... */
	char		*errors;	/* ... or why not */
};

void
req_submit_detach(struct submit_work *w)
{
	w->c = NULL;
}

static void
parse_work(uv_work_t *req)
{
	struct submit_work *w = req->data;

	/* Only w's own fields: nothing here touches the loop's state. */
	w->spec = spec_parse_file(w->spec_path, &db_driver_spec_kinds, &w->errors);
}

static void
queue(struct client *c, struct submit_work *w)
{
	char *cause = NULL, *id = NULL, *dir = NULL, *outdir;
	cJSON *o;

	/* By default the investigation lives beside the spec. */
	outdir = w->out != NULL ? xstrdup(w->out) : path_dirname(w->spec_path);
	if (sup_submit(c->srv->sup, w->spec, w->spec_path, outdir, w->base_dir, &id,
	    &dir, &cause) != 0) {
		server_error(c, "submit_failed", "%s", cause);
		free(cause);
	} else {
		o = server_ok();
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "dir", dir);
		cJSON_AddNumberToObject(o, "position", sup_position(c->srv->sup, id));
		server_send_json(c, o);
	}
	w->spec = NULL;		/* sup_submit took it, or freed it */
	free(outdir);
	free(id);
	free(dir);
}

static void
parse_done(uv_work_t *req, int status)
{
	struct submit_work *w = req->data;
	struct client *c = w->c;

	(void)status;
	if (c != NULL) {
		c->submitting = NULL;
		if (w->spec == NULL)
			server_error(c, "bad_spec", "%s", w->errors);
		else if (c->srv->stopping)
			server_error(c, "submit_failed", "the daemon is shutting down");
		else
			queue(c, w);
		server_unblock(c);
	}
	spec_free(w->spec);
	free(w->errors);
	free(w->spec_path);
	free(w->out);
	free(w->base_dir);
	free(w);
}

void
req_submit(struct client *c, cJSON *req)
{
	const char *spec_path = server_req_string(c, req, "spec", 1), *out, *base;
	char *cause = NULL, *base_dir = NULL;
	struct submit_work *w;

	if (spec_path == NULL)
		return;
	if (spec_path[0] != '/') {
		server_error(c, "bad_field", "'spec' must be an absolute path");
		return;
	}
	out = server_req_string(c, req, "out", 0);
	if (out == NULL && cJSON_GetObjectItemCaseSensitive(req, "out") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req, "out")))
		return;
	/* Relative to what? The daemon's folder is not the client's. */
	if (out != NULL && out[0] != '/') {
		server_error(c, "bad_field", "'out' must be an absolute folder");
		return;
	}
	base = server_req_string(c, req, "baseline", 0);
	if (base == NULL && cJSON_GetObjectItemCaseSensitive(req, "baseline") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req, "baseline")))
		return;
	if (base != NULL && (base_dir = sup_resolve_baseline(c->srv->store, base,
	    &cause)) == NULL) {
		server_error(c, "unknown_id", "%s", cause);
		free(cause);
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->req.data = w;
	w->c = c;
	w->spec_path = xstrdup(spec_path);
	w->out = out != NULL ? xstrdup(out) : NULL;
	w->base_dir = base_dir;
	if (uv_queue_work(c->srv->loop, &w->req, parse_work, parse_done) != 0) {
		server_error(c, "submit_failed", "cannot queue the spec's parse");
		free(w->spec_path);
		free(w->out);
		free(w->base_dir);
		free(w);
		return;
	}
	c->submitting = w;
	server_block(c);
}
