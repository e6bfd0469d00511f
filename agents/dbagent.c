/* dbagent.c - what the database agents share: the capture, the observed stage, the bound, the probe runs. */
#include "dbagent.h"
#include "pipeline.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The investigation's one observation of the database stage. */
#define OBSERVATION_FILE	"db-observation.json"
/* An own-work figure from the no-sync rounds below this says nothing. */
#define OWN_RESOLUTION_MS	1.0
/* A client's own work estimated as a difference is trusted from this share of the stage. */
#define OWN_TRUSTED		0.2
/*
 * Pairs that measure the client's own work without syncs, for a short
 * stage: at least MIN, then until the median's CI is within PRECISION of
 * it (or FLOOR_MS), at most MAX or BUDGET_MS of runs.
 */
#define NOSYNC_MIN_PAIRS	7
#define NOSYNC_MAX_PAIRS	DBAGENT_PAIRS_MAX
#define NOSYNC_PRECISION	0.25
#define NOSYNC_FLOOR_MS		0.5
#define NOSYNC_BUDGET_MS	4000.0
/* Pairs that measure what eatmydata itself costs a command. */
#define WRAPPER_PAIRS		3
/* Timed runs of a stage shorter than this; one run of a longer one. */
#define OBSERVE_SHORT_MS	2000
#define OBSERVE_RUNS		3
/* Probe pairs stop from this many on when their ratio's CI is within +-5% (pairs_settled()). */
#define DBAGENT_PAIRS_LEAST	3
#define DBAGENT_PAIRS_PRECISION	0.05

const struct db_driver *
dbagent_driver(const struct spec *sp)
{
	const struct db_driver *d = db_driver(sp->db_kind);

	if (d == NULL)
		fatal("no driver for database kind '%s'", sp->db_kind);
	return d;
}

void
dbagent_count_rows(void *arg, int after)
{
	struct dbagent_rows *rc = arg;
	char *cause = NULL;
	long long n = dbagent_driver(rc->spec)->count(rc->spec, &cause);

	free(cause);
	if (n == DB_ABSENT)
		n = 0;
	if (!after)
		rc->before = n;
	else if (rc->before >= 0 && n >= rc->before && rc->rows <= 0)
		rc->rows = (double)(n - rc->before);
}

int
dbagent_stage(const struct spec *sp)
{
	if (sp->client_stage != NULL)
		return spec_stage_index(sp, sp->client_stage);
	if (sp->has_batch)
		return spec_stage_index(sp, sp->batch_stage);
	return -1;
}

/* pipeline_measure()'s callback in a capturing run: rows, then the capture. */
struct capture_run {
	struct agent		*a;
	struct dbagent_rows	 count;
	struct db_capture	*cap;
	int			 rc;
	char			*cause;
};

static void
capture_around(void *arg, int after)
{
	struct capture_run *c = arg;

	dbagent_count_rows(&c->count, after);
	if (after && c->cap != NULL)
		c->rc = dbagent_driver(c->a->spec)->capture(c->a->spec, c->a->dir, c->cap, &c->cause);
}

/* The stage a capturing run goes to: the database stage, else the last. */
static int
capture_stage(const struct spec *sp)
{
	int s = dbagent_stage(sp);

	return s >= 0 ? s : sp->nstages - 1;
}

/* How a capturing run went wrong. */
enum run_fault {
	RUN_OK, RUN_PREFIX, RUN_STAGE, RUN_NO_DATABASE
};

/*
 * One pipeline run to `stage` as a run makes it, the caller holding the
 * lock: the stage's result in *res, the rows it wrote in *rows, and, when
 * cap is not NULL, the database captured right after the stage and before
 * the teardown. RUN_OK, or the fault with *cause: the prefix's or the
 * stage's failure as they said it, or that the run left no database.
 */
static enum run_fault
capturing_run(struct agent *a, int stage, struct db_capture *cap,
    struct stage_result *res, double *rows, char **cause)
{
	const struct spec *sp = a->spec;
	struct capture_run c = { .a = a, .cap = cap, .rc = -1 };
	enum run_fault f = RUN_OK;

	c.count.spec = sp;
	c.count.before = -1;
	if (pipeline_measure(sp, stage, NULL, a->dir, capture_around, &c, res, cause) != 0)
		f = RUN_PREFIX;
	else if (!res->ok) {
		*cause = xstrdup(res->failure);
		f = RUN_STAGE;
	} else if (cap != NULL && c.rc != 0) {
		if (c.rc == DB_ABSENT) {
			char *db = dbagent_driver(sp)->label(sp);
			int table = strstr(c.cause, "no table") != NULL;

			*cause = xasprintf("the pipeline ran once (setup and the stages to "
			    "%s) and did not create %s%s%s%s (%s)", sp->stages[stage].name,
			    table ? "table " : "", table ? sp->db_table : "", table ? " in " : "",
			    db, c.cause);
			free(db);
		} else
			*cause = xstrdup(c.cause);
		f = RUN_NO_DATABASE;
	}
	free(c.cause);
	*rows = c.count.rows;
	return f;
}

int
dbagent_capture(struct agent *a, struct db_capture *cap, char **cause)
{
	const struct spec *sp = a->spec;
	struct stage_result res = { 0 };
	char *why = NULL;
	double rows;
	char *db;
	int rc;

	agent_lock(a);
	rc = dbagent_driver(sp)->capture(sp, a->dir, cap, cause);
	if (rc != DB_ABSENT) {
		agent_unlock(a);
		return rc == 0 ? 0 : -1;
	}
	/* Not there: the pipeline makes it. Read it before the teardown. */
	free(*cause);
	*cause = NULL;
	db = dbagent_driver(sp)->label(sp);
	agent_progress(a, 5, "%s does not exist yet: running the pipeline once to create it",
	    db);
	switch (capturing_run(a, capture_stage(sp), cap, &res, &rows, &why)) {
	case RUN_OK:
		break;
	case RUN_PREFIX:
	case RUN_STAGE:
		*cause = xasprintf("%s does not exist, and the pipeline that would create "
		    "it failed: %s", db, why);
		break;
	case RUN_NO_DATABASE:
		*cause = xstrdup(why);
		break;
	}
	pipeline_result_free(&res);
	agent_unlock(a);
	free(why);
	free(db);
	return *cause == NULL ? 0 : -1;
}

/* Sum strace -c's calls and seconds for the named system calls. */
static long
calls(const char *table, const char *const *names, double *secs_out)
{
	long total = 0;
	const char *line = table;

	if (secs_out != NULL)
		*secs_out = 0;
	while (line != NULL && *line != '\0') {
		const char *eol = strchr(line, '\n');
		char name[64] = "";
		double pct, secs;
		long usecs, n, errors;

		if (sscanf(line, "%lf %lf %ld %ld %ld %63s", &pct, &secs, &usecs, &n,
		    &errors, name) < 6 &&
		    sscanf(line, "%lf %lf %ld %ld %63s", &pct, &secs, &usecs, &n, name) < 5)
			name[0] = '\0';
		for (int i = 0; name[0] != '\0' && names[i] != NULL; i++)
			if (strcmp(name, names[i]) == 0) {
				total += n;
				if (secs_out != NULL)
					*secs_out += secs;
			}
		line = eol != NULL ? eol + 1 : NULL;
	}
	return total;
}

/*
 * The client program, from the words of the stage's command and, when it
 * starts with a script in the workdir, of that script.
 */
