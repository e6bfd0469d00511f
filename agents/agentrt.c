/* agentrt.c - the runtime every agent process uses: arguments, progress, lock. */
#include "agentrt.h"
#include "dbdriver.h"
#include "file.h"
#include "investigation.h"
#include "lock.h"
#include "matrix.h"
#include "paths.h"
#include "pipeline.h"
#include "proc.h"
#include "run.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Stop the running stage with us: the supervisor signals our group only. */
static void
on_term(int sig)
{
	run_kill_current(SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The password the spec's dsn held comes in the environment, never in
 * spec.json; taken out of it before any command of the pipeline runs, so
 * that no stage inherits it.
 */
static void
agent_take_secret(struct agent *a)
{
	const char *pw = getenv(inv_env_names[INV_ENV_DB_PASSWORD]);

	if (pw != NULL && pw[0] != '\0')
		a->spec->db_secret = xstrdup(pw);
	unsetenv(inv_env_names[INV_ENV_DB_PASSWORD]);
}

/* The spec as written kept apart; the agent measures its matrix's first cell. */
static int
agent_first_cell(struct agent *a)
{
	char *why = NULL;
	struct spec *cell = matrix_cell_spec(a->spec, 0, &why);

	if (cell == NULL) {
		fprintf(stderr, "perfd-agent: %s", why);
		free(why);
		return -1;
	}
	a->matrix_spec = a->spec;
	a->spec = cell;
	return 0;
}

int
agent_init(struct agent *a, int argc, char **argv)
{
	char *errors = NULL, *cause = NULL;

	memset(a, 0, sizeof *a);
	a->progress_fd = -1;
	a->lock_fd = -1;
	a->started_ns = now_ns();
	if (argc < 2)
		goto usage;
	a->name = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--spec") == 0)
			a->spec_path = xstrdup(argv[i + 1]);
		else if (strcmp(argv[i], "--out") == 0)
			a->dir = xstrdup(argv[i + 1]);
		else if (strcmp(argv[i], "--progress-fd") == 0)
			a->progress_fd = atoi(argv[i + 1]);
		else
			goto usage;
	}
	if (a->spec_path == NULL || a->dir == NULL)
		goto usage;
	/* Stage commands must not inherit the pipe and hold it open. */
	if (a->progress_fd >= 0)
		fcntl(a->progress_fd, F_SETFD, FD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	/* What a stage leaves running becomes ours to stop (agent_unlock()). */
	if (proc_adopt_orphans() != 0)
		fprintf(stderr, "perfd-agent: cannot adopt orphans (%s): a stage's "
		    "background work may outlive its run\n", strerror(errno));
	if (file_mkdir_p(a->dir, 0755) != 0) {
		fprintf(stderr, "perfd-agent: cannot create %s: %s\n", a->dir,
		    strerror(errno));
		return -1;
	}
	a->inv_dir = path_dirname(a->spec_path);
	a->spec = spec_parse_file(a->spec_path, &db_driver_spec_kinds, &errors);
	if (a->spec == NULL) {
		fprintf(stderr, "perfd-agent: %s", errors);
		free(errors);
		return -1;
	}
	agent_take_secret(a);
	if (a->spec->matrix != NULL && agent_first_cell(a) != 0)
		return -1;
	a->lock_path = paths_lock(&cause);
	if (a->lock_path == NULL) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
		return -1;
	}
	a->handover_path = xasprintf("%s.primed", a->lock_path);
	return 0;
usage:
	fprintf(stderr, "usage: perfd-agent NAME --spec FILE --out DIR "
	    "[--progress-fd N]\n");
	return -1;
}

void
agent_done(struct agent *a)
{
	agent_unlock(a);
	proc_reap_children(NULL, NULL);
	spec_free(a->spec);
	spec_free(a->matrix_spec);
	free(a->spec_path);
	free(a->dir);
	free(a->inv_dir);
	free(a->lock_path);
	free(a->handover_path);
	for (int i = 0; i < a->ncuts; i++)
		free(a->cuts[i]);
	free(a->cuts);
}

static void
send_line(struct agent *a, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	size_t len = strlen(s);

	s = xrealloc(s, len + 2);
	s[len++] = '\n';
	s[len] = '\0';
	if (a->progress_fd >= 0) {
		const char *p = s;

		/* A line under PIPE_BUF arrives whole; longer ones are rare. */
		while (len > 0) {
			ssize_t n = write(a->progress_fd, p, len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;	/* the supervisor is gone: keep working */
			p += n;
			len -= (size_t)n;
		}
	} else
		fputs(s, stderr);
	free(s);
	cJSON_Delete(o);
}

void
agent_progress(struct agent *a, int percent, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "type", "progress");
	cJSON_AddNumberToObject(o, "percent", percent < 0 ? 0 : percent > 100 ? 100 : percent);
	cJSON_AddStringToObject(o, "message", msg);
	free(msg);
	send_line(a, o);
}

void
agent_log(struct agent *a, const char *level, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "type", "log");
	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "message", msg);
	free(msg);
	send_line(a, o);
}

