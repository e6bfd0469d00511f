/* proto.c - the control protocol: JSON lines over a unix stream socket. */
#include "proto.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
linebuf_feed(struct linebuf *lb, const char *data, size_t n,
    void (*line)(void *, char *), void (*toolong)(void *), void *arg)
{
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

				buf_consume(&lb->b, lb->b.len);
				line(arg, text);
				free(text);
			}
		}
		if (nl == NULL)
			break;
		n -= take + 1;
		data += take + 1;
	}
}

void
linebuf_free(struct linebuf *lb)
{
	buf_free(&lb->b);
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