static const struct db_client *
client_of(const struct spec *sp, int stage)
{
	const struct db_driver *d = dbagent_driver(sp);
	const char *cmd = sp->stages[stage].run;
	struct buf text = { 0 };
	char *words, *save = NULL;
	int n = 0;

	if (cmd == NULL)
		return &d->clients[d->nclients - 1];
	buf_puts(&text, cmd);
	/* The scripts it names (./load.sh, loader.py): their words count too. */
	words = xstrdup(cmd);
	for (char *w = strtok_r(words, " \t", &save); w != NULL && n < 8;
	    w = strtok_r(NULL, " \t", &save), n++) {
		char *path = path_absolute(sp->workdir, w), *why = NULL;
		char *script = access(path, R_OK) == 0 ?
		    file_read(path, 64 << 10, NULL, &why) : NULL;

		if (script != NULL)
			buf_printf(&text, "\n%s", script);
		free(why);
		free(script);
		free(path);
	}
	free(words);
	for (int i = 0; i < d->nclients - 1; i++) {
		char *words = xstrdup(d->clients[i].match), *save = NULL;
		int hit = 0;

		for (char *w = strtok_r(words, "|", &save); w != NULL && !hit;
		    w = strtok_r(NULL, "|", &save))
			hit = strstr(text.p, w) != NULL;
		free(words);
		if (hit) {
			buf_free(&text);
			return &d->clients[i];
		}
	}
	buf_free(&text);
	return &d->clients[d->nclients - 1];
}

/*
 * The stage, timed as the pipeline runs it, the database captured in the
 * first run; the caller holds the lock.
 */
static int
observe_timed(struct agent *a, struct dbagent_obs *o, struct db_capture *cap,
    char **cause)
{
	const struct spec *sp = a->spec;
	double wall[OBSERVE_RUNS], user[OBSERVE_RUNS], sys[OBSERVE_RUNS];
	struct stats st;
	int n = 0, count = sp->rows <= 0;

	for (int r = 0; r < OBSERVE_RUNS; r++) {
		struct stage_result res = { 0 };
		char *why = NULL;
		double rows;
		enum run_fault f;

		if (r > 0 && wall[0] >= OBSERVE_SHORT_MS)
			break;	/* long enough that one run is a fair figure */
		if (r > 0 && !agent_fits(a, 2 * wall[0])) {
			agent_cut(a, "the database stage observed in %d run%s, not %d", r,
			    r == 1 ? "" : "s", OBSERVE_RUNS);
			break;
		}
		agent_progress(a, 5 + 5 * r, "running %s as the pipeline does (%d/%d)",
		    sp->stages[o->stage].name, r + 1, OBSERVE_RUNS);
		f = capturing_run(a, o->stage, r == 0 ? cap : NULL, &res, &rows, &why);
		if (f == RUN_PREFIX)
			*cause = xasprintf("the stages before %s failed: %s",
			    sp->stages[o->stage].name, why);
		else if (f != RUN_OK)
			*cause = xstrdup(why);
		else {
			wall[n] = res.wall_ms;
			user[n] = res.run.user_s * 1000;
			sys[n] = res.run.sys_s * 1000;
			n++;
			if (count && rows > o->rows)
				o->rows = rows;
		}
		free(why);
		pipeline_result_free(&res);
		if (*cause != NULL)
			return -1;
	}
	o->runs = n;
	stats_compute(wall, n, &st);
	o->wall_ms = st.median;
	stats_compute(user, n, &st);
	o->user_ms = st.median;
	stats_compute(sys, n, &st);
	o->sys_ms = st.median;
	return 0;
}

int
dbagent_trace(struct agent *a, int stage, const char *cmd, struct dbagent_trace *t, char **why)
{
	static const char *const sync_calls[] = { "fsync", "fdatasync", NULL };
	static const char *const write_calls[] = { "write", "pwrite64", "pwrite", NULL };
	static const char *const net_calls[] = { "sendto", "recvfrom", "sendmsg",
	    "recvmsg", NULL };
	const struct spec *sp = a->spec;
	struct stage_result res = { 0 };
	char *out, *q, *traced, *text, *failure = NULL;
	double secs;

	memset(t, 0, sizeof *t);
	if (cmd == NULL) {
		*why = xstrdup("the stage is a fetch stage");
		return -1;
	}
	if (!run_works((char *const[]){ "strace", "-V", NULL })) {
		*why = xstrdup("strace is not installed");
		return -1;
	}
	out = agent_path(a, "strace.txt");
	q = run_quote(cmd);
	traced = xasprintf("strace -f -c -w -o '%s' /bin/sh -c %s", out, q);
	if (pipeline_measure(sp, stage, traced, a->dir, NULL, NULL, &res, &failure) != 0)
		*why = xasprintf("the stages before it failed: %s", failure);
	else if (!res.ok)
		*why = xasprintf("the traced run failed: %s", res.failure);
	else if ((text = file_read(out, 1 << 20, NULL, &failure)) == NULL)
		*why = xasprintf("no strace output: %s", failure);
	else {
		t->syncs = calls(text, sync_calls, &secs);
		t->sync_ms = secs * 1000;
		t->writes = calls(text, write_calls, NULL);
		t->net = calls(text, net_calls, NULL);
		free(text);
	}
	unlink(out);
	pipeline_result_free(&res);
	free(failure);
	free(out);
	free(q);
	free(traced);
	return *why == NULL ? 0 : -1;
}

/* Once under strace: the caller holds the lock. */
static void
observe_traced(struct agent *a, struct dbagent_obs *o)
{
	struct dbagent_trace t;

	agent_progress(a, 20, "counting its system calls with strace");
	if (dbagent_trace(a, o->stage, a->spec->stages[o->stage].run, &t, &o->untraced) != 0)
		return;
	o->syncs = t.syncs;
	o->sync_ms = t.sync_ms;
	o->writes = t.writes;
	o->net = t.net;
}

/* observe_server()'s read just before the timed stage. */
struct server_before {
	const struct spec	*spec;
	struct db_activity	 a;
	int			 read;
	char			*cause;
};

static void
server_before(void *arg, int after)
{
	struct server_before *s = arg;

	if (!after)
		s->read = dbagent_driver(s->spec)->activity(s->spec, &s->a, &s->cause) == 0;
}

/* o->server: the difference of the counts after (a) and before (s->a). */
static void
server_during(struct dbagent_obs *o, const struct server_before *s, const struct db_activity *a,
    int reads)
{
	const struct db_activity *b = &s->a;

	o->server = *a;
	/*
	 * The before read's transactions, and those of every read after but
	 * the last (a session's counts are reported as it ends).
	 */
	o->server.commits = fmax(1, a->commits - b->commits - b->own - (reads - 1) * a->own);
	o->server.rows = a->rows - b->rows;
	o->server.checkpoints_req = a->checkpoints_req - b->checkpoints_req;
	o->server.checkpoints_timed = a->checkpoints_timed - b->checkpoints_timed;
	o->server.wal_buffers_full = a->wal_buffers_full - b->wal_buffers_full;
	o->server.wal_bytes = a->wal_bytes - b->wal_bytes;
	o->server.table_vacuums = a->table_vacuums - b->table_vacuums;
	o->server.stmt_known = a->stmt_known && b->stmt_known;
	o->server.insert_calls = a->insert_calls - b->insert_calls;
	o->server.insert_rows = a->insert_rows - b->insert_rows;
	o->server.copy_calls = a->copy_calls - b->copy_calls;
	o->server.copy_rows = a->copy_rows - b->copy_rows;
}

