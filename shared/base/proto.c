/* proto.c - the control protocol: JSON lines over a unix stream socket. */
#include "proto.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
proto_line_feed(struct linebuf *lb, const char *data, size_t n,
    void (*line)(void *, char *), void (*toolong)(void *), void *arg)
{
	if (n == 0)
		return;
	if (lb->paused) {
		buf_add(&lb->held, data, n);
		return;
	}
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - data) : n;

		if (lb->discarding) {
			if (nl != NULL)
				lb->discarding = 0;
		} else if (lb->b.len + take > lb->max) {
			buf_consume(&lb->b, lb->b.len);
			toolong(arg);
			lb->discarding = nl == NULL;
		} else {
			buf_add(&lb->b, data, take);
			if (nl != NULL) {
				char *text = xstrndup(lb->b.p, lb->b.len);

				lb->nul = memchr(lb->b.p, '\0', lb->b.len) != NULL;
				buf_consume(&lb->b, lb->b.len);
				line(arg, text);
				free(text);
			}
		}
		if (nl == NULL)
			break;
		n -= take + 1;
		data += take + 1;
		if (lb->paused) {
			buf_add(&lb->held, data, n);
			return;
		}
	}
}

void
proto_line_pause(struct linebuf *lb)
{
	lb->paused = 1;
}

void
proto_line_resume(struct linebuf *lb, void (*line)(void *, char *),
    void (*toolong)(void *), void *arg)
{
	struct buf held = lb->held;

	/* Fed again from a copy: a pause on the way holds the rest anew. */
	memset(&lb->held, 0, sizeof lb->held);
	lb->paused = 0;
	proto_line_feed(lb, held.p, held.len, line, toolong, arg);
	buf_free(&held);
}

void
proto_line_free(struct linebuf *lb)
{
	buf_free(&lb->b);
	buf_free(&lb->held);
}

char *
proto_error(const char *code, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject(), *e;
	va_list ap;
	char *msg, *s;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddNumberToObject(o, "v", PROTO_VERSION);
	cJSON_AddFalseToObject(o, "ok");
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(msg);
	return s;
}

cJSON *
proto_request(const char *line, int has_nul, const char **code, char **msg)
{
	cJSON *req, *v, *cmd;

	*msg = NULL;
	if (has_nul) {
		*code = "bad_json";
		*msg = xstrdup("a NUL byte inside the line: a request is one JSON object "
		    "per line, in UTF-8 text");
		return NULL;
	}
	/* The whole line is the object: nothing may follow it. */
	req = cJSON_ParseWithOpts(line, NULL, 1);
	if (req == NULL || !cJSON_IsObject(req)) {
		*code = "bad_json";
		*msg = xstrdup("a request is one JSON object per line (and nothing after it)");
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(req, "v");
	if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble != PROTO_VERSION)) {
		*code = "unsupported_version";
		*msg = xasprintf("this daemon speaks protocol version %d", PROTO_VERSION);
		goto fail;
	}
	cmd = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	if (!cJSON_IsString(cmd)) {
		*code = "missing_field";
		*msg = xstrdup("'cmd' is required (a string)");
		goto fail;
	}
	return req;
fail:
	cJSON_Delete(req);
	return NULL;
}
