/* pipeline.c - run a spec's stages, setup and teardown: the one way every agent does it. */
#include "pipeline.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lines of stderr a failure report carries. */
#define TAIL_LINES 20
/* Bytes of a command's output kept at each end. */
#define LOG_KEEP ((off_t)8 << 20)

/* What this process ran (pipeline_get_counts()); in_prefix: stages run to reach another. */
static struct pipeline_counts counts;
static int in_prefix;

/*
 * Where the pipeline stands, as far as this process knows: made, the
 * leading stages that ran as a run makes them (their own command, and
 * succeeded) since the last setup, for spec sp (NULL: nothing is known).
 * A stage with a prepare can be timed again without its prefix when made
 * reaches it. For a spec with a teardown, the teardown of a measurement's
 * prefix is owed (owed: the log folder) until pipeline_settle(), and the
 * state is never handed over; else it passes from one hold of the lock to
 * the next (pipeline_handover_give()), inherited set.
 */
static struct {
	const struct spec	*sp;
	int			 made;
	char			*owed;
	int			 inherited;
} at = { NULL, 0, NULL, 0 };
/* Set while pipeline_measure() runs its own commands. */
static int in_measure;
/* Set once an inherited state failed: this process re-runs prefixes from then on. */
static int handover_off;

static void
forget(void)
{
	at.sp = NULL;
	at.made = 0;
	at.inherited = 0;
}

/* After stage i ran: made reaches past it, or falls back to it. */
static void
made_after(const struct spec *sp, int i, int as_run, int ok)
{
	if (at.sp != sp)
		return;
	if (as_run && ok) {
		if (at.made == i)
			at.made = i + 1;
	} else if (at.made > i)
		at.made = i;
}

static char *
failure_text(const char *what, const char *status, const char *errpath)
{
	char *tail = errpath != NULL ? file_tail(errpath, TAIL_LINES) : xstrdup("");
	char *s = xasprintf("%s: %s%s%s", what, status, tail[0] ? "\n" : "", tail);

	free(tail);
	return s;
}

/*
 * A command's output goes straight to its files (no pipe to drain while it
 * is timed); afterwards each keeps its first and last LOG_KEEP bytes, so a
 * stage that prints a gigabyte does not fill the investigation folder.
 */
static void
run_cmd(const struct spec *sp, const char *cmd, const char *out, const char *err,
    int64_t timeout_ms, struct run_result *r)
{
	struct run_opts o = {
		.cmd = cmd, .cwd = sp->workdir, .env = sp->env, .nenv = sp->nenv,
		.timeout_ms = timeout_ms, .stdout_path = out, .stderr_path = err,
	};

	run_command(&o, r);
	file_keep_ends(out, LOG_KEEP);
	file_keep_ends(err, LOG_KEEP);
}

void
pipeline_stage(const struct spec *sp, int i, const char *logdir,
    const char *cmd_override, struct stage_result *res)
{
	const struct spec_stage *st = &sp->stages[i];
	uint64_t t0 = now_ns();
	char *out = xasprintf("%s/%s.stdout", logdir, st->name);
	char *err = xasprintf("%s/%s.stderr", logdir, st->name);

	if (!in_measure && at.owed != NULL)
		pipeline_settle();
	memset(res, 0, sizeof *res);
	if (st->fetch_url != NULL && cmd_override == NULL) {
		char *path = path_join(sp->workdir, st->fetch_output);

		fetch_once(st->fetch_url, path, sp->timeout_ms, &res->fetch);
		res->wall_ms = res->fetch.total_ms;
		res->cpu_util = res->wall_ms > 0 ? res->fetch.cpu_s * 1000 / res->wall_ms : 0;
		res->ok = res->fetch.ok;
		if (!res->ok)
			res->failure = xasprintf("stage %s: %s (%s)", st->name,
			    res->fetch.error, st->fetch_url);
		free(path);
	} else {
		run_cmd(sp, cmd_override != NULL ? cmd_override : st->run, out, err,
		    sp->timeout_ms, &res->run);
		res->wall_ms = (double)res->run.wall_ns / 1e6;
		res->cpu_util = res->wall_ms > 0 ?
		    (res->run.user_s + res->run.sys_s) * 1000 / res->wall_ms : 0;
		res->ok = run_ok(&res->run);
		if (!res->ok) {
			char *what = xasprintf("stage %s", st->name);

			res->failure = failure_text(what, run_describe(&res->run,
			    sp->timeout_ms), err);
			free(what);
		}
	}
	free(out);
	free(err);
	made_after(sp, i, cmd_override == NULL, res->ok);
	*(in_prefix ? &counts.untimed_ms : &counts.timed_ms) += now_ms_since(t0);
}