/*
 * The server's own counts over one run of the stage, where the kind keeps
 * them (PostgreSQL: the client never syncs; the server does): read-only
 * just before the timed stage and after it. The stage's sessions report
 * their counts as they end, a moment after the client has: read again
 * until the rows written reach the stage's and stop moving (2 s at most).
 * Each read is a transaction of perfd's own, taken off; other sessions on
 * the same database count too.
 */
static void
observe_server(struct agent *a, struct dbagent_obs *o)
{
	const struct spec *sp = a->spec;
	const struct db_driver *d = dbagent_driver(sp);
	struct server_before before = { .spec = sp };
	struct db_activity after = { 0 };
	struct stage_result res = { 0 };
	char *cause = NULL;
	double last = -1;
	int reads = 0;

	if (d->activity == NULL)
		return;
	agent_progress(a, 20, "counting its commits on the server");
	if (pipeline_measure(sp, o->stage, NULL, a->dir, server_before, &before, &res,
	    &cause) != 0 || !res.ok || !before.read)
		goto done;
	for (uint64_t t0 = now_ns(); now_ms_since(t0) < 2000; usleep(50 * 1000)) {
		if (d->activity(sp, &after, &cause) != 0)
			goto done;
		reads++;
		if (after.rows - before.a.rows >= o->rows && after.rows == last)
			break;
		last = after.rows;
	}
	server_during(o, &before, &after, reads);
done:
	if (cause == NULL && before.cause != NULL)
		cause = before.cause, before.cause = NULL;
	if (cause != NULL) {
		agent_log(a, "warn", "the server's counts: %s", cause);
		free(cause);
	}
	free(before.cause);
	pipeline_result_free(&res);
}

static double one_run(struct agent *, const struct db_capture *, const char *const *,
    const struct dbagent_load *, double *cpu_ms, char **);

/*
 * What running a command under eatmydata adds to it (its wrapper script
 * and one more shell: about 1.4 ms here), in wall and CPU time: the least
 * difference over a few pairs of `eatmydata /bin/sh -c true` and `true`.
 * Taken in every round, beside the runs it is subtracted from: once for
 * all rounds, a moment of load (7 ms and more for it, seen here) took the
 * whole client's work out of every round. The least, because load only
 * ever adds to a fixed cost; too small a cost leaves more own work, and a
 * smaller claim.
 */
static void
wrapper_cost(const struct db_driver *d, double *wall_ms, double *cpu_ms)
{
	char *wrapped = d->nosync_wrap("true");

	*wall_ms = *cpu_ms = INFINITY;
	for (int i = 0; i < WRAPPER_PAIRS; i++) {
		struct run_opts with = { .cmd = wrapped, .timeout_ms = 5000 };
		struct run_opts plain = { .cmd = "true", .timeout_ms = 5000 };
		struct run_result a, b;

		run_command(&with, &a);
		run_command(&plain, &b);
		*wall_ms = fmin(*wall_ms, (double)((int64_t)a.wall_ns - (int64_t)b.wall_ns) / 1e6);
		*cpu_ms = fmin(*cpu_ms, (a.user_s + a.sys_s - b.user_s - b.sys_s) * 1000);
	}
	free(wrapped);
	*wall_ms = fmax(0, *wall_ms);
	*cpu_ms = fmax(0, *cpu_ms);
}

/* One no-sync round: the stage's wall and CPU time, the probe's (scaled to the stage's rows). */
struct nosync_parts {
	double	 swall, scpu, pwall, pcpu;
};

/*
 * The client's own work from n rounds, the larger of two differences: in
 * wall time, and in CPU time plus the stage's time off the CPU beyond the
 * probe's. Over several rounds each quantity is its least: the rounds'
 * own differences scatter by +-10 ms around a client's 6 ms (each side
 * makes and removes a journal per commit, and that file work is noisy),
 * and their median fell to 0 in 2 of 4 runs here (x130 claimed, x28
 * applied), while noise only ever adds to a run, so the least of each side
 * is the steady figure (5.9 and 6.1 ms in those runs).
 */
static double
own_of(const struct nosync_parts *p, int n)
{
	double sw = INFINITY, sc = INFINITY, soff = INFINITY;
	double pw = INFINITY, pc = INFINITY, poff = INFINITY;

	for (int i = 0; i < n; i++) {
		sw = fmin(sw, p[i].swall);
		sc = fmin(sc, p[i].scpu);
		soff = fmin(soff, p[i].swall - p[i].scpu);
		pw = fmin(pw, p[i].pwall);
		pc = fmin(pc, p[i].pcpu);
		poff = fmin(poff, p[i].pwall - p[i].pcpu);
	}
	return fmax(sc - pc + fmax(0, soff - poff), sw - pw);
}

/*
 * One round (see observe_nosync()): the stage as it is into *stage_ms,
 * under eatmydata into *nosync_ms, both sides of the own work into *parts;
 * the time it took, or -1 when a run failed.
 */
static double
nosync_round(struct agent *a, const struct dbagent_obs *o, const struct db_capture *cap,
    const struct dbagent_load *l, const char *cmd, int round, double *stage_ms,
    double *nosync_ms, struct nosync_parts *parts)
{
	const struct spec *sp = a->spec;
	const char *const settings[] = { dbagent_driver(sp)->nosync, NULL };
	struct stage_result res = { 0 }, as_is = { 0 };
	char *failure = NULL;
	double rate = -1, cpu = 0, wwall, wcpu, k = o->rows / l->rows, spent = -1;

	agent_progress(a, 25, "running %s as it is and with its syncs turned off (round %d)",
	    sp->stages[o->stage].name, round);
	if (pipeline_measure(sp, o->stage, NULL, a->dir, NULL, NULL, &as_is,
	    &failure) == 0 && as_is.ok &&
	    pipeline_measure(sp, o->stage, cmd, a->dir, NULL, NULL, &res,
	    &failure) == 0 && res.ok)
		rate = one_run(a, cap, settings, l, &cpu, &failure);
	if (rate > 0) {
		double pwall = l->rows * 1000 / rate;

		wrapper_cost(dbagent_driver(sp), &wwall, &wcpu);
		*stage_ms = as_is.wall_ms;
		*nosync_ms = res.wall_ms;
		*parts = (struct nosync_parts){ res.wall_ms - wwall,
		    (res.run.user_s + res.run.sys_s) * 1000 - wcpu, pwall * k, cpu * k };
		spent = as_is.wall_ms + res.wall_ms + pwall;
	}
	pipeline_result_free(&as_is);
	pipeline_result_free(&res);
	free(failure);
	return spent;
}

