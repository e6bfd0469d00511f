/* pipeline.c - run a spec's stages, setup and teardown: the one way every agent does it. */
#include "pipeline.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines of stderr a failure report carries. */
#define TAIL_LINES 20
/* Bytes of a command's output kept at each end. */
#define LOG_KEEP ((off_t)8 << 20)

/* What this process ran (pipeline_get_counts()); in_prefix: stages run to reach another. */
static struct pipeline_counts counts;
static int in_prefix;

/*
 * What this process's last measurements left the pipeline as: primed for
 * a stage that declares a prepare (setup and the stages before it ran,
 * its teardown is owed) until pipeline_settle(). Only within one hold of
 * the measurement lock: another agent's runs between two holds may undo
 * what the prefix made, so the lock's holder settles before releasing it.
 */
static struct {
	const struct spec	*sp;
	int			 stage;
	char			*logdir;
} primed = { NULL, -1, NULL };

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
	return hook(sp, what, cmd, logdir, failure, &counts.untimed_ms);
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
	const struct spec *sp = primed.sp;
	char *logdir = primed.logdir;

	if (sp == NULL)
		return;
	/* Nothing is primed while the teardown runs. */
	primed.sp = NULL;
	primed.stage = -1;
	primed.logdir = NULL;
	teardown(sp, logdir);
	free(logdir);
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

/* Before a timed run of stage i: its prepare when the pipeline is primed for it, else the prefix. */
static int
measure_before(const struct spec *sp, int i, const char *logdir, char **failure)
{
	const char *prep = sp->stages[i].prepare;
	char *what;
	int rc;

	if (prep != NULL && primed.sp == sp && primed.stage == i) {
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
	if (prep != NULL) {
		primed.sp = sp;
		primed.stage = i;
		primed.logdir = xstrdup(logdir);
	}
	return 0;
}

int
pipeline_measure(const struct spec *sp, int i, const char *cmd_override,
    const char *logdir, void (*around)(void *, int), void *arg,
    struct stage_result *res, char **failure)
{
	if (measure_before(sp, i, logdir, failure) != 0)
		return -1;
	if (around != NULL)
		around(arg, 0);
	pipeline_stage(sp, i, logdir, cmd_override, res);
	if (around != NULL)
		around(arg, 1);
	/* A primed pipeline's teardown waits for pipeline_settle(). */
	if (primed.sp == NULL)
		teardown(sp, logdir);
	return 0;
}

char *
pipeline_batch_command(const char *cmd, long long size)
{
	char n[32];

	snprintf(n, sizeof n, "%lld", size);
	return xstrreplace(cmd, "{batch}", n);
}