void
pipeline_result_free(struct stage_result *r)
{
	free(r->failure);
	r->failure = NULL;
}

/* A hook command, untimed; its wall time added to *spent. 0, or -1 with *failure. */
static int
hook(const struct spec *sp, const char *what, const char *cmd, const char *logdir,
    char **failure, double *spent)
{
	char *out, *err;
	struct run_result r;
	uint64_t t0 = now_ns();
	int rc = 0;

	if (cmd == NULL)
		return 0;
	out = xasprintf("%s/%s.stdout", logdir, what);
	err = xasprintf("%s/%s.stderr", logdir, what);
	run_cmd(sp, cmd, out, err, sp->timeout_ms, &r);
	if (!run_ok(&r)) {
		*failure = failure_text(what, run_describe(&r, sp->timeout_ms), err);
		rc = -1;
	}
	free(out);
	free(err);
	*spent += now_ms_since(t0);
	return rc;
}

int
pipeline_hook(const struct spec *sp, const char *what, const char *cmd,
    const char *logdir, char **failure)
{
	int rc, setup = strcmp(what, "setup") == 0;

	if (!in_measure && at.owed != NULL)
		pipeline_settle();
	rc = hook(sp, what, cmd, logdir, failure, &counts.untimed_ms);
	/* After a setup nothing of the stages' is known to be there; after a teardown, nothing at all. */
	if (setup && rc == 0) {
		forget();
		at.sp = sp;
	} else if (setup || (cmd != NULL && strcmp(what, "teardown") == 0))
		forget();
	return rc;
}

/* The spec's teardown, whose failure nothing waits on (its log says it). */
static void
teardown(const struct spec *sp, const char *logdir)
{
	char *ignored = NULL;

	if (pipeline_hook(sp, "teardown", sp->teardown, logdir, &ignored) != 0)
		free(ignored);
}

int
pipeline_prepare(const struct spec *sp, int upto, const char *logdir, char **failure)
{
	struct stage_result r;
	int rc = 0;

	if (pipeline_hook(sp, "setup", sp->setup, logdir, failure) != 0)
		return -1;
	in_prefix = 1;
	for (int i = 0; i < upto && rc == 0; i++) {
		pipeline_stage(sp, i, logdir, NULL, &r);
		if (!r.ok) {
			*failure = r.failure;
			rc = -1;
		} else
			pipeline_result_free(&r);
	}
	in_prefix = 0;
	return rc;
}

void
pipeline_settle(void)
{
	const struct spec *sp = at.sp;
	char *logdir = at.owed;

	forget();
	at.owed = NULL;
	if (logdir != NULL) {
		teardown(sp, logdir);
		free(logdir);
	}
}

void
pipeline_handover_take(const struct spec *sp, const char *path, const char *key)
{
	char *text, *why = NULL, *nl;
	long made;

	text = file_read(path, 4096, NULL, &why);
	free(why);
	if (text == NULL)
		return;
	/* Gone before anything runs: a holder that dies leaves nothing to trust. */
	unlink(path);
	nl = strchr(text, '\n');
	if (nl != NULL && !handover_off && at.owed == NULL && sp->teardown == NULL) {
		*nl = '\0';
		made = strtol(nl + 1, NULL, 10);
		if (strcmp(text, key) == 0 && made > 0 && made <= sp->nstages) {
			at.sp = sp;
			at.made = (int)made;
			at.inherited = 1;
		}
	}
	free(text);
}

