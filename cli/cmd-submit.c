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

/*
 * Send req (taken) and read the answer into *resp (caller deletes; NULL
 * when none came): EXIT_OK when it says ok, else the exit code, said.
 */
static int
ask(struct conn *c, cJSON *req, cJSON **resp)
{
	char *cause = NULL;
	int rc = EXIT_OK;

	*resp = conn_request(c, req, &cause);
	if (*resp == NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		rc = EXIT_INTERNAL;
	} else if (!cJSON_IsTrue(cJSON_GetObjectItem(*resp, "ok")))
		rc = report_error(*resp);
	free(cause);
	return rc;
}

/* Send "watch" from after seq; 0, or the exit code after saying why. */
static int
start_watch(struct conn *c, const char *id, double after)
{
	cJSON *req = cJSON_CreateObject(), *resp;
	int rc;

	cJSON_AddStringToObject(req, "cmd", "watch");
	cJSON_AddStringToObject(req, "id", id);
	if (after > 0)
		cJSON_AddNumberToObject(req, "since", after);
	rc = ask(c, req, &resp);
	cJSON_Delete(resp);
	return rc;
}

/*
 * Follow the events to the end. The daemon waits for a watcher that reads
 * slowly and drops one that has read nothing for a while (slow_watcher),
 * or the connection may break; the events are all in its database, so we
 * reconnect and go on from the last sequence number we saw.
 */
/* Whether the connection is gone: nothing read, or dropped as a slow watcher. */
static int
watch_lost(const cJSON *ev)
{
	const char *code = ev != NULL ? cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(ev, "error"), "code")) : NULL;

	return ev == NULL || (code != NULL && strcmp(code, "slow_watcher") == 0);
}

/*
 * Show event ev; when it ends the investigation, its status and report
 * into *status and *report and 1; else 0. *last: its sequence number.
 */
static int
follow_event(struct ui *ui, cJSON *ev, double *last, char **status, char **report)
{
	cJSON *seq = cJSON_GetObjectItem(ev, "seq");
	char *line = cJSON_PrintUnformatted(ev);
	int end = ui_event(ui, line);

	if (cJSON_IsNumber(seq))
		*last = seq->valuedouble;
	if (end) {
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "status"));
		const char *rp = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "report"));

		*status = xstrdup(st != NULL ? st : "failed");
		*report = rp != NULL ? xstrdup(rp) : NULL;
	}
	free(line);
	return end;
}

int
cli_follow(struct cli *cli, struct conn *c, const char *id)
{
	char *cause = NULL, *report = NULL, *status = NULL;
	int live = !cli->json && isatty(STDOUT_FILENO), rc, resumes = 0, end = 0;
	double last = 0;
	struct ui *ui;
	cJSON *ev;

	if ((rc = start_watch(c, id, 0)) != EXIT_OK)
		return rc;
	ui = ui_new(stdout, live);
	while (!end) {
		ev = conn_recv(c, &cause);
		if (watch_lost(ev)) {
			cJSON_Delete(ev);
			conn_close(c);
			/* Reconnect only while the daemon answers, and not forever. */
			if (++resumes > 1000 || open_daemon(cli, c) != EXIT_OK ||
			    start_watch(c, id, last) != EXIT_OK) {
				fprintf(stderr, "perfd: lost the daemon: %s\n",
				    cause ? cause : "dropped");
				rc = EXIT_INTERNAL;
				goto out;
			}
			free(cause);
			cause = NULL;
			continue;
		}
		if (cJSON_IsFalse(cJSON_GetObjectItem(ev, "ok"))) {
			rc = report_error(ev);
			cJSON_Delete(ev);
			goto out;
		}
		end = follow_event(ui, ev, &last, &status, &report);
		cJSON_Delete(ev);
	}
	rc = cli_status_exit(status);
	/* On a terminal, end with the outcome; JSON lines already carry it. */
	if (live)
		printf("%s %s%s%s\n", id, status, report ? ": " : "", report ? report : "");
out:
	free(cause);
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
	char *spec = path_absolute(NULL, cli->argv[0]), *out = NULL;
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
	if (cli->baseline != NULL) {
		/* A folder is sent absolute; an ID as it is. */
		char *b = access(cli->baseline, F_OK) == 0 ?
		    path_absolute(NULL, cli->baseline) : xstrdup(cli->baseline);

		cJSON_AddStringToObject(req, "baseline", b);
		free(b);
	}
	if ((rc = ask(&c, req, &resp)) == EXIT_OK) {
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
	int rc = open_daemon(cli, &c);

	if (rc != EXIT_OK)
		return rc;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "cancel");
	cJSON_AddStringToObject(req, "id", cli->argv[0]);
	if ((rc = ask(&c, req, &resp)) == EXIT_OK)
		printf("cancelling %s\n", cli->argv[0]);
	cJSON_Delete(resp);
	conn_close(&c);
	return rc;
}
