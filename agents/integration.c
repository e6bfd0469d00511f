/* integration.c - wait for the four reports, then write the master report. */
#include "agents.h"
#include "md.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often the four folders are looked at. */
#define POLL_MS 100

struct report_in {
	const char		*agent;
	struct findings		*f;		/* NULL: no usable report */
	char			*why;		/* why there is none */
	int			 done;
};

/* The supervisor's status.json for an agent that ended, or NULL. */
static cJSON *
agent_status(struct agent *a, const char *agent)
{
	char *dir = path_join(a->inv_dir, agent), *path = path_join(dir, "status.json");
	char *text, *cause = NULL;
	cJSON *o = NULL;

	text = read_file(path, 1 << 20, NULL, &cause);
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
	char *dir = path_join(a->inv_dir, r->agent), *path = path_join(dir, FINDINGS_FILE);
	char *cause = NULL;
	cJSON *st;

	if (access(path, F_OK) == 0) {
		r->f = findings_read(path, &cause);
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

	while (have < AGENT_INVESTIGATORS) {
		struct buf names = { 0 };

		have = 0;
		for (int i = 0; i < AGENT_INVESTIGATORS; i++) {
			if (in[i].done || poll_one(a, &in[i])) {
				have++;
				buf_printf(&names, "%s%s", names.len ? ", " : "", in[i].agent);
			}
		}
		if (have != last) {
			agent_progress(a, have * 80 / AGENT_INVESTIGATORS, "%d/%d reports%s%s",
			    have, AGENT_INVESTIGATORS, have ? ": " : "", have ? names.p : "");
			last = have;
		}
		buf_free(&names);
		if (have == AGENT_INVESTIGATORS)
			break;
		if (now_ns() >= deadline) {
			for (int i = 0; i < AGENT_INVESTIGATORS; i++) {
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

static const char *
vote_of(const struct findings *f, const char *stage, const char **reason)
{
	for (int i = 0; f != NULL && i < f->nvotes; i++) {
		if (strcmp(f->votes[i].stage, stage) == 0) {
			*reason = f->votes[i].reason;
			return f->votes[i].vote;
		}
	}
	*reason = NULL;
	return NULL;
}

static void
md_votes(struct buf *md, struct agent *a, struct report_in *in)
{
	const char *head[1 + AGENT_INVESTIGATORS] = { "stage" };

	for (int i = 0; i < AGENT_INVESTIGATORS; i++)
		head[i + 1] = in[i].agent;
	md_row(md, 1 + AGENT_INVESTIGATORS, head);
	md_rule(md, 1 + AGENT_INVESTIGATORS);
	for (int s = 0; s < a->spec->nstages; s++) {
		const char *cells[1 + AGENT_INVESTIGATORS], *reason;
		char *own[AGENT_INVESTIGATORS];

		cells[0] = a->spec->stages[s].name;
		for (int i = 0; i < AGENT_INVESTIGATORS; i++) {
			const char *v = vote_of(in[i].f, a->spec->stages[s].name, &reason);

			own[i] = v != NULL ? xasprintf("%s: %s", v, reason) :
			    xstrdup(in[i].f != NULL ? "(no vote)" : "(no report)");
			cells[i + 1] = own[i];
		}
		md_row(md, 1 + AGENT_INVESTIGATORS, cells);
		for (int i = 0; i < AGENT_INVESTIGATORS; i++)
			free(own[i]);
	}
}

static cJSON *
master_json(struct agent *a, struct report_in *in)
{
	cJSON *o = cJSON_CreateObject(), *agents, *votes, *recs;
	char *id = path_dirname(a->spec_path), *base = strrchr(id, '/');

	cJSON_AddStringToObject(o, "schema", "perfd.master/1");
	cJSON_AddStringToObject(o, "investigation", base != NULL ? base + 1 : id);
	cJSON_AddStringToObject(o, "name", a->spec->name);
	cJSON_AddNullToObject(o, "bottleneck");
	cJSON_AddNullToObject(o, "hypothesis");
	cJSON_AddArrayToObject(o, "stages");
	recs = cJSON_AddArrayToObject(o, "recommendations");
	votes = cJSON_AddArrayToObject(o, "votes");
	cJSON_AddNullToObject(o, "batch");
	agents = cJSON_AddObjectToObject(o, "agents");
	for (int i = 0; i < AGENT_INVESTIGATORS; i++) {
		cJSON *ag = cJSON_AddObjectToObject(agents, in[i].agent);

		cJSON_AddStringToObject(ag, "status", in[i].f != NULL ? in[i].f->status :
		    "missing");
		if (in[i].f != NULL && in[i].f->report != NULL) {
			char *rel = xasprintf("%s/%s", in[i].agent, in[i].f->report);

			cJSON_AddStringToObject(ag, "report", rel);
			free(rel);
		} else
			cJSON_AddNullToObject(ag, "report");
		if (in[i].why != NULL)
			cJSON_AddStringToObject(ag, "reason", in[i].why);
		for (int v = 0; in[i].f != NULL && v < in[i].f->nvotes; v++) {
			cJSON *vo = cJSON_CreateObject();

			cJSON_AddStringToObject(vo, "stage", in[i].f->votes[v].stage);
			cJSON_AddStringToObject(vo, "agent", in[i].agent);
			cJSON_AddStringToObject(vo, "vote", in[i].f->votes[v].vote);
			cJSON_AddStringToObject(vo, "reason", in[i].f->votes[v].reason);
			cJSON_AddItemToArray(votes, vo);
		}
	}
	(void)recs;
	free(id);
	return o;
}

static char *
master_md(struct agent *a, struct report_in *in)
{
	struct buf md = { 0 };
	int have = 0;
	char *now = time_iso(now_unix_ms());

	for (int i = 0; i < AGENT_INVESTIGATORS; i++)
		have += in[i].f != NULL;
	buf_printf(&md, "# Master integration report: %s\n\n", a->spec->name);
	buf_printf(&md, "## 1. Executive summary\n\n%d of %d agent reports arrived.\n\n",
	    have, AGENT_INVESTIGATORS);
	for (int i = 0; i < AGENT_INVESTIGATORS; i++)
		buf_printf(&md, "- **%s**: %s\n", in[i].agent, in[i].f != NULL &&
		    in[i].f->headline != NULL ? in[i].f->headline : in[i].why ? in[i].why :
		    "no headline");
	buf_puts(&md, "\nConsensus and the end-to-end ranking of recommendations are "
	    "not computed by this version of the integration agent; the votes below "
	    "are the agents' own.\n\n");
	buf_puts(&md, "## 3. Vote matrix\n\n");
	md_votes(&md, a, in);
	buf_puts(&md, "\n## 4. Agents\n\n");
	for (int i = 0; i < AGENT_INVESTIGATORS; i++) {
		buf_printf(&md, "### %s\n\n", in[i].agent);
		if (in[i].f == NULL) {
			buf_printf(&md, "No report: %s.\n\n", in[i].why);
			continue;
		}
		buf_printf(&md, "Status: %s. %s\n", in[i].f->status,
		    in[i].f->headline ? in[i].f->headline : "");
		if (in[i].f->report != NULL)
			buf_printf(&md, "Report: [%s/%s](%s/%s)\n", in[i].agent,
			    in[i].f->report, in[i].agent, in[i].f->report);
		buf_puts(&md, "\n");
	}
	buf_printf(&md, "## 7. Context\n\n- perfd %s\n- written %s\n- spec: `spec.json`\n",
	    PERFD_VERSION, now);
	free(now);
	return md.p;
}

int
integration_main(struct agent *a)
{
	struct report_in in[AGENT_INVESTIGATORS];
	char *md, *js, *path, *cause = NULL;
	cJSON *o;
	int rc = 0;

	memset(in, 0, sizeof in);
	for (int i = 0; i < AGENT_INVESTIGATORS; i++)
		in[i].agent = agent_names[i];
	wait_reports(a, in);
	agent_progress(a, 90, "writing the master report");
	o = master_json(a, in);
	js = cJSON_Print(o);
	cJSON_Delete(o);
	md = master_md(a, in);
	/* The JSON first: the .md's presence is what marks the investigation done. */
	path = path_join(a->inv_dir, "MASTER_INTEGRATION_REPORT.json");
	if (atomic_write(path, js, strlen(js), &cause) != 0)
		rc = 1;
	free(path);
	path = path_join(a->inv_dir, "MASTER_INTEGRATION_REPORT.md");
	if (rc == 0 && atomic_write(path, md, strlen(md), &cause) != 0)
		rc = 1;
	free(path);
	if (rc != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	} else
		agent_progress(a, 100, "master report written");
	for (int i = 0; i < AGENT_INVESTIGATORS; i++) {
		findings_free(in[i].f);
		free(in[i].why);
	}
	free(md);
	free(js);
	return rc;
}
