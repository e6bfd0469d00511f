/* ui.c - show an investigation's progress: live lines or JSON lines. */
#include "ui.h"

#include "investigation.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct ui_agent {
	int	 percent;
	char	*message;
	char	*state;		/* waiting, running, ok, failed, ... */
};

struct ui {
	FILE		*f;
	int		 live;
	int		 drawn;		/* lines on screen to redraw over */
	char		*id;
	char		*state;
	struct ui_agent	 agents[INV_AGENTS];
};

struct ui *
ui_new(FILE *f, int live)
{
	struct ui *u = xcalloc(1, sizeof *u);

	u->f = f;
	u->live = live;
	u->state = xstrdup("queued");
	for (int i = 0; i < INV_AGENTS; i++) {
		u->agents[i].state = xstrdup("waiting");
		u->agents[i].message = xstrdup("");
	}
	return u;
}

void
ui_free(struct ui *u)
{
	if (u == NULL)
		return;
	for (int i = 0; i < INV_AGENTS; i++) {
		free(u->agents[i].state);
		free(u->agents[i].message);
	}
	free(u->id);
	free(u->state);
	free(u);
}

static int
term_width(FILE *f)
{
	struct winsize ws;

	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 100;
}

static void
redraw(struct ui *u)
{
	int width = term_width(u->f);

	if (u->drawn > 0)
		fprintf(u->f, "\x1b[%dA", u->drawn);
	fprintf(u->f, "\x1b[2K%.*s\n", width - 1, u->id != NULL ? u->id : "");
	fprintf(u->f, "\x1b[2Kinvestigation %s\n", u->state);
	for (int i = 0; i < INV_AGENTS; i++) {
		struct ui_agent *a = &u->agents[i];
		char *line = xasprintf("  %-15s %-8s %3d%%  %s", inv_agents[i].name, a->state,
		    a->percent, a->message);

		fprintf(u->f, "\x1b[2K%.*s\n", width - 1, line);
		free(line);
	}
	u->drawn = INV_AGENTS + 2;
	fflush(u->f);
}

static void
set(char **field, const char *value)
{
	if (value == NULL)
		return;
	free(*field);
	*field = xstrdup(value);
}

int
ui_event(struct ui *u, const char *line)
{
	cJSON *o = cJSON_Parse(line);
	const char *event, *agent, *state, *status;
	int ended = 0, i;

	if (o == NULL)
		return 0;
	event = cJSON_GetStringValue(cJSON_GetObjectItem(o, "event"));
	agent = cJSON_GetStringValue(cJSON_GetObjectItem(o, "agent"));
	state = cJSON_GetStringValue(cJSON_GetObjectItem(o, "state"));
	status = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
	i = agent != NULL ? inv_agent_index(agent) : -1;
	if (event != NULL && strcmp(event, "investigation") == 0) {
		if (u->id == NULL)
			set(&u->id, cJSON_GetStringValue(cJSON_GetObjectItem(o, "investigation")));
		set(&u->state, status != NULL ? status : state);
		ended = state != NULL && strcmp(state, "finished") == 0;
	} else if (event != NULL && strcmp(event, "error") == 0) {
		ended = 1;
	} else if (i >= 0 && event != NULL && strcmp(event, "agent") == 0) {
		set(&u->agents[i].state, status != NULL ? status : state);
		if (status != NULL) {
			const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(o, "reason"));

			if (strcmp(status, "ok") == 0)
				u->agents[i].percent = 100;
			/* Keep the agent's own last word unless the end says more. */
			if (reason != NULL || u->agents[i].message[0] == '\0')
				set(&u->agents[i].message, reason != NULL ? reason : "done");
		} else
			set(&u->agents[i].state, "running");
	} else if (i >= 0 && event != NULL && strcmp(event, "progress") == 0) {
		cJSON *p = cJSON_GetObjectItem(o, "percent");

		if (cJSON_IsNumber(p))
			u->agents[i].percent = p->valueint;
		set(&u->agents[i].message,
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "message")));
	}
	if (u->live)
		redraw(u);
	else {
		fprintf(u->f, "%s\n", line);
		fflush(u->f);
	}
	cJSON_Delete(o);
	return ended;
}