/* What n rounds measured, into the observation. */
static void
nosync_keep(struct agent *a, struct dbagent_obs *o, const struct db_capture *cap,
    const struct nosync_parts *parts, const double *stage, const double *own,
    const double *wall, int n)
{
	struct stats st;

	stats_compute(own, n, &st);
	/*
	 * The larger of each side's least and the rounds' own median: under
	 * load the least of each side can come from different rounds (a
	 * Python loader's 25 ms of own work came out 3.7 ms: x34 claimed,
	 * x13.6 applied), while the median alone fell to 0 for the shell
	 * loader's 6 ms; the larger is the smaller claim.
	 */
	o->own_nosync_ms = fmax(own_of(parts, n), st.median);
	o->own_nosync_lo = fmin(st.ci_lo, o->own_nosync_ms);
	o->own_nosync_hi = fmax(st.ci_hi, o->own_nosync_ms);
	o->nosync_pairs = n;
	memcpy(o->pair_stage_ms, stage, n * sizeof *stage);
	memcpy(o->pair_own_ms, own, n * sizeof *own);
	for (int i = 0; i < n; i++) {
		o->pair_nosync_ms[i] = parts[i].swall;
		o->pair_probe_ms[i] = parts[i].pwall;
	}
	o->capture_rows = (double)cap->rows;
	free(o->observer);
	o->observer = xstrdup(a->name);
	stats_compute(wall, n, &st);
	o->nosync_ms = st.median;
}

/*
 * After n rounds: why they stop here, or NULL to go on: the budget leaves
 * no room for another (a round's prefix is not in spent_now: twice it, to
 * be safe), the most were made, or, past the least, the median's CI is
 * narrow enough or the time allowed is spent.
 */
static const char *
nosync_enough(struct agent *a, const double *own, int n, int most, double spent,
    double spent_now)
{
	struct stats st;

	if (n < most && !agent_fits(a, 2 * spent_now)) {
		agent_cut(a, "%d round%s with the syncs turned off", n,
		    n == 1 ? "" : "s");
		return "the budget left no time for another";
	}
	if (most == 1)
		return "one round, for a stage over 2 s";
	if (n < NOSYNC_MIN_PAIRS && n < most)
		return NULL;
	stats_compute(own, n, &st);
	if (stats_settled(&st, NOSYNC_PRECISION, NOSYNC_FLOOR_MS))
		return n == NOSYNC_MIN_PAIRS ? "the least it makes, the CI of the own work "
		    "then within +-25% (or 0.5 ms)" : "the CI of the own work within +-25% "
		    "(or 0.5 ms)";
	if (spent > NOSYNC_BUDGET_MS)
		return "the 4 s they may take were spent";
	return n >= most ? "the most it makes" : NULL;
}

/*
 * The client's own work, measured where syncs hide it: the stage with its
 * syncs skipped (the driver's nosync_wrap: eatmydata for SQLite, whose
 * client syncs; synchronous_commit off in its sessions for PostgreSQL,
 * whose server does), and the probe's time for the
 * same pattern with the driver's no-sync setting. The caller holds the
 * lock; nothing is set when either cannot run.
 */
static void
observe_nosync(struct agent *a, struct dbagent_obs *o, const struct db_capture *cap)
{
	const struct spec *sp = a->spec;
	const struct db_driver *d = dbagent_driver(sp);
	struct dbagent_load l = { 0 };
	double wall[NOSYNC_MAX_PAIRS], own[NOSYNC_MAX_PAIRS], stage[NOSYNC_MAX_PAIRS];
	struct nosync_parts parts[NOSYNC_MAX_PAIRS];
	double spent = 0;
	int most = o->wall_ms < OBSERVE_SHORT_MS ? NOSYNC_MAX_PAIRS : 1, n = 0;
	const char *stopped = NULL;
	char *q, *cmd;

	if (sp->stages[o->stage].run == NULL || o->cadence <= 0 || d->nosync_wrap == NULL ||
	    (d->nosync_tool != NULL &&
	    !run_works((char *const[]){ (char *)d->nosync_tool, "true", NULL })))
		return;
	q = run_quote(sp->stages[o->stage].run);
	cmd = d->nosync_wrap(q);
	l.rows = (int)fmin(fmax(o->rows, 100), 20000);
	/* As the client commits: its own BEGIN and COMMIT, or autocommit. */
	l.commit_every = o->client->tx_explicit || o->cadence >= 1.5 ?
	    (int)fmax(1, round(o->cadence)) : 0;
	l.prepared = strcmp(o->client->writes, "text") != 0;
	l.how = dbagent_writes_copy(sp, o) ? DBAGENT_COPY : DBAGENT_INSERT;
	/*
	 * In rounds: the stage as it is, the stage without syncs, the probe,
	 * then what the wrapper costs, so that drift of the machine hits all
	 * four alike. The first is what the round's speed-up is taken against
	 * (dbagent_split). The second less the third (and the wrapper) is one
	 * estimate of the client's own work, taken two ways and the larger
	 * kept (a smaller own work would claim more than was measured): in
	 * wall time, and in
	 * CPU time (the stage's processes, user and system, against the
	 * probe's) plus the time the stage spends off the CPU beyond the
	 * probe's (wall less CPU on each side, when positive). Each misses
	 * something: on a loaded machine a stage of several processes and
	 * the one-thread probe stretch unequally in wall time (the scheduler
	 * shares the cores per task: 0.7 to 24 ms for 6 ms of work), while
	 * CPU time misses the start-up latency of a chain of processes (1.5
	 * ms for a shell pipeline whose fixed version took 7). Both sides pay
	 * every commit's file work (a journal made and removed), which varies
	 * far more than a small client's work: rounds go on until the median's
	 * CI is narrow enough or the time allowed is spent.
	 */
	while (n < most) {
		double spent_now = nosync_round(a, o, cap, &l, cmd, n + 1, &stage[n],
		    &wall[n], &parts[n]);

		if (spent_now < 0)
			break;	/* no figure: the split falls back, and says so */
		own[n] = own_of(&parts[n], 1);
		n++;
		spent += spent_now;
		if ((stopped = nosync_enough(a, own, n, most, spent, spent_now)) != NULL)
			break;
	}
	free(q);
	free(cmd);
	if (n == 0 || (n < NOSYNC_MIN_PAIRS && n < most))
		return;
	nosync_keep(a, o, cap, parts, stage, own, wall, n);
	o->nosync_stopped = xstrdup(stopped != NULL ? stopped : "a round failed");
}

/* Rows per commit from which a load counts as bulk (its commits cost next to nothing). */
#define DBAGENT_BULK_CADENCE	5000

/*
 * The pattern from the server's own count of the stage's commits
 * (observe_server()), with what its statement statistics say of their
 * shape where it keeps them.
 */
static void
infer_server(const struct spec *sp, struct dbagent_obs *o)
{
	const struct db_driver *d = dbagent_driver(sp);
	char *stmts = d->statements_text != NULL ? d->statements_text(&o->server,
	    sp->db_table) : NULL;

	o->commits = round(o->server.commits);
	o->cadence = o->rows / o->commits;
	/*
	 * The database's count takes in other sessions' commits (autovacuum's
	 * among them): a few thousand rows a commit and more is bulk, as is a
	 * stage whose rows went in by COPY.
	 */
	if (o->cadence <= 2)
		o->pattern = xstrdup("one commit per row");
	else if (o->commits <= 3 || o->cadence >= DBAGENT_BULK_CADENCE ||
	    (o->server.stmt_known && o->server.copy_rows >= 0.9 * o->rows)) {
		o->bulk = 1;
		o->pattern = xstrdup("bulk: one or a few commits");
	} else
		o->pattern = xasprintf("about %.0f rows per commit", o->cadence);
	o->evidence = xasprintf("%.0f transactions committed in the database during one run "
	    "of the stage, for %.0f rows (%.0f rows written: the server's own counts, read "
	    "before and after it; other sessions on that database count too): %s; %s%s%ld "
	    "send and receive calls on the client's sockets (about %.1f a row; a round trip "
	    "to the server takes two or more)",
	    o->commits, o->rows, o->server.rows, o->pattern, stmts != NULL ? stmts : "",
	    stmts != NULL ? "; " : "", o->net, o->rows > 0 ? (double)o->net / o->rows : 0);
	free(stmts);
}

