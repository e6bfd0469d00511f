/* integration.c - wait for the four reports, then write the master report. */
#include "integration.h"
#include "agents.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often the four folders are looked at. */
#define POLL_MS 100

/* The supervisor's status.json for an agent that ended, or NULL. */
static cJSON *
agent_status(struct agent *a, const char *agent)
{
	char *dir = path_join(a->inv_dir, agent), *path = path_join(dir, INV_STATUS_FILE);
	char *text, *cause = NULL;
	cJSON *o = NULL;

	text = file_read(path, 1 << 20, NULL, &cause);
	if (text != NULL)
		o = cJSON_Parse(text);
	free(text);
	free(cause);
	free(path);
	free(dir);
	return o;
}

/* Look once at one agent's folder; 1 when its outcome is known. */
static int
poll_one(struct agent *a, struct report_in *r)
{
	char *dir = path_join(a->inv_dir, r->agent), *path = path_join(dir, INV_FINDINGS_FILE);
	char *cause = NULL;
	cJSON *st;

	if (access(path, F_OK) == 0) {
		r->f = findings_read(path, a->spec, &cause);
		if (r->f == NULL)
			r->why = xasprintf("unreadable findings.json: %s", cause);
		r->done = 1;
	} else if ((st = agent_status(a, r->agent)) != NULL) {
		const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(st, "reason"));
		const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(st, "status"));

		r->why = xasprintf("ended (%s) without a report%s%s", status ? status : "?",
		    reason ? ": " : "", reason ? reason : "");
		r->done = 1;
		cJSON_Delete(st);
	}
	free(cause);
	free(path);
	free(dir);
	return r->done;
}

/* Poll until all four are in or agents.timeout has passed. */
static void
wait_reports(struct agent *a, struct report_in *in)
{
	uint64_t deadline = now_ns() + (uint64_t)a->spec->agents_timeout_ms * 1000000u;
	int have = 0, last = -1;

	while (have < INV_INVESTIGATORS) {
		struct buf names = { 0 };

		have = 0;
		for (int i = 0; i < INV_INVESTIGATORS; i++) {
			if (in[i].done || poll_one(a, &in[i])) {
				have++;
				buf_printf(&names, "%s%s", names.len ? ", " : "", in[i].agent);
			}
		}
		if (have != last) {
			agent_progress(a, have * 80 / INV_INVESTIGATORS, "%d/%d reports%s%s",
			    have, INV_INVESTIGATORS, have ? ": " : "", have ? names.p : "");
			last = have;
		}
		buf_free(&names);
		if (have == INV_INVESTIGATORS)
			break;
		if (now_ns() >= deadline) {
			for (int i = 0; i < INV_INVESTIGATORS; i++) {
				if (!in[i].done) {
					in[i].why = xasprintf("no report within agents.timeout "
					    "(%.0fs)", (double)a->spec->agents_timeout_ms / 1000);
					in[i].done = 1;
				}
			}
			break;
		}
		usleep(POLL_MS * 1000);
	}
}

int
integ_main(struct agent *a)
{
	struct integ g;
	char *md = NULL, *js, *path, *cause = NULL;
	cJSON *o;
	int rc = 0;

	memset(&g, 0, sizeof g);
	g.a = a;
	g.nstages = a->spec->nstages;
	g.st = xcalloc((size_t)g.nstages, sizeof *g.st);
	for (int s = 0; s < g.nstages; s++)
		g.st[s].name = a->spec->stages[s].name;
	for (int i = 0; i < INV_INVESTIGATORS; i++)
		g.in[i].agent = inv_agents[i].name;
	wait_reports(a, g.in);
	agent_progress(a, 80, "consensus and ranking");
	integ_analyse(&g);
	agent_progress(a, 90, "writing the master report");
	g.written = now_iso(now_unix_ms());
	o = integ_report_json(&g);
	js = cJSON_Print(o);
	cJSON_Delete(o);
	md = integ_report_md(&g);
	/* The JSON first: the .md's presence is what marks the investigation done. */
	path = path_join(a->inv_dir, INV_MASTER_JSON);
	if (file_write_atomic(path, js, strlen(js), &cause) != 0)
		rc = 1;
	free(path);
	path = path_join(a->inv_dir, INV_MASTER_MD);
	if (rc == 0 && file_write_atomic(path, md, strlen(md), &cause) != 0)
		rc = 1;
	free(path);
	if (rc != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	} else
		agent_progress(a, 100, "master report written");
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		findings_free(g.in[i].f);
		free(g.in[i].why);
	}
	for (int s = 0; s < g.nstages; s++) {
		free(g.st[s].resolution);
		free(g.st[s].tb.how);
		free(g.st[s].tb.outcome);
	}
	for (int i = 0; i < g.nrecs; i++)
		free(g.recs[i].unranked_why);
	free(g.recs);
	free(g.st);
	free(g.written);
	free(md);
	free(js);
	return rc;
}
