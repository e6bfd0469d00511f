/* cmd-query.c - status, list, report: from the daemon, or the state alone. */
#include "cli.h"
#include "conn.h"
#include "paths.h"
#include "server.h"	/* req_status_json(): status read from the state without a daemon */
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Ask the daemon; when none runs, read the state database directly, so
 * that investigations made by 'perfd run' are there without a daemon.
 * Returns the response ({"ok":...}) or NULL after printing why.
 */
static cJSON *
query(struct cli *cli, const char *cmd, const char *id)
{
	char *cause = NULL, *path = paths_socket(cli->socket, &cause);
	struct conn c;
	struct store *st;
	cJSON *req, *resp = NULL, *inv;

	if (path != NULL && conn_open(&c, path, &cause) == 0) {
		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "cmd", cmd);
		if (id != NULL)
			cJSON_AddStringToObject(req, "id", id);
		resp = conn_request(&c, req, &cause);
		conn_close(&c);
		goto out;
	}
	free(cause);
	cause = NULL;
	if ((st = cli_store(cli, &cause)) == NULL)
		goto out;
	if (id != NULL) {
		inv = req_status_json(st, NULL, id);
		if (inv == NULL)
			resp = cJSON_Parse("{\"ok\":false,\"error\":{\"code\":\"unknown_id\"}}");
		else {
			resp = cJSON_CreateObject();
			cJSON_AddTrueToObject(resp, "ok");
			cJSON_AddItemToObject(resp, "investigation", inv);
		}
	} else {
		resp = cJSON_CreateObject();
		cJSON_AddTrueToObject(resp, "ok");
		cJSON_AddItemToObject(resp, "investigations", store_list(st, 50));
	}
	store_close(st);
out:
	if (resp == NULL)
		fprintf(stderr, "perfd: %s\n", cause ? cause : "no answer");
	free(cause);
	free(path);
	return resp;
}

static const char *
str(cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));

	return s != NULL ? s : "-";
}

/* The response, or NULL after an unknown-ID message (exit code in *rc). */
static cJSON *
query_one(struct cli *cli, const char *cmd, const char *id, int *rc)
{
	cJSON *resp = query(cli, cmd, id);

	*rc = EXIT_OK;
	if (resp == NULL) {
		*rc = EXIT_INTERNAL;
		return NULL;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok"))) {
		fprintf(stderr, "perfd: no investigation %s\n", id);
		cJSON_Delete(resp);
		*rc = EXIT_USAGE;
		return NULL;
	}
	return resp;
}

static void
print_row(cJSON *inv)
{
	cJSON *pos = cJSON_GetObjectItem(inv, "queue_position");

	printf("%-28s %-24s %-11s", str(inv, "id"), str(inv, "name"), str(inv, "status"));
	if (cJSON_IsNumber(pos))
		printf(" (queue position %d)", pos->valueint);
	else if (cJSON_GetStringValue(cJSON_GetObjectItem(inv, "report_path")) != NULL)
		printf(" %s", str(inv, "report_path"));
	printf("\n");
}

static void
print_json(cJSON *o)
{
	char *s = cJSON_Print(o);

	printf("%s\n", s);
	free(s);
}

/* A running investigation's time left, as the daemon estimated it. */
static void
print_time_left(cJSON *inv)
{
	cJSON *left = cJSON_GetObjectItem(inv, "time_left_ms");

	if (cJSON_IsNumber(left))
		printf("  time left: about %.0f s (from %s)\n", left->valuedouble / 1000,
		    str(inv, "time_left_from"));
	else if (cJSON_IsNull(left))
		printf("  time left: %s\n", str(inv, "time_left_from"));
}

int
cmd_status(struct cli *cli)
{
	const char *id = cli->argc > 0 ? cli->argv[0] : NULL;
	cJSON *resp, *inv, *a, *list;
	int rc;

	resp = query_one(cli, "status", id, &rc);
	if (resp == NULL)
		return rc;
	if (cli->json)
		print_json(resp);
	else if ((inv = cJSON_GetObjectItem(resp, "investigation")) != NULL) {
		print_row(inv);
		printf("  folder: %s\n", str(inv, "dir"));
		print_time_left(inv);
		if (cJSON_GetStringValue(cJSON_GetObjectItem(inv, "error")) != NULL)
			printf("  error: %s\n", str(inv, "error"));
		cJSON_ArrayForEach(a, cJSON_GetObjectItem(inv, "agents")) {
			const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(a, "reason"));

			printf("  %-15s %-11s %s\n", str(a, "agent"), str(a, "status"),
			    reason != NULL ? reason : "");
		}
	} else {
		list = cJSON_GetObjectItem(resp, "investigations");
		if (cJSON_GetArraySize(list) == 0)
			printf("no investigation running or queued\n");
		cJSON_ArrayForEach(inv, list)
			print_row(inv);
	}
	cJSON_Delete(resp);
	return EXIT_OK;
}

int
cmd_list(struct cli *cli)
{
	cJSON *resp = query(cli, "list", NULL), *inv;

	if (resp == NULL)
		return EXIT_INTERNAL;
	if (cli->json)
		print_json(resp);
	else
		cJSON_ArrayForEach(inv, cJSON_GetObjectItem(resp, "investigations"))
			print_row(inv);
	cJSON_Delete(resp);
	return EXIT_OK;
}

int
cmd_report(struct cli *cli)
{
	cJSON *resp, *inv;
	const char *path, *status;
	char *text, *cause = NULL;
	int rc;

	resp = query_one(cli, "status", cli->argv[0], &rc);
	if (resp == NULL)
		return rc;
	inv = cJSON_GetObjectItem(resp, "investigation");
	path = cJSON_GetStringValue(cJSON_GetObjectItem(inv, "report_path"));
	status = str(inv, "status");
	if (path == NULL) {
		fprintf(stderr, "perfd: investigation %s has no master report (status "
		    "%s)\n", cli->argv[0], status);
		cJSON_Delete(resp);
		return EXIT_FAILED;
	}
	if (!cli->cat)
		printf("%s\n", path);
	else if ((text = file_read(path, 64 << 20, NULL, &cause)) != NULL) {
		fputs(text, stdout);
		free(text);
	} else {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		rc = EXIT_INTERNAL;
	}
	cJSON_Delete(resp);
	return rc;
}
