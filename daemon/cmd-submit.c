/* cmd-submit.c - the commands that talk to the daemon: submit, watch, cancel. */
#include "cli.h"
#include "conn.h"
#include "paths.h"
#include "ui.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Connect to the daemon; EXIT_OK or the exit code, after saying why. */
static int
open_daemon(struct cli *cli, struct conn *c)
{
	char *cause = NULL, *path = paths_socket(cli->socket, &cause);

	if (path == NULL || conn_open(c, path, &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		free(path);
		return EXIT_NODAEMON;
	}
	free(path);
	return EXIT_OK;
}

/* Say what an error response holds; the exit code it means. */
static int
report_error(cJSON *resp)
{
	cJSON *e = cJSON_GetObjectItem(resp, "error");
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(e, "code"));
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));
	size_t n;

	if (msg == NULL)
		msg = "the daemon refused the request";
	n = strlen(msg);
	fprintf(stderr, "perfd: %s%s", msg, n > 0 && msg[n - 1] == '\n' ? "" : "\n");
	if (code != NULL && (strcmp(code, "bad_spec") == 0 ||
	    strcmp(code, "unknown_id") == 0 || strcmp(code, "not_active") == 0 ||
	    strcmp(code, "bad_field") == 0))
		return EXIT_USAGE;
	return EXIT_INTERNAL;
}

int
cli_follow(struct cli *cli, struct conn *c, const char *id)
{
	cJSON *req = cJSON_CreateObject(), *resp, *ev;
	char *cause = NULL, *report = NULL, *status = NULL;
	int live = !cli->json && isatty(STDOUT_FILENO), rc;
	struct ui *ui;

	cJSON_AddStringToObject(req, "cmd", "watch");
	cJSON_AddStringToObject(req, "id", id);
	resp = conn_request(c, req, &cause);
	if (resp == NULL || !cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok"))) {
		rc = resp != NULL ? report_error(resp) : EXIT_INTERNAL;
		if (resp == NULL)
			fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		cJSON_Delete(resp);
		return rc;
	}
	cJSON_Delete(resp);
	ui = ui_new(stdout, live);
	for (;;) {
		char *line;
		int ended;

		ev = conn_recv(c, &cause);
		if (ev == NULL) {
			fprintf(stderr, "perfd: %s\n", cause);
			free(cause);
			rc = EXIT_INTERNAL;
			goto out;
		}
		if (cJSON_IsFalse(cJSON_GetObjectItem(ev, "ok"))) {
			rc = report_error(ev);
			cJSON_Delete(ev);
			goto out;
		}
		line = cJSON_PrintUnformatted(ev);
		ended = ui_event(ui, line);
		free(line);
		if (ended) {
			status = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "status")) ?
			    cJSON_GetStringValue(cJSON_GetObjectItem(ev, "status")) : "failed");
			if (cJSON_GetStringValue(cJSON_GetObjectItem(ev, "report")) != NULL)
				report = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(ev,
				    "report")));
			cJSON_Delete(ev);
			break;
		}
		cJSON_Delete(ev);
	}
	rc = cli_status_exit(status);
	if (!cli->json && !live)
		;	/* JSON lines already carry the report path */
	else if (!cli->json)
		printf("%s %s%s%s\n", id, status, report ? ": " : "", report ? report : "");
out:
	ui_free(ui);
	free(report);
	free(status);
	return rc;
}

int
cmd_submit(struct cli *cli)
{
	struct conn c;
	cJSON *req, *resp;
	char *cause = NULL, *spec = path_absolute(NULL, cli->argv[0]), *out = NULL;
	const char *id;
	int rc;

	if (access(spec, R_OK) != 0) {
		fprintf(stderr, "perfd: cannot read %s\n", cli->argv[0]);
		free(spec);
		return EXIT_USAGE;
	}
	if ((rc = open_daemon(cli, &c)) != EXIT_OK) {
		free(spec);
		return rc;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "submit");
	cJSON_AddStringToObject(req, "spec", spec);
	if (cli->out != NULL) {
		out = path_absolute(NULL, cli->out);
		cJSON_AddStringToObject(req, "out", out);
	}
	resp = conn_request(&c, req, &cause);
	if (resp == NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		rc = EXIT_INTERNAL;
	} else if (!cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok")))
		rc = report_error(resp);
	else {
		id = cJSON_GetStringValue(cJSON_GetObjectItem(resp, "id"));
		if (cli->json) {
			char *s = cJSON_PrintUnformatted(resp);

			printf("%s\n", s);
			free(s);
		} else
			printf("%s\n", id);
		fflush(stdout);
		rc = cli->wait ? cli_follow(cli, &c, id) : EXIT_OK;
	}
	cJSON_Delete(resp);
	conn_close(&c);
	free(cause);
	free(spec);
	free(out);
	return rc;
}

int
cmd_watch(struct cli *cli)
{
	struct conn c;
	int rc = open_daemon(cli, &c);

	if (rc != EXIT_OK)
		return rc;
	rc = cli_follow(cli, &c, cli->argv[0]);
	conn_close(&c);
	return rc;
}

int
cmd_cancel(struct cli *cli)
{
	struct conn c;
	cJSON *req, *resp;
	char *cause = NULL;
	int rc = open_daemon(cli, &c);

	if (rc != EXIT_OK)
		return rc;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "cancel");
	cJSON_AddStringToObject(req, "id", cli->argv[0]);
	resp = conn_request(&c, req, &cause);
	if (resp == NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		rc = EXIT_INTERNAL;
	} else if (!cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok")))
		rc = report_error(resp);
	else
		printf("cancelling %s\n", cli->argv[0]);
	cJSON_Delete(resp);
	free(cause);
	conn_close(&c);
	return rc;
}
