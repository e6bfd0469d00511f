/* profiling.c - the profiling agent: where the pipeline's time really goes. */
#include "profiling.h"
#include "agents.h"
#include "matrix.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static double
loadavg(void)
{
	char *cause = NULL, *text = file_read("/proc/loadavg", 256, NULL, &cause);
	double v = 0;

	if (text != NULL)
		v = atof(text);
	free(text);
	free(cause);
	return v;
}

/* The first line of a command's output, or NULL. */
static char *
command_line(const char *cmd, const char *cwd, const char *tmpdir)
{
	char *out = xasprintf("%s/.cmd.out", tmpdir), *text, *cause = NULL, *nl;
	struct run_opts o = { .cmd = cmd, .cwd = cwd, .stdout_path = out, .timeout_ms = 5000 };
	struct run_result r;

	run_command(&o, &r);
	text = run_ok(&r) ? file_read(out, 4096, NULL, &cause) : NULL;
	unlink(out);
	free(out);
	free(cause);
	if (text != NULL && (nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	if (text != NULL && text[0] == '\0') {
		free(text);
		text = NULL;
	}
	return text;
}

static char *
cpu_model(void)
{
	char *cause = NULL, *text = file_read("/proc/cpuinfo", 1 << 20, NULL, &cause);
	char *p, *end, *model = NULL;

	free(cause);
	if (text != NULL && (p = strstr(text, "model name")) != NULL &&
	    (p = strchr(p, ':')) != NULL) {
		p += 2;
		end = strchr(p, '\n');
		model = end != NULL ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
	}
	free(text);
	return model != NULL ? model : xstrdup("unknown");
}

static void
context(struct prof *p)
{
	struct utsname u;
	char *cause = NULL, *json, hash[17];
	size_t len;

	p->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	p->kernel = uname(&u) == 0 ? xasprintf("%s %s %s", u.sysname, u.release,
	    u.machine) : xstrdup("unknown");
	p->cpu_model = cpu_model();
	p->git_commit = command_line("git rev-parse HEAD 2>/dev/null", p->a->spec->workdir,
	    p->a->dir);
	json = file_read(p->a->spec_path, 1 << 20, &len, &cause);
	if (json != NULL) {
		hash_hex(json, len, hash);
		p->spec_hash = xstrdup(hash);
	} else
		p->spec_hash = xstrdup("unknown");
	free(json);
	free(cause);
	p->load_before = loadavg();
	p->started = now_iso(now_unix_ms());
}

/*
 * The cost of starting /bin/sh, measured the way stages are run: the
 * median of PROF_CALIBRATION_RUNS empty commands, under the lock.
 */
static void
calibrate(struct prof *p)
{
	double x[PROF_CALIBRATION_RUNS];
	struct run_opts o = { .cmd = ":" };
	struct run_result r;
	struct stats st;

	agent_progress(p->a, 2, "calibrating process start (%d empty runs)",
	    PROF_CALIBRATION_RUNS);
	agent_lock(p->a);
	for (int i = 0; i < PROF_CALIBRATION_RUNS; i++) {
		run_command(&o, &r);
		x[i] = (double)r.wall_ns / 1e6;
	}
	agent_unlock(p->a);
	stats_compute(x, PROF_CALIBRATION_RUNS, &st);
	p->shell_ms = st.median;
}

static void
add_failure(struct prof *p, int run, const char *stage, const char *text)
{
	struct prof_failure *f;

	p->fail = xrealloc(p->fail, sizeof *p->fail * (size_t)(p->nfail + 1));
	f = &p->fail[p->nfail++];
	f->run = run;
	f->stage = xstrdup(stage);
	f->text = xstrdup(text);
	agent_log(p->a, "warning", "run %d: %s", run, text);
}

static void
record(struct prof *p, int stage, int run, struct stage_result *res)
{
	struct prof_sample *s = &p->st[stage].s[run];

	s->ok = res->ok;
	s->exit_code = p->st[stage].fetch ? (res->ok ? 0 : 1) :
	    res->run.timed_out ? -1 : res->run.exit_code;
	s->raw_ms = res->wall_ms;
	s->wall_ms = res->wall_ms;
	if (!p->st[stage].fetch)
		s->wall_ms = fmax(0, res->wall_ms - p->shell_ms);
	s->util = res->cpu_util;
	if (p->st[stage].fetch) {
		s->fetch = res->fetch;
		s->user_s = res->fetch.cpu_s;
		s->read_bytes = res->fetch.bytes;
	} else {
		s->user_s = res->run.user_s;
		s->sys_s = res->run.sys_s;
		s->rss_kb = res->run.maxrss_kb;
		s->read_bytes = res->run.read_bytes;
		s->write_bytes = res->run.write_bytes;
	}
}

/*
 * One pipeline run: setup, each stage timed, teardown. The lock covers
 * the whole run, not only the timed stages: every agent runs the same
 * pipeline in the same workdir, and another agent's setup must not
 * delete files under one of our stages.
 */
static int
one_run(struct prof *p, int r)
{
	const struct spec *sp = p->a->spec;
	int shown = r < p->warmup ? -(r + 1) : r - p->warmup + 1, complete = 1;
	char *failure = NULL;

	agent_lock(p->a);
	if (pipeline_hook(sp, "setup", sp->setup, p->a->dir, &failure) != 0) {
		agent_unlock(p->a);
		add_failure(p, shown, "setup", failure);
		free(failure);
		return 0;
	}
	for (int i = 0; i < sp->nstages; i++) {
		struct stage_result res;

		pipeline_stage(sp, i, p->a->dir, NULL, &res);
		record(p, i, r, &res);
		if (!res.ok) {
			add_failure(p, shown, sp->stages[i].name, res.failure);
			pipeline_result_free(&res);
			complete = 0;
			break;
		}
		pipeline_result_free(&res);
	}
	if (pipeline_hook(sp, "teardown", sp->teardown, p->a->dir, &failure) != 0) {
		add_failure(p, shown, "teardown", failure);
		free(failure);
	}
	agent_unlock(p->a);
	p->load_max = fmax(p->load_max, loadavg());
	return complete;
}

static int stage_shares(const struct prof *, int, int, double *);

/*
 * Whether more runs would change what profiling says, with its first n
 * counted runs: the bottleneck is decided (its share's CI clear of every
 * other stage's), and every stage's share has a CI within
 * +-PROF_AUTO_SHARE (the shares are what the verdicts and the Amdahl
 * ranking of every recommendation rest on; a small stage's median may
 * stay wide, as parsing at 40 +- 9 ms does beside a 590 ms run, without
 * moving either). A pipeline too fast to rank settles at once.
 */
static int
prof_settled(const struct prof *p, int n)
{
	int best = -1, ok = 1;
	double *x = xcalloc((size_t)(p->warmup + p->reps), sizeof *x);
	struct stats *sh = xcalloc((size_t)p->nstages, sizeof *sh), tot;

	stats_compute(p->totals, p->ntotals, &tot);
	for (int i = 0; i < p->nstages && tot.median >= PROF_TINY_MS; i++) {
		int m = stage_shares(p, i, n, x);

		stats_compute(x, m, &sh[i]);
		if (best < 0 || sh[i].median > sh[best].median)
			best = i;
		ok &= m >= PROF_AUTO_MIN && (sh[i].ci_hi - sh[i].ci_lo) / 2 <= PROF_AUTO_SHARE;
	}
	for (int j = 0; best >= 0 && j < p->nstages; j++)
		ok &= j == best || sh[j].ci_hi < sh[best].ci_lo;
	free(x);
	free(sh);
	return ok;
}

/* With auto, after counted run n: stop now? (It must settle twice in a row: not on a lucky streak.) */
static int
prof_enough(struct prof *p, int n, int *settled_before)
{
	if (!p->auto_reps || n < PROF_AUTO_MIN || p->ntotals < PROF_AUTO_MIN)
		return 0;
	if (!prof_twice(prof_settled(p, n), settled_before))
		return 0;
	p->stopped = xasprintf("settled after %d runs: the bottleneck decided and every "
	    "stage's share's 95%% CI within +-%.0f points, two runs in a row", n,
	    PROF_AUTO_SHARE * 100);
	return 1;
}

int
prof_twice(int now, int *before)
{
	int twice = now && *before;

	*before = now;
	return twice;
}

/*
 * With a budget, before run r: whether another run (as long as the
 * longest so far) still fits. After the first, the least profiling needs
 * is known, and a budget below it is said at once. The first counted run
 * is always made: without it there is no figure at all.
 */
static int
budget_allows(struct prof *p, int r, double longest_ms)
{
	int least = p->warmup + (p->auto_reps ? PROF_AUTO_MIN : p->reps);

	if (r == 1 && !agent_fits(p->a, (least - 1) * longest_ms))
		agent_cut(p->a, "the budget (%.1f s) is less than profiling needs at the least: "
		    "%d runs of the pipeline at %.2f s each (%.1f s); its figures come from the "
		    "runs that fitted", (double)p->a->spec->budget_ms / 1000, least,
		    longest_ms / 1000, least * longest_ms / 1000);
	if (r == 0 || r <= p->warmup || agent_fits(p->a, longest_ms))
		return 1;
	p->stopped = xasprintf("the budget: %d counted run%s fitted in it", r - p->warmup,
	    r - p->warmup == 1 ? "" : "s");
	agent_cut(p->a, "%d counted run%s, where %s", r - p->warmup,
	    r - p->warmup == 1 ? "" : "s", p->auto_reps ? "auto goes on until the figures "
	    "settle (up to 30)" : "the spec asks for more");
	return 0;
}

static void
measure(struct prof *p)
{
	int total = p->warmup + p->reps, bad_in_a_row = 0, settled = 0, made = 0;
	double longest = 0;

	p->totals = xcalloc((size_t)p->reps, sizeof *p->totals);
	for (int r = 0; r < total && budget_allows(p, r, longest); r++) {
		int counted = r >= p->warmup, ok;
		double held = agent_held_ms(p->a);	/* a run's time in the lock, not waiting for it */

		agent_progress(p->a, 5 + 75 * r / total, "%s %d/%s%d", counted ?
		    "run" : "warmup", counted ? r - p->warmup + 1 : r + 1,
		    counted && p->auto_reps ? "at most " : "", counted ? p->reps : p->warmup);
		ok = one_run(p, r);
		made += counted;
		longest = fmax(longest, agent_held_ms(p->a) - held);
		if (ok && counted) {
			double sum = 0;

			for (int i = 0; i < p->nstages; i++)
				sum += p->st[i].s[r].wall_ms;
			p->totals[p->ntotals++] = sum;
		}
		if (counted && prof_enough(p, made, &settled))
			break;
		/* A pipeline that keeps failing is broken: stop measuring it. */
		bad_in_a_row = ok ? 0 : bad_in_a_row + 1;
		if (bad_in_a_row >= 2 && r + 1 < total) {
			agent_log(p->a, "error", "two runs in a row failed: stopping");
			p->stopped = xstrdup("two runs in a row failed");
			break;
		}
	}
	if (p->stopped == NULL)
		p->stopped = p->auto_reps ? xasprintf("the most auto allows (%d runs): the "
		    "figures had not settled", p->reps) : xasprintf("the spec's repetitions "
		    "(%d)", p->reps);
	/* With auto or a budget, the counted runs are the ones made; arrays keep their room. */
	if ((p->auto_reps || p->a->spec->budget_ms > 0) && made > 0)
		p->reps = made;
}

/* The longest of a stage's good counted runs so far, in ms. */
static double
stage_longest(const struct prof *p, const struct prof_stage *ps)
{
	double w = 0;

	for (int r = p->warmup; r < p->warmup + p->reps; r++)
		if (ps->s[r].ok)
			w = fmax(w, ps->s[r].wall_ms);
	return w;
}

/* Runs a level makes at the least, and the spread of its speed-ups that stops it there. */
#define CONC_MIN_RUNS	3
#define CONC_SPREAD	0.20
/* A level at most this much over the level below gains nothing. */
#define CONC_FLAT	1.05

/* Whether a level's first n speed-ups (n >= CONC_MIN_RUNS) spread little enough to stop. */
static int
level_settled(const double *speedup, int n)
{
	struct stats s;

	if (n < CONC_MIN_RUNS)
		return 0;
	stats_compute(speedup, n, &s);
	/* Up to 5 runs the median's CI is their whole range. */
	return stats_settled(&s, CONC_SPREAD / 2, 0);
}

/* c's median throughput, and its speed-ups (over the one-transfer level's median). */
static void
level_figures(struct prof_conc *c, double *thr, const struct prof_conc *one)
{
	struct stats s;
	double base;

	if (c->runs == 0)
		return;
	stats_compute(thr, c->runs, &s);
	c->throughput = s.median;
	base = one != NULL ? one->throughput : c->throughput;
	if (base <= 0)
		return;
	for (int r = 0; r < c->runs; r++)
		thr[r] /= base;
	stats_compute(thr, c->runs, &s);
	c->speedup = s.median;
	c->speedup_lo = s.min;
	c->speedup_hi = s.max;
}

/*
 * The one-transfer level: the stage's own counted runs, which are one
 * transfer each. The speed-up is then taken against the stage as the
 * pipeline ran it, and no transfer is made twice.
 */
static void
level_one(struct prof *p, const struct prof_stage *ps, struct prof_conc *c)
{
	double *thr = xcalloc((size_t)p->reps, sizeof *thr);

	c->from_runs = 1;
	for (int r = p->warmup; r < p->warmup + p->reps; r++)
		if (ps->s[r].ok && ps->s[r].fetch.total_ms > 0)
			thr[c->runs++] = (double)ps->s[r].fetch.bytes * 1000 /
			    ps->s[r].fetch.total_ms;
	level_figures(c, thr, NULL);
	free(thr);
}

/*
 * Up to most fetches of c->n transfers at once, each under the lock,
 * stopping after CONC_MIN_RUNS when their speed-ups over one (the
 * one-transfer level) agree within CONC_SPREAD.
 */
static void
measure_level(struct prof *p, const struct spec_stage *st, struct prof_conc *c, int most,
    const struct prof_conc *one)
{
	double *thr = xcalloc((size_t)most, sizeof *thr);
	double *up = xcalloc((size_t)most, sizeof *up);
	char err[256];

	while (c->runs < most && !level_settled(up, c->runs)) {
		double wall;
		int64_t bytes;

		agent_lock(p->a);
		if (fetch_parallel(st->fetch_url, p->a->dir, c->n, p->a->spec->timeout_ms,
		    &wall, &bytes, err) != 0) {
			agent_unlock(p->a);
			c->error = xstrdup(err);
			break;
		}
		pipeline_add_timed(wall);
		agent_unlock(p->a);
		thr[c->runs] = wall > 0 ? (double)bytes * 1000 / wall : 0;
		up[c->runs] = one->throughput > 0 ? thr[c->runs] / one->throughput : 0;
		c->runs++;
	}
	level_figures(c, thr, one);
	free(thr);
	free(up);
}

static int
conc_cmp(const void *a, const void *b)
{
	const struct prof_conc *x = a, *y = b;

	return (x->n > y->n) - (x->n < y->n);
}

/* Levels k.. of the stage are not measured, and why. */
static void
levels_skipped(struct prof_stage *ps, int k, const char *why)
{
	for (; k < ps->nconc; k++)
		ps->conc[k].error = xasprintf("not measured: %s", why);
}

/*
 * The levels above one, fewest transfers first, each while the budget
 * allows it. A level whose speed-up is no more than CONC_FLAT over the
 * level below it ends the climb: the server, the link or the machine
 * gives no more to more transfers, and more of them would only cost the
 * user's time (the batch sweep drops its sizes the same way).
 */
static void
measure_levels(struct prof *p, int i, int most)
{
	const struct spec_stage *st = &p->a->spec->stages[i];
	struct prof_stage *ps = &p->st[i];
	double level_ms = 0;

	for (int k = 1; k < ps->nconc; k++) {
		uint64_t t0 = now_ns();

		/*
		 * A level takes about as long as the stage's transfer or less;
		 * the first, about its runs of the stage as timed in the pipeline.
		 */
		if (!agent_fits(p->a, k > 1 ? level_ms : CONC_MIN_RUNS * stage_longest(p, ps))) {
			levels_skipped(ps, k, "the budget was spent");
			agent_cut(p->a, "%s's parallel transfers measured at %d of %d levels",
			    ps->name, k - 1, ps->nconc - 1);
			return;
		}
		agent_progress(p->a, 82 + 10 * k / ps->nconc, "%s: %d transfers at once",
		    ps->name, ps->conc[k].n);
		measure_level(p, st, &ps->conc[k], most, &ps->conc[0]);
		if (k == 1)
			level_ms = now_ms_since(t0);
		if (ps->conc[k].runs > 0 &&
		    ps->conc[k].speedup <= ps->conc[k - 1].speedup * CONC_FLAT) {
			char *why = xasprintf("%d transfers at once gained nothing over %d",
			    ps->conc[k].n, ps->conc[k - 1].n);

			levels_skipped(ps, k + 1, why);
			free(why);
			return;
		}
	}
}

/* N transfers at once against the stage's one, for each N of a fetch stage's list. */
static void
measure_concurrency(struct prof *p, int i)
{
	const struct spec_stage *st = &p->a->spec->stages[i];
	struct prof_stage *ps = &p->st[i];
	int most = p->reps < 5 ? p->reps : 5, k, j;
	char *failure = NULL;

	if (most < CONC_MIN_RUNS)
		most = CONC_MIN_RUNS;
	ps->nconc = 1;
	for (k = 0; k < st->nconcurrency; k++)
		ps->nconc += st->concurrency[k] != 1;
	ps->conc = xcalloc((size_t)ps->nconc, sizeof *ps->conc);
	ps->conc[0].n = 1;
	for (k = 0, j = 1; k < st->nconcurrency; k++)
		if (st->concurrency[k] != 1)
			ps->conc[j++].n = (int)st->concurrency[k];
	/* Fewest transfers first: a level that gains nothing ends the climb (measure_levels()). */
	qsort(ps->conc + 1, (size_t)ps->nconc - 1, sizeof *ps->conc, conc_cmp);
	level_one(p, ps, &ps->conc[0]);
	if (ps->conc[0].runs == 0 || ps->nconc == 1)
		return;
	/*
	 * Under a budget, the first level may not fit this agent's part of
	 * the lock yet: it waits for the others, whose unused time comes to
	 * it (measure_levels() decides, and says what it cut).
	 */
	(void)agent_fits_later(p->a, CONC_MIN_RUNS * stage_longest(p, ps));
	/*
	 * One hold of the lock around a run's prefix (setup, the stages
	 * before), every transfer, and the teardown: a server the setup
	 * starts is up for the whole measurement, and stopped with the rest
	 * of what the run left when the lock is released.
	 */
	agent_lock(p->a);
	if (pipeline_prepare(p->a->spec, i, p->a->dir, &failure) != 0) {
		for (k = 1; k < ps->nconc; k++)
			ps->conc[k].error = xasprintf("the pipeline before %s failed: %s",
			    ps->name, failure);
		free(failure);
		agent_unlock(p->a);
		return;
	}
	measure_levels(p, i, most);
	if (pipeline_hook(p->a->spec, "teardown", p->a->spec->teardown, p->a->dir,
	    &failure) != 0)
		free(failure);
	agent_unlock(p->a);
}

const char *
prof_class(double util)
{
	return util >= PROF_CPU_BOUND ? "cpu-bound" : util <= PROF_WAITING ? "waiting" :
	    "mixed";
}

/*
 * Stage i's share of each complete run among the first n counted, into x
 * (room for every run): how many; its CI then comes from the same runs as
 * the total's.
 */
static int
stage_shares(const struct prof *p, int i, int n, double *x)
{
	int m = 0;

	for (int r = p->warmup, t = 0; r < p->warmup + n && t < p->ntotals; r++) {
		int complete = 1;
		double sum = 0;

		for (int j = 0; j < p->nstages; j++) {
			complete &= p->st[j].s[r].ok;
			sum += p->st[j].s[r].wall_ms;
		}
		if (!complete)
			continue;
		x[m++] = sum > 0 ? p->st[i].s[r].wall_ms / sum : 0;
		t++;
	}
	return m;
}

/* The median of what field picks from each of stage ps's n good counted runs. */
static double
stage_median(struct prof *p, const struct prof_stage *ps, double *x,
    double (*field)(const struct prof_sample *))
{
	struct stats st;
	int n = 0;

	for (int r = p->warmup; r < p->warmup + p->reps; r++)
		if (ps->s[r].ok)
			x[n++] = field(&ps->s[r]);
	stats_compute(x, n, &st);
	return st.median;
}

static double
sample_util(const struct prof_sample *s)
{
	return s->util;
}

static double
sample_rss(const struct prof_sample *s)
{
	return (double)s->rss_kb;
}

static double
sample_read(const struct prof_sample *s)
{
	return (double)s->read_bytes;
}

static double
sample_write(const struct prof_sample *s)
{
	return (double)s->write_bytes;
}

/* Stage i's figures over its good counted runs (none: n is 0, nothing else set). */
static void
analyse_stage(struct prof *p, int i, double *x, int *flags)
{
	struct prof_stage *ps = &p->st[i];
	int n = 0, m;

	for (int r = p->warmup; r < p->warmup + p->reps; r++)
		if (ps->s[r].ok)
			x[n++] = ps->s[r].wall_ms;
	ps->n = n;
	if (n == 0)
		return;
	stats_compute(x, n, &ps->wall);
	ps->outliers = stats_outliers(x, n, flags);
	ps->util = stage_median(p, ps, x, sample_util);
	ps->klass = prof_class(ps->util);
	ps->rss_kb = (long)stage_median(p, ps, x, sample_rss);
	ps->read_bytes = stage_median(p, ps, x, sample_read);
	ps->write_bytes = stage_median(p, ps, x, sample_write);
	if ((m = stage_shares(p, i, p->reps, x)) > 0) {
		stats_compute(x, m, &ps->share);
		if (p->bottleneck < 0 || ps->share.median > p->st[p->bottleneck].share.median)
			p->bottleneck = i;
	}
}

static void
analyse(struct prof *p)
{
	double *x = xcalloc((size_t)(p->warmup + p->reps), sizeof *x);
	int *flags = xcalloc((size_t)(p->warmup + p->reps), sizeof *flags);

	if (p->ntotals > 0)
		stats_compute(p->totals, p->ntotals, &p->total);
	p->bottleneck = -1;
	for (int i = 0; i < p->nstages; i++)
		analyse_stage(p, i, x, flags);
	/*
	 * A whole run under PROF_TINY_MS beyond process start is timer noise
	 * and start-up jitter: its shares say nothing, so nothing is called the
	 * bottleneck (1,000 runs of `true` are not "0.0% bottlenecked").
	 */
	if (p->bottleneck >= 0 && p->total.n > 0 && p->total.median < PROF_TINY_MS) {
		p->too_fast = 1;
		p->bottleneck = -1;
	}
	p->load_after = loadavg();
	free(x);
	free(flags);
}

static void
warnings(struct prof *p)
{
	struct findings *f = p->f;

	for (int i = 0; i < p->nstages; i++) {
		struct prof_stage *ps = &p->st[i];
		const struct prof_sample *first = &ps->s[p->warmup];

		if (ps->n == 0)
			continue;
		if (ps->n >= 3 && first->ok && ps->wall.median > 0 &&
		    first->wall_ms > 1.5 * ps->wall.median && first->wall_ms > ps->wall.max * 0.99)
			findings_warn(f, "%s: the first counted run (%.1f ms) was much slower "
			    "than the median (%.1f ms): caches warming up? Raise "
			    "pipeline.warmup.", ps->name, first->wall_ms, ps->wall.median);
		if (ps->wall.cv > 0.1)
			findings_warn(f, "%s: high variance (coefficient of variation %.0f%%): "
			    "the figures are less certain; close other load or add "
			    "repetitions.", ps->name, ps->wall.cv * 100);
		if (ps->outliers > 0)
			findings_warn(f, "%s: %d outlier run%s (modified z-score > 3.5), kept "
			    "in the statistics.", ps->name, ps->outliers,
			    ps->outliers == 1 ? "" : "s");
		for (int k = 0; k < ps->nconc; k++)
			if (ps->conc[k].error != NULL)
				findings_warn(f, "%s: %d transfers at once could not be "
				    "measured: %s", ps->name, ps->conc[k].n, ps->conc[k].error);
		if (!ps->fetch && ps->wall.median < PROF_TINY_MS)
			findings_warn(f, "%s: median %.2f ms is under %.0f ms: the figure is "
			    "dominated by process start (%.2f ms, subtracted).", ps->name,
			    ps->wall.median, PROF_TINY_MS, p->shell_ms);
	}
	if (p->load_max > p->cores || p->load_before > p->cores)
		findings_warn(f, "load average reached %.2f during the runs, above the %d "
		    "cores: other work competed with the measurements.",
		    fmax(p->load_max, p->load_before), p->cores);
	if (p->reps < 5)
		findings_warn(f, "only %d counted runs: confidence intervals need 6 or "
		    "more.", p->reps);
}

/* Stage i's vote, from its share of the end-to-end time. */
static void
vote_stage(struct prof *p, int i)
{
	struct findings *f = p->f;
	struct prof_stage *ps = &p->st[i];
	double sh = ps->share.median * 100;

	if (ps->n == 0 || ps->share.n == 0)
		findings_vote(f, ps->name, "abstain", "no complete run to measure it");
	else if (p->too_fast)
		findings_vote(f, ps->name, "abstain", "the whole pipeline run takes "
		    "%.2f ms beyond process start: too fast to rank its stages",
		    p->total.median);
	else if (i == p->bottleneck)
		findings_vote(f, ps->name, "optimize", "the bottleneck: %.1f%% of the "
		    "end-to-end time (95%% CI %.1f-%.1f%%), %s", sh,
		    ps->share.ci_lo * 100, ps->share.ci_hi * 100, ps->klass);
	else if (ps->share.median < PROF_NEGLIGIBLE_SHARE)
		findings_vote(f, ps->name, "leave", "%.1f%% of the end-to-end time: "
		    "even an infinite speed-up gains at most %.1f%%", sh,
		    100 / (1 - ps->share.median) - 100);
	else
		findings_vote(f, ps->name, "abstain", "%.1f%% of the end-to-end time: "
		    "not the bottleneck", sh);
}

/*
 * A fetch stage's best concurrency level, when it gains over 5%, as a
 * pipeline figure: perfd re-ran the stage's own fetch with the change.
 */
static void
recommend_concurrency(struct prof *p, int i)
{
	struct findings *f = p->f;
	struct prof_stage *ps = &p->st[i];
	struct prof_conc *best = NULL;
	struct recommendation *r;
	char id[64];

	for (int j = 1; j < ps->nconc; j++)
		if (best == NULL || ps->conc[j].speedup > best->speedup)
			best = &ps->conc[j];
	if (best == NULL || best->runs == 0 || best->speedup <= 1.05)
		return;
	snprintf(id, sizeof id, "%s-concurrency-%d", ps->name, best->n);
	r = findings_recommend(f, id, ps->name, "");
	free(r->title);
	r->title = xasprintf("Download %d files concurrently: x%.1f on %s",
	    best->n, best->speedup, ps->name);
	r->local_speedup = best->speedup;
	r->ci_lo = best->speedup_lo;
	r->ci_hi = best->speedup_hi;
	/* The stage is perfd's own fetch: re-run with the change. */
	r->kind = EVIDENCE_PIPELINE;
	free(r->effort);
	r->effort = xstrdup("medium");
	r->evidence = xasprintf("%d parallel transfers of %s: %.1f MB/s "
	    "aggregate against %.1f MB/s for one (median of %d runs; range "
	    "x%.2f-x%.2f)", best->n, p->a->spec->stages[i].fetch_url,
	    best->throughput / 1e6, ps->conc[0].throughput / 1e6, best->runs,
	    best->speedup_lo, best->speedup_hi);
	/*
	 * Tested as printed: curl --parallel alone waits to multiplex
	 * on one connection, which an HTTP/1.1 server cannot (x1.0
	 * against the quickstart's CDN); xargs or --parallel-immediate
	 * open the connections.
	 */
	r->apply = xasprintf("Fetch the stage's files %d at a time, with "
	    "one URL per line in urls.txt: `xargs -P %d -n 1 curl -sSfO < "
	    "urls.txt` (or `curl --parallel --parallel-immediate "
	    "--parallel-max %d -O URL1 -O URL2 ...`; without "
	    "--parallel-immediate curl keeps to one connection for an "
	    "HTTP/1.1 server).", best->n, best->n, best->n);
}

/* A CPU-bound bottleneck on a machine with cores to spare: an estimate only. */
static void
recommend_parallel(struct prof *p)
{
	struct findings *f = p->f;

	if (p->bottleneck >= 0 && strcmp(p->st[p->bottleneck].klass, "cpu-bound") == 0 &&
	    p->cores > 1) {
		struct prof_stage *ps = &p->st[p->bottleneck];
		struct recommendation *r = findings_recommend(f, "parallelise-bottleneck",
		    ps->name, "");

		free(r->title);
		r->title = xasprintf("Split %s across the %d cores", ps->name, p->cores);
		r->local_speedup = p->cores;
		r->kind = EVIDENCE_ESTIMATE;
		free(r->effort);
		r->effort = xstrdup("high");
		r->evidence = xasprintf("CPU-bound (utilisation %.2f); %d cores: an upper "
		    "bound, not a measurement (Amdahl within the stage lowers it)",
		    ps->util, p->cores);
		r->apply = xstrdup("Partition the input and run the stage's work in "
		    "parallel, one worker per core.");
	}
}

static void
votes_and_recommendations(struct prof *p)
{
	for (int i = 0; i < p->nstages; i++) {
		vote_stage(p, i);
		recommend_concurrency(p, i);
	}
	recommend_parallel(p);
}

static void
headline(struct prof *p)
{
	const struct spec *sp = p->a->spec;
	struct prof_stage *b;
	char *tail = NULL;

	if (p->too_fast) {
		p->f->headline = xasprintf("The pipeline is too fast to profile "
		    "meaningfully: a whole run takes %.2f ms beyond process start "
		    "(%.2f ms, subtracted), under the %.0f ms where timer noise and "
		    "start-up jitter stop mattering. Make it measurable: give it the "
		    "input size it really handles (more rows, the real file), or make "
		    "one stage run the work many times.", p->total.median, p->shell_ms,
		    PROF_TINY_MS);
		return;
	}
	if (p->bottleneck < 0) {
		p->f->headline = xstrdup("No complete pipeline run: nothing to rank (see "
		    "the failures).");
		return;
	}
	b = &p->st[p->bottleneck];
	if (sp->hypothesis != NULL) {
		int h = spec_stage_index(sp, sp->hypothesis);

		if (h == p->bottleneck)
			tail = xasprintf(" The hypothesis (%s) is confirmed.", sp->hypothesis);
		else
			tail = xasprintf(" The hypothesis (%s) is rejected: it takes %.1f%%.",
			    sp->hypothesis, p->st[h].share.median * 100);
	}
	p->f->headline = xasprintf("%s is the bottleneck: %.1f%% of the end-to-end "
	    "median %.0f ms (95%% CI %.1f-%.1f%%), %s.%s", b->name,
	    b->share.median * 100, p->total.median, b->share.ci_lo * 100,
	    b->share.ci_hi * 100, b->klass, tail != NULL ? tail : "");
	free(tail);
}

static void
prof_free(struct prof *p)
{
	for (int i = 0; i < p->nstages; i++) {
		for (int k = 0; k < p->st[i].nconc; k++)
			free(p->st[i].conc[k].error);
		free(p->st[i].conc);
		free(p->st[i].s);
	}
	for (int i = 0; i < p->nfail; i++) {
		free(p->fail[i].stage);
		free(p->fail[i].text);
	}
	free(p->fail);
	free(p->stopped);
	free(p->st);
	free(p->totals);
	free(p->kernel);
	free(p->cpu_model);
	free(p->git_commit);
	free(p->spec_hash);
	free(p->started);
	free(p->ended);
	free(p->perf_note);
	for (int i = 0; i < p->ntop; i++)
		free(p->top[i].func);
	prof_matrix_free(p->mx);
	findings_free(p->f);
}

int
prof_write(struct prof *p, const char *name, const char *text)
{
	char *path = agent_path(p->a, name), *cause = NULL;
	int rc = file_write_atomic(path, text, strlen(text), &cause);

	if (rc != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	}
	free(path);
	return rc;
}

/* prof_write() of a text made for it, then freed. */
static int
write_made(struct prof *p, const char *name, char *text)
{
	int rc = prof_write(p, name, text);

	free(text);
	return rc;
}

/* MATRIX.md, matrix.csv, and a chart for each parameter that has a slice. */
static int
write_matrix(struct prof *p)
{
	int rc = write_made(p, INV_MATRIX_MD, prof_matrix_md(p));

	rc |= write_made(p, INV_MATRIX_CSV, prof_matrix_csv(p));
	for (int q = 0; q < p->mx->m->nparams; q++)
		if (p->mx->slice[q].n >= 2) {
			char *name = xasprintf("matrix-%s.svg", p->mx->m->params[q].name);

			rc |= write_made(p, name, prof_matrix_svg(p, q));
			free(name);
		}
	return rc;
}

static int
write_outputs(struct prof *p)
{
	char *md, *svg, *csv, *path, *cause = NULL;
	int rc = 0;

	csv = prof_runs_csv(p);
	path = agent_path(p->a, INV_RUNS_FILE);
	rc |= file_write_atomic(path, csv, strlen(csv), &cause);
	free(path);
	free(csv);
	svg = prof_chart_svg(p);
	path = agent_path(p->a, inv_agents[INV_PROFILING].chart);
	rc |= file_write_atomic(path, svg, strlen(svg), &cause);
	free(path);
	free(svg);
	if (rc != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
		return -1;
	}
	if (p->mx != NULL && write_matrix(p) != 0)
		return -1;
	p->f->data = prof_data_json(p);
	if (p->mx != NULL)
		cJSON_AddItemToObject(p->f->data, "matrix", prof_matrix_json(p));
	md = prof_report_md(p);
	rc = agent_publish(p->a, p->f, inv_agents[INV_PROFILING].report, md);
	free(md);
	return rc;
}

int
prof_main(struct agent *a)
{
	struct prof p;
	int rc, nrun = 0;

	memset(&p, 0, sizeof p);
	p.a = a;
	p.auto_reps = a->spec->repetitions == SPEC_REPS_AUTO;
	p.reps = p.auto_reps ? PROF_AUTO_MAX : (int)a->spec->repetitions;
	p.warmup = (int)a->spec->warmup;
	p.nstages = a->spec->nstages;
	p.st = xcalloc((size_t)p.nstages, sizeof *p.st);
	for (int i = 0; i < p.nstages; i++) {
		p.st[i].name = a->spec->stages[i].name;
		p.st[i].fetch = a->spec->stages[i].fetch_url != NULL;
		p.st[i].s = xcalloc((size_t)(p.warmup + p.reps), sizeof *p.st[i].s);
	}
	context(&p);
	calibrate(&p);
	measure(&p);
	for (int i = 0; i < p.nstages; i++)
		if (p.st[i].fetch && a->spec->stages[i].nconcurrency > 0 && p.ntotals > 0)
			measure_concurrency(&p, i);
	if ((p.mx = prof_matrix_new(&p)) != NULL)
		prof_matrix_measure(&p);
	analyse(&p);
	if (p.mx != NULL)
		prof_matrix_analyse(&p);
	p.ended = now_iso(now_unix_ms());
	prof_perf(&p);
	nrun = p.ntotals;
	p.f = findings_new(a->name, nrun == p.reps ? "ok" : nrun > 0 ? "partial" : "failed");
	warnings(&p);
	votes_and_recommendations(&p);
	headline(&p);
	agent_progress(a, 95, "writing the report");
	rc = write_outputs(&p);
	if (rc == 0)
		agent_finding(a, "%s", p.f->headline);
	prof_free(&p);
	return rc == 0 ? 0 : 1;
}