/*
 * Commits from syncs, by what one commit costs in the database's mode
 * (the capture's syncs_per_commit), and the pattern in words.
 */
static void
infer(const struct spec *sp, struct dbagent_obs *o)
{
	double r = o->rows, per = o->syncs_per_commit;

	if (o->untraced != NULL) {
		o->pattern = xstrdup("unknown (no system-call counts)");
		o->evidence = xasprintf("%s: judged by throughput alone", o->untraced);
		return;
	}
	if (o->server.commits > 0 && r > 0) {
		infer_server(sp, o);
		return;
	}
	if (o->syncs == 0 || per <= 0 || r <= 0) {
		o->pattern = xstrdup("unknown (no syncs to count commits by)");
		o->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows, and no way to "
		    "count commits by them in this mode: judged by throughput alone",
		    o->syncs, r);
		return;
	}
	o->commits = o->syncs / per < 1 ? 1 : round(o->syncs / per);
	o->cadence = r / o->commits;
	if (o->cadence <= 2) {
		o->pattern = xstrdup("one commit per row");
		o->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows (about %.0f per "
		    "commit in the database's mode): about one commit per row", o->syncs, r,
		    per);
	} else if (o->commits <= 3) {
		o->bulk = 1;
		o->pattern = xstrdup("bulk: one or a few commits");
		o->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows: about %.0f "
		    "commit%s", o->syncs, r, o->commits, o->commits < 1.5 ? "" : "s");
	} else {
		o->pattern = xasprintf("about %.0f rows per commit", o->cadence);
		o->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows: about %.0f "
		    "commits", o->syncs, r, o->commits);
	}
	{
		char *e = o->evidence;

		o->evidence = xasprintf("%s; %.0f ms of the traced run in those syncs; %ld "
		    "write calls, %ld socket calls", e, o->sync_ms, o->writes, o->net);
		free(e);
	}
}

/*
 * What db-observation.json keeps and is read back from: what was measured.
 * The pattern, commits and cadence are derived from it (infer()) by
 * whoever reads it.
 */
static const struct obs_field {
	const char	*name;
	size_t		 off;
	char		 type;	/* d double, l long, i int */
} obs_fields[] = {
	{ "stage", offsetof(struct dbagent_obs, stage), 'i' },
	{ "runs", offsetof(struct dbagent_obs, runs), 'i' },
	{ "wall_ms", offsetof(struct dbagent_obs, wall_ms), 'd' },
	{ "user_ms", offsetof(struct dbagent_obs, user_ms), 'd' },
	{ "sys_ms", offsetof(struct dbagent_obs, sys_ms), 'd' },
	{ "rows", offsetof(struct dbagent_obs, rows), 'd' },
	{ "syncs", offsetof(struct dbagent_obs, syncs), 'l' },
	{ "sync_ms", offsetof(struct dbagent_obs, sync_ms), 'd' },
	{ "writes", offsetof(struct dbagent_obs, writes), 'l' },
	{ "net", offsetof(struct dbagent_obs, net), 'l' },
	{ "syncs_per_commit", offsetof(struct dbagent_obs, syncs_per_commit), 'd' },
	{ "server_commits", offsetof(struct dbagent_obs, server.commits), 'd' },
	{ "server_rows", offsetof(struct dbagent_obs, server.rows), 'd' },
	{ "server_checkpoints_req", offsetof(struct dbagent_obs, server.checkpoints_req), 'd' },
	{ "server_checkpoints_timed", offsetof(struct dbagent_obs, server.checkpoints_timed),
	  'd' },
	{ "server_wal_buffers_full", offsetof(struct dbagent_obs, server.wal_buffers_full),
	  'd' },
	{ "server_wal_bytes", offsetof(struct dbagent_obs, server.wal_bytes), 'd' },
	{ "server_table_vacuums", offsetof(struct dbagent_obs, server.table_vacuums), 'd' },
	{ "server_stmt_known", offsetof(struct dbagent_obs, server.stmt_known), 'i' },
	{ "server_insert_calls", offsetof(struct dbagent_obs, server.insert_calls), 'd' },
	{ "server_insert_rows", offsetof(struct dbagent_obs, server.insert_rows), 'd' },
	{ "server_copy_calls", offsetof(struct dbagent_obs, server.copy_calls), 'd' },
	{ "server_copy_rows", offsetof(struct dbagent_obs, server.copy_rows), 'd' },
	{ "nosync_ms", offsetof(struct dbagent_obs, nosync_ms), 'd' },
	{ "own_nosync_ms", offsetof(struct dbagent_obs, own_nosync_ms), 'd' },
	{ "own_nosync_lo", offsetof(struct dbagent_obs, own_nosync_lo), 'd' },
	{ "own_nosync_hi", offsetof(struct dbagent_obs, own_nosync_hi), 'd' },
	{ "nosync_pairs", offsetof(struct dbagent_obs, nosync_pairs), 'd' },
	{ "capture_rows", offsetof(struct dbagent_obs, capture_rows), 'd' },
	{ "fold_pairs", offsetof(struct dbagent_obs, fold.pairs), 'd' },
	{ "fold_as_is_ms", offsetof(struct dbagent_obs, fold.as_is_ms), 'd' },
	{ "fold_folded_ms", offsetof(struct dbagent_obs, fold.changed_ms), 'd' },
	{ "fold_speedup", offsetof(struct dbagent_obs, fold.speedup), 'd' },
	{ "fold_lo", offsetof(struct dbagent_obs, fold.lo), 'd' },
	{ "fold_hi", offsetof(struct dbagent_obs, fold.hi), 'd' },
	{ "fold_commits", offsetof(struct dbagent_obs, fold.commits), 'd' },
	{ "fold_folded_commits", offsetof(struct dbagent_obs, fold.folded_commits), 'd' },
	{ "fold_writes", offsetof(struct dbagent_obs, fold.writes), 'd' },
	{ "fold_rows", offsetof(struct dbagent_obs, fold.rows), 'd' },
};

/* A named member of db-observation.json that is not a number. */
struct obs_named {
	const char	*name;
	size_t		 off;
};

/* Each no-sync round's figures, nosync_pairs of them. */
static const struct obs_named obs_arrays[] = {
	{ "pair_stage_ms", offsetof(struct dbagent_obs, pair_stage_ms) },
	{ "pair_own_ms", offsetof(struct dbagent_obs, pair_own_ms) },
	{ "pair_nosync_ms", offsetof(struct dbagent_obs, pair_nosync_ms) },
	{ "pair_probe_ms", offsetof(struct dbagent_obs, pair_probe_ms) },
};

static const struct obs_named obs_strings[] = {
	{ "rows_from", offsetof(struct dbagent_obs, rows_from) },
	{ "untraced", offsetof(struct dbagent_obs, untraced) },
	{ "failure", offsetof(struct dbagent_obs, failure) },
	{ "observer", offsetof(struct dbagent_obs, observer) },
	{ "fold_none", offsetof(struct dbagent_obs, fold.none) },
	{ "fold_stopped", offsetof(struct dbagent_obs, fold.stopped) },
	{ "nosync_stopped", offsetof(struct dbagent_obs, nosync_stopped) },
};