void
agent_finding(struct agent *a, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "type", "finding");
	cJSON_AddStringToObject(o, "message", msg);
	free(msg);
	send_line(a, o);
}

void
agent_lock(struct agent *a)
{
	uint64_t t0;

	if (a->lock_depth++ > 0)
		return;
	t0 = now_ns();
	a->lock_fd = lock_acquire(a->lock_path);
	if (a->lock_fd < 0)
		fatal("measurement lock %s: %s", a->lock_path, strerror(errno));
	a->held_since_ns = now_ns();
	pipeline_handover_take(a->spec, a->handover_path, a->inv_dir);
	a->wait_ms += now_ms_since(t0);
}

/*
 * The end of a measured section, so of every pipeline run (each holds the
 * lock from setup to teardown): what its commands left running is stopped
 * first — before the lock goes, so that no leftover runs into the next
 * agent's timings.
 */
void
agent_unlock(struct agent *a)
{
	int n;

	if (a->lock_depth == 0 || --a->lock_depth > 0)
		return;
	/*
	 * A primed pipeline is handed to the next holder, or its teardown
	 * runs, before anything it left running is stopped: the stop comes
	 * last, so that no leftover runs into the next holder's timings.
	 */
	pipeline_handover_give(a->handover_path, a->inv_dir);
	if ((n = proc_reap_children(NULL, NULL)) > 0)
		agent_log(a, "info", "stopped %d process%s the pipeline left running", n,
		    n == 1 ? "" : "es");
	lock_release(a->lock_fd);
	a->lock_fd = -1;
	a->held_ms += now_ms_since(a->held_since_ns);
}

double
agent_held_ms(const struct agent *a)
{
	return a->held_ms + (a->lock_depth > 0 ? now_ms_since(a->held_since_ns) : 0);
}

/*
 * Agent i's part of the budget's time in the lock, for this spec:
 * profiling two (every verdict rests on its shares), each other agent
 * that measures for it one, an agent with nothing to measure none.
 */
static double
lock_part(const struct spec *sp, int i)
{
	switch (i) {
	case INV_PROFILING:
		return 2;
	case INV_DB_CONFIG:
		return sp->has_database;
	case INV_CLIENT_LIBRARY:
		return sp->has_database && sp->client_stage != NULL;
	case INV_BATCH_SIZE:
		return sp->has_batch;
	default:
		return 0;
	}
}

/* The time agent i held the lock, when it has published its findings (it is done): 1, else 0. */
static int
lock_spent(const struct agent *a, int i, double *held_ms)
{
	char *dir = path_join(a->inv_dir, inv_agents[i].name);
	char *path = path_join(dir, INV_FINDINGS_FILE), *why = NULL;
	char *text = file_read(path, 1 << 20, NULL, &why);
	cJSON *j = text != NULL ? cJSON_Parse(text) : NULL;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j,
	    "time"), "lock_held_ms");
	int done = cJSON_IsNumber(t);

	if (done)
		*held_ms = fmax(0, t->valuedouble);
	cJSON_Delete(j);
	free(text);
	free(why);
	free(path);
	free(dir);
	return done;
}

double
agent_lock_allowance(const struct agent *a, double pool)
{
	int me = inv_agent_index(a->name);
	double left = pool, parts = 0, held;

	if (me < 0 || lock_part(a->spec, me) == 0)
		return pool;
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		if (lock_part(a->spec, i) == 0)
			continue;
		if (i != me && lock_spent(a, i, &held))
			left -= held;
		else
			parts += lock_part(a->spec, i);
	}
	return fmax(0, left) * lock_part(a->spec, me) / parts;
}

