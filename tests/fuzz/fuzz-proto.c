/* fuzz-proto.c - AFL++ harness for the daemon's request line handler.
 *
 * The input is a byte stream as a client would send it: split into lines
 * by the daemon's line buffer (with its length cap, lowered here so long
 * lines are reached), each line through proto_request(), and every error
 * answer checked as the daemon would send it — one JSON object, valid
 * UTF-8. Built without AFL, it replays the files named on its command line
 * (tests/fuzz/proto-crashes/).
 */
#include "harness.h"
#include "proto.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct linebuf lb = { .max = 4096 };

/* The answer the daemon would send for an error must itself be clean. */
static void
check_answer(const char *code, const char *msg)
{
	char *clean = utf8_escape(msg), *line = proto_error(code, "%s", clean);
	char *again = utf8_escape(line);
	cJSON *o = cJSON_ParseWithOpts(line, NULL, 1);

	if (o == NULL || strcmp(again, line) != 0 || strchr(line, '\n') != NULL)
		abort();
	cJSON_Delete(o);
	free(again);
	free(line);
	free(clean);
}

static void
on_line(void *arg, char *text)
{
	const char *code;
	char *msg = NULL;
	cJSON *req;

	(void)arg;
	req = proto_request(text, lb.nul, &code, &msg);
	if (req == NULL) {
		check_answer(code, msg);
		free(msg);
		return;
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(req, "cmd")))
		abort();
	/* An unknown command is echoed, cut to 64 bytes, as the daemon does. */
	msg = xasprintf("unknown command '%.64s'", cJSON_GetObjectItemCaseSensitive(req,
	    "cmd")->valuestring);
	check_answer("unknown_command", msg);
	free(msg);
	cJSON_Delete(req);
}

static void
on_toolong(void *arg)
{
	(void)arg;
}

static void
fuzz_one(const char *data, size_t len)
{
	/* Fed in two parts, as reads split a stream anywhere. */
	size_t half = len / 2;

	proto_line_feed(&lb, data, half, on_line, on_toolong, NULL);
	proto_line_feed(&lb, data + half, len - half, on_line, on_toolong, NULL);
	proto_line_free(&lb);
	memset(&lb, 0, sizeof lb);
	lb.max = 4096;
}