static cJSON *
observation_json(const struct dbagent_obs *o)
{
	cJSON *j = cJSON_CreateObject();
	const char *base = (const char *)o;

	for (size_t i = 0; i < PERFD_ARRAY_LEN(obs_fields); i++) {
		const struct obs_field *f = &obs_fields[i];
		double v = f->type == 'd' ? *(const double *)(base + f->off) :
		    f->type == 'l' ? (double)*(const long *)(base + f->off) :
		    *(const int *)(base + f->off);

		cJSON_AddNumberToObject(j, f->name, v);
	}
	for (size_t i = 0; i < PERFD_ARRAY_LEN(obs_strings); i++) {
		const char *v = *(char *const *)(base + obs_strings[i].off);

		if (v != NULL)
			cJSON_AddStringToObject(j, obs_strings[i].name, v);
	}
	for (size_t i = 0; i < PERFD_ARRAY_LEN(obs_arrays); i++)
		cJSON_AddItemToObject(j, obs_arrays[i].name, cJSON_CreateDoubleArray(
		    (const double *)(base + obs_arrays[i].off), (int)o->nosync_pairs));
	if (o->client != NULL)
		cJSON_AddStringToObject(j, "client", o->client->id);
	/* What infer() made of it, for a person reading the file; not read back. */
	if (o->pattern != NULL) {
		cJSON_AddNumberToObject(j, "commits", o->commits);
		cJSON_AddNumberToObject(j, "cadence", o->cadence);
		cJSON_AddStringToObject(j, "pattern", o->pattern);
		cJSON_AddStringToObject(j, "evidence", o->evidence);
	}
	return j;
}

/* Another agent's observation, as it wrote it; -1 when unreadable. */
static int
observation_read(const struct spec *sp, const char *text, struct dbagent_obs *o)
{
	cJSON *j = cJSON_Parse(text);
	const struct db_driver *d = dbagent_driver(sp);
	const char *client;
	char *base = (char *)o;

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	for (size_t i = 0; i < PERFD_ARRAY_LEN(obs_fields); i++) {
		const struct obs_field *f = &obs_fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, f->name);
		double x = cJSON_IsNumber(v) ? v->valuedouble : 0;

		if (f->type == 'd')
			*(double *)(base + f->off) = x;
		else if (f->type == 'l')
			*(long *)(base + f->off) = (long)x;
		else
			*(int *)(base + f->off) = (int)x;
	}
	for (size_t i = 0; i < PERFD_ARRAY_LEN(obs_strings); i++) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
		    obs_strings[i].name));

		*(char **)(base + obs_strings[i].off) = v != NULL ? xstrdup(v) : NULL;
	}
	if (o->nosync_pairs < 0 || o->nosync_pairs > DBAGENT_PAIRS_MAX)
		o->nosync_pairs = 0;
	for (size_t i = 0; i < PERFD_ARRAY_LEN(obs_arrays); i++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, obs_arrays[i].name);
		double *v = (double *)(base + obs_arrays[i].off);

		if (cJSON_GetArraySize(arr) != (int)o->nosync_pairs)
			o->nosync_pairs = 0;	/* without them, no pairs at all */
		for (int k = 0; k < (int)o->nosync_pairs; k++) {
			const cJSON *x = cJSON_GetArrayItem(arr, k);

			v[k] = cJSON_IsNumber(x) ? x->valuedouble : 0;
		}
	}
	client = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "client"));
	o->client = &d->clients[d->nclients - 1];
	for (int i = 0; client != NULL && i < d->nclients; i++)
		if (strcmp(client, d->clients[i].id) == 0)
			o->client = &d->clients[i];
	cJSON_Delete(j);
	if (o->failure != NULL)
		return 0;
	if (o->rows_from == NULL)
		return -1;
	infer(sp, o);
	return 0;
}

/* What the stage did, observed by this agent (the caller holds the lock): 0, or -1 with *cause. */
static int
observe_here(struct agent *a, struct db_capture *cap, int *captured, struct dbagent_obs *o,
    char **cause)
{
	const struct spec *sp = a->spec;

	o->client = client_of(sp, o->stage);
	o->rows = (double)sp->rows;
	o->rows_from = xstrdup(sp->rows > 0 ? "the spec's rows" : "the table's row "
	    "count after the stage minus before (read-only)");
	if (observe_timed(a, o, cap, cause) != 0) {
		o->failure = xstrdup(*cause);
		if (cap->copy != NULL)	/* a later run failed: the caller gets none */
			dbagent_driver(sp)->release(cap);
		return -1;
	}
	*captured = 1;
	o->syncs_per_commit = cap->syncs_per_commit;
	observe_traced(a, o);
	observe_server(a, o);
	infer(sp, o);
	dbfold_measure(a, o, &o->fold);
	/*
	 * The no-sync rounds only serve to bound a probe figure: none is
	 * needed when every database figure is the stage's own (settings and
	 * the fold on the stage, batch sizes through the pipeline's command
	 * or not swept at all).
	 */
	if (!dbagent_settings_on_stage(o) || (sp->has_batch && sp->batch_command == NULL))
		observe_nosync(a, o, cap);
	return 0;
}

int
dbagent_writes_copy(const struct spec *sp, const struct dbagent_obs *o)
{
	const struct db_activity *d = &o->server;

	if (dbagent_driver(sp)->insert_copy == NULL)
		return 0;
	return (o->client != NULL && strcmp(o->client->writes, "copy") == 0) ||
	    (d->stmt_known && o->rows > 0 && d->copy_rows >= 0.9 * o->rows);
}

int
dbagent_settings_on_stage(const struct dbagent_obs *o)
{
	return o->fold.pairs > 0 && o->wall_ms <= DBAGENT_ON_STAGE_MAX_MS;
}

/* The observation for the other agents, whole or not at all (failures too). */
static void
observation_write(struct agent *a, const char *path, const struct dbagent_obs *o)
{
	cJSON *j = observation_json(o);
	char *s = cJSON_Print(j), *why = NULL;

	if (file_write_atomic(path, s, strlen(s), &why) != 0) {
		agent_log(a, "warn", "%s", why);
		free(why);
	}
	cJSON_Delete(j);
	free(s);
}

int
dbagent_observe(struct agent *a, struct db_capture *cap, int *captured,
    struct dbagent_obs *o, char **cause)
{
	const struct spec *sp = a->spec;
	char *path = path_join(a->inv_dir, OBSERVATION_FILE), *text, *why = NULL;
	int rc;

	memset(o, 0, sizeof *o);
	*captured = 0;
	o->stage = dbagent_stage(sp);
	if (o->stage < 0) {
		free(path);
		*cause = xstrdup("no client.stage or batch.stage says which stage writes to "
		    "the database");
		return -1;
	}
	/*
	 * All under one lock hold: the first database agent to hold it
	 * observes and publishes; the others, holding it after, find the file
	 * whole (written atomically before the lock is released) and never
	 * observe a second time.
	 */
	agent_lock(a);
	text = file_read(path, 1 << 20, NULL, &why);
	free(why);
	if (text != NULL) {
		rc = observation_read(sp, text, o);
		free(text);
		agent_unlock(a);
		free(path);
		if (rc != 0 || o->failure != NULL) {
			*cause = xstrdup(o->failure != NULL ? o->failure :
			    "the investigation's observation of the database stage is "
			    "unreadable");
			return -1;
		}
		return 0;
	}
	rc = observe_here(a, cap, captured, o, cause);
	observation_write(a, path, o);
	agent_unlock(a);
	free(path);
	return rc;
}