/* Whether any stage of sp declares a prepare: else a handover serves nothing. */
static int
any_prepare(const struct spec *sp)
{
	for (int i = 0; i < sp->nstages; i++)
		if (sp->stages[i].prepare != NULL)
			return 1;
	return 0;
}

void
pipeline_handover_give(const char *path, const char *key)
{
	char *text, *why = NULL;

	if (at.sp == NULL || at.owed != NULL || at.sp->teardown != NULL || at.made == 0 ||
	    !any_prepare(at.sp)) {
		pipeline_settle();
		return;
	}
	text = xasprintf("%s\n%d\n", key, at.made);
	if (file_write_untorn(path, text, strlen(text), &why) != 0)
		free(why);	/* the next holder runs the prefix: slower, as right */
	free(text);
	forget();
}

void
pipeline_get_counts(struct pipeline_counts *c)
{
	*c = counts;
}

void
pipeline_add_timed(double ms)
{
	counts.timed_ms += ms;
}

/* Whether stage i can be timed again after only its prepare. */
static int
primed_for(const struct spec *sp, int i)
{
	return sp->stages[i].prepare != NULL && at.sp == sp && at.made >= i;
}

/* Before a timed run of stage i: its prepare when the pipeline is primed for it, else the prefix. */
static int
measure_before(const struct spec *sp, int i, const char *logdir, char **failure)
{
	const char *prep = sp->stages[i].prepare;
	char *what;
	int rc;

	if (primed_for(sp, i)) {
		what = xasprintf("%s.prepare", sp->stages[i].name);
		rc = hook(sp, what, prep, logdir, failure, &counts.prepare_ms);
		free(what);
		if (rc != 0) {
			pipeline_settle();
			return -1;
		}
		counts.prepares++;
		return 0;
	}
	pipeline_settle();
	if (pipeline_prepare(sp, i, logdir, failure) != 0)
		return -1;
	counts.prefixes++;
	if (prep != NULL && sp->teardown != NULL)
		at.owed = xstrdup(logdir);
	return 0;
}

/* An inherited state that failed: forget it, and every later one, for the prefix. */
static void
handover_failed(void)
{
	handover_off = 1;
	pipeline_settle();
}

static int
measure(const struct spec *sp, int i, const char *cmd_override,
    const char *logdir, void (*around)(void *, int), void *arg,
    struct stage_result *res, char **failure)
{
	int inherited = at.inherited && primed_for(sp, i);

	if (measure_before(sp, i, logdir, failure) != 0) {
		if (!inherited)
			return -1;
		free(*failure);
		*failure = NULL;
		handover_failed();
		return measure(sp, i, cmd_override, logdir, around, arg, res, failure);
	}
	if (around != NULL)
		around(arg, 0);
	pipeline_stage(sp, i, logdir, cmd_override, res);
	if (around != NULL)
		around(arg, 1);
	/*
	 * A failure after a handed-over prepare may be the handover's: what
	 * the prefix started (a server) was stopped when the lock changed
	 * hands. Once more from setup, which decides.
	 */
	if (!res->ok && inherited) {
		pipeline_result_free(res);
		handover_failed();
		return measure(sp, i, cmd_override, logdir, around, arg, res, failure);
	}
	/* An owed teardown waits for pipeline_settle(). */
	if (at.owed == NULL)
		teardown(sp, logdir);
	return 0;
}

int
pipeline_measure(const struct spec *sp, int i, const char *cmd_override,
    const char *logdir, void (*around)(void *, int), void *arg,
    struct stage_result *res, char **failure)
{
	int rc;

	in_measure = 1;
	rc = measure(sp, i, cmd_override, logdir, around, arg, res, failure);
	in_measure = 0;
	return rc;
}

char *
pipeline_batch_command(const char *cmd, long long size)
{
	char n[32];

	snprintf(n, sizeof n, "%lld", size);
	return xstrreplace(cmd, "{batch}", n);
}
