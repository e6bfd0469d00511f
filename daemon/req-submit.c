/* req-submit.c - "submit": validate a spec and queue its investigation. */
#include "server.h"

#include <stdlib.h>

#include "util.h"

void
req_submit(struct client *c, cJSON *req)
{
	const char *spec_path = req_string(c, req, "spec", 1), *out, *base;
	char *errors = NULL, *cause = NULL, *id = NULL, *dir = NULL, *outdir;
	char *base_dir = NULL;
	struct spec *spec;
	cJSON *o;

	if (spec_path == NULL)
		return;
	if (spec_path[0] != '/') {
		client_error(c, "bad_field", "'spec' must be an absolute path");
		return;
	}
	out = req_string(c, req, "out", 0);
	if (out == NULL && cJSON_GetObjectItemCaseSensitive(req, "out") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req, "out")))
		return;
	base = req_string(c, req, "baseline", 0);
	if (base == NULL && cJSON_GetObjectItemCaseSensitive(req, "baseline") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req, "baseline")))
		return;
	if (base != NULL && (base_dir = sup_resolve_baseline(c->srv->store, base,
	    &cause)) == NULL) {
		client_error(c, "unknown_id", "%s", cause);
		free(cause);
		return;
	}
	spec = spec_parse_file(spec_path, &errors);
	if (spec == NULL) {
		client_error(c, "bad_spec", "%s", errors);
		free(errors);
		free(base_dir);
		return;
	}
	/* By default the investigation lives beside the spec. */
	outdir = out != NULL ? xstrdup(out) : path_dirname(spec_path);
	if (sup_submit(c->srv->sup, spec, spec_path, outdir, base_dir, &id, &dir,
	    &cause) != 0) {
		client_error(c, "submit_failed", "%s", cause);
		free(cause);
		free(outdir);
		free(base_dir);
		return;
	}
	free(base_dir);
	o = client_ok();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "dir", dir);
	cJSON_AddNumberToObject(o, "position", sup_position(c->srv->sup, id));
	client_send_json(c, o);
	free(outdir);
	free(id);
	free(dir);
}