void
dbagent_obs_free(struct dbagent_obs *o)
{
	free(o->rows_from);
	free(o->untraced);
	free(o->nosync_stopped);
	free(o->pattern);
	free(o->evidence);
	free(o->failure);
	free(o->observer);
	dbfold_free(&o->fold);
	memset(o, 0, sizeof *o);
}

/*
 * The own work from the no-sync rounds into s; 0, or -1 when they resolved
 * none. When zero lies inside its range the rounds could not tell it from
 * nothing, and a figure on the low end would claim what was not measured
 * (x180 claimed, x29 applied, here): the upper end is taken, the smaller
 * claim. When even that is below the resolution (1 in 4 runs of the shell
 * loader here, x157 claimed, x36 applied) they say nothing of it.
 */
static int
own_from_rounds(const struct dbagent_obs *o, struct dbagent_split *s)
{
	s->own_ms = fmax(0, o->own_nosync_ms);
	s->own_lo = fmax(0, o->own_nosync_lo);
	s->own_hi = o->own_nosync_hi;
	if (o->own_nosync_lo <= 0 && s->own_hi > s->own_ms) {
		s->own_ms = s->own_hi;
		s->own_unresolved = 1;
	}
	if (s->own_ms < OWN_RESOLUTION_MS) {
		s->own_unresolved = 0;
		return -1;
	}
	s->own_from = DBAGENT_OWN_NOSYNC;
	return 0;
}

void
dbagent_split(const struct dbagent_obs *o, double now_rows_s, struct dbagent_split *s)
{
	double w = o->wall_ms;
	double a = w - (now_rows_s > 0 ? o->rows * 1000 / now_rows_s : 0);
	int a_ok = a >= OWN_TRUSTED * w;
	struct stats st;

	memset(s, 0, sizeof *s);
	s->rows = o->rows;
	s->now_rate = now_rows_s;
	s->observed_ms = w;
	if (o->nosync_ms > 0 && o->nosync_pairs >= 1) {
		/* The rounds carry the stage's times, resolved own work or not. */
		s->pairs = (int)o->nosync_pairs;
		s->stopped = o->nosync_stopped;
		for (int i = 0; i < s->pairs; i++)
			s->pair_stage_ms[i] = o->pair_stage_ms[i];
		stats_compute(s->pair_stage_ms, s->pairs, &st);
		w = st.median;
	}
	/*
	 * In order of preference (see dbagent.h). Rounds that resolved nothing
	 * say differences are not to be trusted here: the CPU bound alone
	 * then, never the stage less the probe with syncs, a difference of
	 * two figures each nearly the whole stage (x4.8 claimed, x41 applied,
	 * in a CI run that had rounds).
	 */
	if (s->pairs == 0 || own_from_rounds(o, s) != 0) {
		s->own_from = s->pairs == 0 && a_ok ? DBAGENT_OWN_PROBE : DBAGENT_OWN_CPU;
		if (s->own_from == DBAGENT_OWN_PROBE)
			s->own_ms = a;
		else
			s->own_ms = s->pairs > 0 ? o->user_ms : fmax(a, o->user_ms);
	}
	s->stage_ms = w;
	s->own_ms = fmin(fmax(s->own_ms, 0), w);
	if (s->own_from != DBAGENT_OWN_NOSYNC)
		s->own_lo = s->own_hi = s->own_ms;
	s->own_lo = fmin(s->own_lo, s->own_ms);
	s->own_hi = fmin(fmax(s->own_hi, s->own_ms), w);
	s->db_ms = w - s->own_ms;
}

/*
 * The database's part db after the change: the probe's gain (its rate for
 * the new pattern against its rate for the observed one) applied to it,
 * never more than it was. Without the observed pattern's rate, the probe's
 * time for the new pattern.
 */
static double
db_after(const struct dbagent_split *s, double db, double new_rows_s)
{
	if (new_rows_s <= 0)
		return db;
	if (s->now_rate > 0)
		return fmin(db * s->now_rate / new_rows_s, db);
	return fmin(s->rows * 1000 / new_rows_s, db);
}

/* A stage of stage_ms with own work `own`, the database's part at new_rows_s. */
static double
speedup_with(const struct dbagent_split *s, double stage_ms, double own, double new_rows_s)
{
	double db = stage_ms - own;

	return stage_ms > 0 ? stage_ms / (own + db_after(s, db, new_rows_s)) : 1;
}

/*
 * The speed-up against each no-sync round's own run of the stage, with own
 * work `own` and the database's part at new_rows_s, and their statistics.
 */
static void
pair_speedups(const struct dbagent_split *s, double own, double new_rows_s,
    struct stats *st)
{
	double k[DBAGENT_PAIRS_MAX];

	for (int i = 0; i < s->pairs; i++)
		k[i] = speedup_with(s, s->pair_stage_ms[i], fmin(own, s->pair_stage_ms[i]),
		    new_rows_s);
	stats_compute(k, s->pairs, st);
}

void
dbagent_split_range(const struct dbagent_split *s, double new_lo, double new_hi, double *lo,
    double *hi)
{
	struct stats st;

	if (s->pairs > 0) {
		pair_speedups(s, s->own_hi, new_lo, &st);
		*lo = st.ci_lo;
		pair_speedups(s, s->own_lo, new_hi, &st);
		*hi = st.ci_hi;
		return;
	}
	*lo = speedup_with(s, s->stage_ms, s->own_hi, new_lo);
	*hi = speedup_with(s, s->stage_ms, s->own_lo, new_hi);
}

double
dbagent_split_speedup(const struct dbagent_split *s, double new_rows_s)
{
	struct stats st;

	if (s->pairs > 0) {
		pair_speedups(s, s->own_ms, new_rows_s, &st);
		return st.median;
	}
	return speedup_with(s, s->stage_ms, s->own_ms, new_rows_s);
}

/*
 * Into buf, what the stage's runs (the observation's and the rounds') spread
 * over when the slowest took more than twice the fastest: a stage bound by
 * its syncs moves with the disk's latency (ten times slower for seconds,
 * seen here on a shared machine; x398 claimed from one such run, x40
 * applied), and its speed-up with it.
 */
static void
spread_text(const struct dbagent_split *s, char *buf, size_t len)
{
	double lo = s->observed_ms, hi = s->observed_ms;

	for (int i = 0; i < s->pairs; i++) {
		lo = fmin(lo, s->pair_stage_ms[i]);
		hi = fmax(hi, s->pair_stage_ms[i]);
	}
	if (s->pairs > 0 && hi > 2 * lo)
		snprintf(buf, len, "; the stage itself took from %.1f to %.1f ms across "
		    "its runs (its syncs' latency moved with the disk's load): the "
		    "figure is for the runs named, and a re-run will move with the disk",
		    lo, hi);
}