/* Whether every other agent that measures for the spec is done. */
static int
others_done(const struct agent *a)
{
	int me = inv_agent_index(a->name);
	double held;

	for (int i = 0; i < INV_INVESTIGATORS; i++)
		if (i != me && lock_part(a->spec, i) > 0 && !lock_spent(a, i, &held))
			return 0;
	return 1;
}

/*
 * Two limits: the wall clock (AGENT_BUDGET_SHARE of the budget from the
 * start; all of it for integration), and this agent's share of the time
 * in the lock (agent_lock_allowance()).
 * The second is what keeps the sharing fair: one agent's long holds (a
 * batch sweep's whole repetition) would otherwise spend the others' wall
 * time while they wait, and starve them.
 */
double
agent_time_left(const struct agent *a)
{
	const struct spec *sp = a->spec;
	double budget = (double)sp->budget_ms, wall;

	if (budget <= 0)
		return INFINITY;
	wall = now_ms_since(a->started_ns);
	if (strcmp(a->name, inv_agents[INV_INTEGRATION].name) == 0)
		return budget - wall;
	return fmin(budget * AGENT_BUDGET_SHARE - wall,
	    agent_lock_allowance(a, budget * AGENT_BUDGET_SHARE) - agent_held_ms(a));
}

int
agent_fits(const struct agent *a, double est_ms)
{
	return agent_time_left(a) >= est_ms;
}

int
agent_fits_later(const struct agent *a, double est_ms)
{
	double budget = (double)a->spec->budget_ms;

	while (!agent_fits(a, est_ms)) {
		if (others_done(a) ||
		    budget * AGENT_BUDGET_SHARE - now_ms_since(a->started_ns) < est_ms)
			return 0;
		usleep(100 * 1000);
	}
	return 1;
}

void
agent_cut(struct agent *a, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	a->cuts = xrealloc(a->cuts, ((size_t)a->ncuts + 1) * sizeof *a->cuts);
	a->cuts[a->ncuts++] = what;
	agent_log(a, "warn", "budget: %s", what);
}

char *
agent_path(const struct agent *a, const char *name)
{
	return path_join(a->dir, name);
}

void
agent_time(const struct agent *a, struct findings_time *t)
{
	struct pipeline_counts c;

	pipeline_get_counts(&c);
	*t = (struct findings_time){
		.known = 1, .wall_ms = now_ms_since(a->started_ns), .wait_ms = a->wait_ms,
		.held_ms = agent_held_ms(a), .timed_ms = c.timed_ms, .untimed_ms = c.untimed_ms,
		.prepare_ms = c.prepare_ms, .prefixes = c.prefixes, .prepares = c.prepares,
	};
}

/*
 * The report as published: with a last line saying what this agent ran
 * before its timed stages, when it timed any through the pipeline (a
 * stage's prepare, or setup and the stages before it).
 */
static char *
publish_text(const char *report_text)
{
	struct pipeline_counts c;
	struct buf b = { 0 };

	pipeline_get_counts(&c);
	buf_puts(&b, report_text);
	if (c.prefixes + c.prepares == 0)
		return b.p;
	buf_printf(&b, "\n---\n\nBefore its timed runs of a stage, this agent ran setup and "
	    "the stages before it %ld time%s", c.prefixes, c.prefixes == 1 ? "" : "s");
	if (c.prepares > 0)
		buf_printf(&b, ", and the stage's `prepare` instead %ld time%s", c.prepares,
		    c.prepares == 1 ? "" : "s");
	/* What another agent's hold left in place (pipeline_handover_take()). */
	if (c.prepares > 0 && c.prefixes == 0)
		buf_puts(&b, ": the stages before it were in place from the other agents' runs");
	buf_puts(&b, ".\n");
	return b.p;
}

int
agent_publish(struct agent *a, struct findings *f, const char *report_name,
    const char *report_text)
{
	char *cause = NULL, *path;
	int rc = 0;

	if (report_name != NULL && report_text != NULL) {
		char *text = publish_text(report_text);

		path = agent_path(a, report_name);
		rc = file_write_atomic(path, text, strlen(text), &cause);
		free(text);
		free(path);
		if (rc == 0) {
			free(f->report);
			f->report = xstrdup(report_name);
		}
	}
	for (int i = 0; i < a->ncuts; i++)
		findings_warn(f, "budget: %s", a->cuts[i]);
	if (rc == 0) {
		agent_time(a, &f->time);
		rc = findings_write(f, a->dir, &cause);
	}
	if (rc != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	}
	return rc;
}