char *
dbagent_split_text(const struct dbagent_split *s, double new_rows_s)
{
	double k = dbagent_split_speedup(s, new_rows_s);
	char range[160] = "", runs[256] = "", spread[224] = "";

	if (s->pairs > 0)
		snprintf(runs, sizeof runs, " (median of %d runs, each beside a run "
		    "without syncs and a probe run; stopped there: %s)", s->pairs,
		    s->stopped != NULL ? s->stopped : "?");
	spread_text(s, spread, sizeof spread);
	if (s->own_unresolved)
		snprintf(range, sizeof range, "; over %d rounds it could not be told "
		    "from zero (range %.1f–%.1f ms): the upper end is taken", s->pairs,
		    s->own_lo, s->own_hi);
	else if (s->own_hi > s->own_lo)
		snprintf(range, sizeof range, "; each side its least over %d rounds; "
		    "range %.1f–%.1f ms", s->pairs, s->own_lo, s->own_hi);

	static const char *const how[] = {
		[DBAGENT_OWN_PROBE] = "the stage less the probe's time for its pattern",
		[DBAGENT_OWN_NOSYNC] = "the stage run with its commits' syncs skipped "
		    "less the probe's time for its pattern without syncs",
		[DBAGENT_OWN_CPU] = "the stage's whole user CPU time, an upper bound: no "
		    "closer estimate could be trusted",
	};

	return xasprintf("the stage took %.1f ms for %.0f rows%s: %.1f ms is the "
	    "client's own work (%s%s), which no database change shortens, and %.1f ms "
	    "the database's part; with the probe's gain applied to the database's "
	    "part (%.1f ms) the stage would take %.1f ms: x%.2f%s%s. The split rests on "
	    "the probe's rows costing the database what the stage's do: where the stage's "
	    "cost it more (wider values, keys in less order), its own work is less than "
	    "this and the gain more", s->stage_ms,
	    s->rows, runs,
	    s->own_ms, how[s->own_from], range, s->db_ms,
	    db_after(s, s->db_ms, new_rows_s), s->stage_ms / k, k,
	    s->pairs > 0 ? " (the median of each round's own speed-up)" : "", spread);
}

int
dbagent_abstain(struct agent *a, const char *status, const char *report_name,
    const char *title, const char *why)
{
	struct findings *f = findings_new(a->name, status);
	char *md;
	int rc;

	f->headline = xstrdup(why);
	for (int s = 0; s < a->spec->nstages; s++)
		findings_vote(f, a->spec->stages[s].name, "abstain", "%s", why);
	md = xasprintf("# %s: %s\n\n%s\n", title, a->spec->name, why);
	rc = agent_publish(a, f, report_name, md);
	agent_progress(a, 100, "%s", why);
	free(md);
	findings_free(f);
	return rc == 0 ? 0 : 1;
}

/* One run on a fresh scratch copy: rows/s, or -1 with *cause. */
static double
one_run(struct agent *a, const struct db_capture *cap, const char *const *settings,
    const struct dbagent_load *l, double *cpu_ms, char **cause)
{
	double cpu0;
	const struct db_driver *d = dbagent_driver(a->spec);
	char *path = agent_path(a, "scratch.db");
	struct db_scratch *s;
	double secs = -1;

	/* Scratch copies come from the capture; the lock keeps timings apart. */
	agent_lock(a);
	s = d->scratch(a->spec, cap, path, cause);
	free(path);
	if (s == NULL) {
		agent_unlock(a);
		return -1;
	}
	for (int i = 0; settings != NULL && settings[i] != NULL; i++) {
		char *name = xstrdup(settings[i]), *eq = strchr(name, '=');
		int rc;

		*eq = '\0';
		rc = d->set(s, name, eq + 1, cause);
		free(name);
		if (rc != 0) {
			agent_unlock(a);
			d->close(s);
			return -1;
		}
	}
	cpu0 = now_cpu_s();
	if (l->how == DBAGENT_COPY)
		secs = d->insert_copy(s, l->rows, cause);
	else if (l->how == DBAGENT_PIPELINE)
		secs = d->insert_pipeline(s, l->rows, cause);
	else if (l->per_stmt > 0)
		secs = d->insert_multi(s, l->rows, l->per_stmt, cause);
	else
		secs = d->insert(s, l->rows, l->commit_every, l->prepared, cause);
	if (cpu_ms != NULL)
		*cpu_ms = (now_cpu_s() - cpu0) * 1000;
	agent_unlock(a);
	d->close(s);
	return secs > 0 ? l->rows / secs : -1;
}

/*
 * With a budget: whether the next probe run (as long as the longest so far,
 * in the lock) still fits after n counted ones; the first is always made.
 * The first cut is said once for the agent.
 */
static int
probe_fits(struct agent *a, int n, double longest_ms)
{
	static int said;

	if (n == 0 || agent_fits(a, longest_ms))
		return 1;
	if (!said++)
		agent_cut(a, "perfd's probe: some measurements made fewer runs than planned "
		    "(their CIs are wider, and say so)");
	return 0;
}

/* One probe run, its time in the lock into *longest_ms (the larger of the two). */
static double
timed_run(struct agent *a, const struct db_capture *cap, const char *const *settings,
    const struct dbagent_load *l, double *longest_ms, char **cause)
{
	double held = agent_held_ms(a), v = one_run(a, cap, settings, l, NULL, cause);

	*longest_ms = fmax(*longest_ms, agent_held_ms(a) - held);
	return v;
}

int
dbagent_measure(struct agent *a, const struct db_capture *cap, const char *const *settings,
    const struct dbagent_load *l, int reps, struct stats *st, char **cause)
{
	double *x = xcalloc((size_t)reps, sizeof *x), longest = 0;
	int n = 0;

	for (int r = -1; r < reps && probe_fits(a, n, longest); r++) {	/* r = -1: a warm-up */
		double v = timed_run(a, cap, settings, l, &longest, cause);

		if (v < 0) {
			free(x);
			return -1;
		}
		if (r >= 0)
			x[n++] = v;
	}
	stats_compute(x, n, st);
	free(x);
	return 0;
}

/*
 * Whether n paired ratios already say enough: from DBAGENT_PAIRS_LEAST on,
 * their median's 95% CI within +-DBAGENT_PAIRS_PRECISION of it (more
 * pairs would narrow a CI that no verdict or ranking reads that finely).
 */
static int
pairs_settled(const double *ratio, int n)
{
	struct stats st;

	if (n < DBAGENT_PAIRS_LEAST)
		return 0;
	stats_compute(ratio, n, &st);
	return stats_settled(&st, DBAGENT_PAIRS_PRECISION, 0);
}

int
dbagent_measure_pair(struct agent *a, const struct db_capture *cap, const char *const *base,
    const char *const *cand, const struct dbagent_load *l, int reps, struct stats *sb,
    struct stats *sc, struct stats *ratio, char **cause)
{
	double *xb = xcalloc((size_t)reps, sizeof *xb), *xc = xcalloc((size_t)reps, sizeof *xc);
	double *xr = xcalloc((size_t)reps, sizeof *xr), longest = 0;
	int rc = -1, n = 0;

	if (timed_run(a, cap, base, l, &longest, cause) < 0)	/* warm-up */
		goto out;
	for (; n < reps && probe_fits(a, n, 2 * longest) && !pairs_settled(xr, n); n++) {
		xb[n] = timed_run(a, cap, base, l, &longest, cause);
		if (xb[n] < 0)
			goto out;
		xc[n] = timed_run(a, cap, cand, l, &longest, cause);
		if (xc[n] < 0)
			goto out;
		xr[n] = xc[n] / xb[n];
	}
	stats_compute(xb, n, sb);
	stats_compute(xc, n, sc);
	stats_compute(xr, n, ratio);
	rc = 0;
out:
	free(xb);
	free(xc);
	free(xr);
	return rc;
}
