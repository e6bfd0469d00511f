/* batch.c - the batch-size agent: the throughput-versus-memory curve and its knee. */
#include "agents.h"
#include "dbagent.h"
#include "md.h"
#include "pipeline.h"
#include "stats.h"
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sizes whose throughput CI reaches this fraction of the best are "optimal". */
/* Sizes below the recommended one traced for a cap (noise may pick a larger one). */
#define CAP_BELOW	2
#define BATCH_WITHIN		0.95
/* Rows the database's probe inserts per measurement (when there is no command). */
#define BATCH_PROBE_ROWS	5000
/*
 * repetitions: auto. Every size is visited BATCH_AUTO_REPS times, except
 * that after BATCH_DROP_AFTER visits a size whose fastest run is more than
 * BATCH_DROP_SLOWER times the slowest run of the fastest size is clearly
 * outside the optimal range, and dropped (never the current size: the
 * speed-up is taken against it).
 */
#define BATCH_AUTO_REPS		6
#define BATCH_DROP_AFTER	3
#define BATCH_DROP_SLOWER	1.5

struct bsize {
	int64_t		 size;
	int		 n;		/* successful runs */
	double		*wall;		/* ms */
	double		*rss;		/* kB */
	struct stats	 w;
	double		 thr, thr_lo, thr_hi;	/* rows/s, with CI */
	double		 rss_kb;	/* median */
	char		*failure;
	char		*skipped;	/* why it was not measured */
	char		*dropped;	/* why it was measured fewer times, or NULL */
};

struct batch {
	struct agent	*a;
	int		 probe;		/* 1: the database's probe; 0: batch.command */
	int		 stage;
	int		 reps;
	int		 auto_reps;
	double		 rep_ms;	/* the longest repetition of the sweep */
	unsigned	 seed;
	double		 rows;
	const char	*rows_from;
	struct bsize	*sz;
	int		 n;
	int		 best, rec, cur;	/* indexes, -1 when none */
	int		 range_lo, range_hi;
	struct dbagent_rows count;
	struct findings	*f;
	struct db_scratch *pr;	/* the probe's scratch copy */
	struct db_capture cap;	/* what the probe copies */
	struct dbagent_obs o;	/* the stage as it runs: the probe's bound */
	int		 observed;
	int		 prepared;	/* the probe's statements, as the client sends its own */
	long		*commits;	/* per size, counted once (count_commits()) */
	enum { COUNT_ANY, COUNT_SHIM, COUNT_STRACE } counted_by;
	int		 cap_lo, cap_hi;	/* sizes with the same commits, or -1 */
	int64_t		 current;	/* batch.current, else the observed cadence */
	const char	*current_from;
};

/* Deterministic shuffles from the recorded seed (xorshift32). */
static unsigned
next_rand(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* One timed visit of a size through the pipeline's own command. */
static void
visit_command(struct batch *bt, struct bsize *z)
{
	const struct spec *sp = bt->a->spec;
	char *cmd = pipeline_batch_command(sp->batch_command, z->size), *failure = NULL;
	int count = bt->rows_from != NULL && strcmp(bt->rows_from, "table") == 0;
	struct stage_result res = { 0 };

	agent_lock(bt->a);
	if (pipeline_measure(sp, bt->stage, cmd, bt->a->dir, count ? dbagent_count_rows : NULL,
	    &bt->count, &res, &failure) != 0) {
		z->failure = xasprintf("the pipeline before %s failed: %s",
		    sp->stages[bt->stage].name, failure);
		free(failure);
	} else if (!res.ok)
		z->failure = xasprintf("batch %lld: %s", (long long)z->size, res.failure);
	else {
		z->wall[z->n] = res.wall_ms;
		z->rss[z->n] = (double)res.run.maxrss_kb;
		z->n++;
	}
	pipeline_result_free(&res);
	agent_unlock(bt->a);
	free(cmd);
}

/* One timed visit of a size with the database's probe on the scratch copy. */
static void
visit_probe(struct batch *bt, struct bsize *z)
{
	char *cause = NULL;
	double secs;

	agent_lock(bt->a);
	secs = dbagent_driver(bt->a->spec)->insert(bt->pr, BATCH_PROBE_ROWS, (int)z->size,
	    bt->prepared, &cause);
	agent_unlock(bt->a);
	if (secs < 0) {
		z->failure = xasprintf("batch %lld: %s", (long long)z->size, cause);
		free(cause);
		return;
	}
	z->wall[z->n] = secs * 1000;
	z->rss[z->n] = 0;
	z->n++;
}

/* The least and the most of a size's runs so far. */
static void
wall_range(const struct bsize *z, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = 0;
	for (int k = 0; k < z->n; k++) {
		*lo = fmin(*lo, z->wall[k]);
		*hi = fmax(*hi, z->wall[k]);
	}
}

/* With auto, after BATCH_DROP_AFTER repetitions: drop the sizes clearly slower than the fastest. */
static void
drop_outside(struct batch *bt)
{
	int best = -1;
	double lo, hi, best_hi = 0;

	for (int i = 0; i < bt->n; i++) {
		const struct bsize *z = &bt->sz[i];

		if (z->failure != NULL || z->skipped != NULL || z->n < BATCH_DROP_AFTER)
			continue;
		wall_range(z, &lo, &hi);
		if (best < 0 || hi < best_hi) {
			best = i;
			best_hi = hi;
		}
	}
	for (int i = 0; i < bt->n && best >= 0; i++) {
		struct bsize *z = &bt->sz[i];

		if (i == best || z->size == bt->current || z->n < BATCH_DROP_AFTER ||
		    z->failure != NULL || z->skipped != NULL)
			continue;
		wall_range(z, &lo, &hi);
		if (lo > BATCH_DROP_SLOWER * best_hi)
			z->dropped = xasprintf("dropped after %d runs: its fastest run (%.1f ms) "
			    "was x%.1f the slowest of batch %lld's", z->n, lo, lo / best_hi,
			    (long long)bt->sz[best].size);
	}
}

/* Visit the sizes in a shuffled order per repetition (A C B, B A C, ...). */
static void
sweep(struct batch *bt)
{
	int *order = xcalloc((size_t)bt->n, sizeof *order), done = 0;
	int total = bt->n * bt->reps;
	unsigned s = bt->seed;
	double rep_ms = 0;

	for (int r = 0; r < bt->reps; r++) {
		double held = agent_held_ms(bt->a);	/* a repetition's time in the lock */

		/* With a budget: another repetition only when one more fits. */
		if (r > 0 && !agent_fits(bt->a, rep_ms)) {
			agent_cut(bt->a, "%d repetition%s of the sweep, where %d were "
			    "planned", r, r == 1 ? "" : "s", bt->reps);
			break;
		}
		for (int i = 0; i < bt->n; i++)
			order[i] = i;
		for (int i = bt->n - 1; i > 0; i--) {
			int j = (int)(next_rand(&s) % (unsigned)(i + 1)), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		/*
		 * A repetition's visits in one hold of the lock, so that a stage
		 * with a prepare runs setup and the stages before it once a
		 * repetition rather than once a visit (pipeline_measure()).
		 */
		if (!bt->probe)
			agent_lock(bt->a);
		for (int k = 0; k < bt->n; k++) {
			struct bsize *z = &bt->sz[order[k]];

			done++;
			/* A size that failed once is not run again; it is reported. */
			if (z->failure != NULL || z->skipped != NULL || z->dropped != NULL)
				continue;
			agent_progress(bt->a, 5 + 80 * done / total, "batch %lld, repetition "
			    "%d/%d", (long long)z->size, r + 1, bt->reps);
			if (bt->probe)
				visit_probe(bt, z);
			else
				visit_command(bt, z);
		}
		if (!bt->probe)
			agent_unlock(bt->a);
		if (bt->auto_reps && r + 1 == BATCH_DROP_AFTER)
			drop_outside(bt);
		rep_ms = fmax(rep_ms, agent_held_ms(bt->a) - held);
	}
	bt->rep_ms = rep_ms;
	free(order);
}

static void
analyse(struct batch *bt)
{
	struct stats tmp;

	bt->best = bt->rec = bt->cur = -1;
	for (int i = 0; i < bt->n; i++) {
		struct bsize *z = &bt->sz[i];

		if (bt->current == z->size)
			bt->cur = i;
		if (z->n == 0 || z->failure != NULL)
			continue;
		stats_compute(z->wall, z->n, &z->w);
		stats_compute(z->rss, z->n, &tmp);
		z->rss_kb = tmp.median;
		if (bt->rows > 0) {
			z->thr = bt->rows * 1000 / z->w.median;
			z->thr_lo = bt->rows * 1000 / z->w.ci_hi;
			z->thr_hi = bt->rows * 1000 / z->w.ci_lo;
		} else {	/* runs per second: still a valid relative figure */
			z->thr = 1000 / z->w.median;
			z->thr_lo = 1000 / z->w.ci_hi;
			z->thr_hi = 1000 / z->w.ci_lo;
		}
		if (bt->best < 0 || z->thr > bt->sz[bt->best].thr)
			bt->best = i;
	}
	if (bt->best < 0)
		return;
	bt->range_lo = bt->range_hi = -1;
	for (int i = 0; i < bt->n; i++) {
		struct bsize *z = &bt->sz[i];

		if (z->n == 0 || z->failure != NULL ||
		    z->thr_hi < BATCH_WITHIN * bt->sz[bt->best].thr)
			continue;
		if (bt->rec < 0)
			bt->rec = i;	/* sizes are ascending: the smallest */
		if (bt->range_lo < 0)
			bt->range_lo = i;
		bt->range_hi = i;
	}
}

/*
 * Size i's commits in one run, into bt->commits[i] (-1 when not counted):
 * by perfd's preload library, which counts them as the client makes them
 * and costs the run nothing; else by strace's count of syncs (as many per
 * commit at every size), which slows a run of many commits several times.
 * 1 when counted.
 */
static int
count_commits(struct batch *bt, int i)
{
	char *cmd = pipeline_batch_command(bt->a->spec->batch_command, bt->sz[i].size);
	char *why = NULL;
	struct dbagent_trace t;
	double commits;

	bt->commits[i] = -1;
	agent_progress(bt->a, 88, "counting the commits of batch %lld",
	    (long long)bt->sz[i].size);
	if (bt->counted_by != COUNT_STRACE &&
	    dbfold_commits(bt->a, bt->stage, cmd, &commits, &why) == 0) {
		bt->commits[i] = (long)commits;
		bt->counted_by = COUNT_SHIM;
	} else if (bt->counted_by != COUNT_SHIM) {
		free(why);
		why = NULL;
		if (dbagent_trace(bt->a, bt->stage, cmd, &t, &why) == 0) {
			bt->commits[i] = t.syncs;
			bt->counted_by = COUNT_STRACE;
		}
	}
	free(why);
	free(cmd);
	return bt->commits[i] >= 0;
}

/*
 * A flat curve may be the loader ignoring the flag past some size (one that
 * caps its batch): the recommended size, the two below it and every larger
 * one are counted once each (whether or not noise put them in the optimal
 * range, or made the largest the recommendation): sizes that commit the
 * same number of times are capped.
 */
static void
commit_caps(struct batch *bt)
{
	int got = 0, last = bt->n - 1, first = bt->rec - CAP_BELOW;

	bt->cap_lo = bt->cap_hi = -1;
	if (first < 0)
		first = 0;
	if (bt->probe || bt->rec < 0 || first >= last)
		return;
	if (!agent_fits(bt->a, bt->rep_ms)) {
		agent_cut(bt->a, "the sizes' commits were not traced, so a loader "
		    "that caps its batch would not be told");
		return;
	}
	bt->commits = xcalloc((size_t)bt->n, sizeof *bt->commits);
	/* One hold for all the counts: a stage with a prepare runs the prefix once. */
	agent_lock(bt->a);
	for (int i = first; i <= last; i++) {
		if (bt->sz[i].n == 0 || bt->sz[i].failure != NULL) {
			bt->commits[i] = -1;
			continue;
		}
		got += count_commits(bt, i);
		if (got == 0)
			break;	/* neither way can count here: nothing to say */
	}
	agent_unlock(bt->a);
	if (got == 0)
		return;
	/* The smallest size that commits as often as a larger one, and the largest such. */
	for (int i = first; i < last; i++) {
		for (int j = last; j > i; j--) {
			long a = bt->commits[i], b = bt->commits[j];

			if (a > 0 && b > 0 && labs(a - b) <= a / 50 + 1) {
				bt->cap_lo = i;
				bt->cap_hi = j;
				return;
			}
		}
	}
}

static int
in_range(struct batch *bt, int i)
{
	struct bsize *z = &bt->sz[i];

	return z->n > 0 && z->failure == NULL &&
	    z->thr_hi >= BATCH_WITHIN * bt->sz[bt->best].thr;
}

/*
 * md_rate() into one of 4 static slots, so that a message can carry up to
 * four rates without a free for each.
 */
static const char *
rate_s(double v)
{
	static char slot[4][64];
	static int next;
	char *out = slot[next++ % 4], *g = md_rate(v);

	snprintf(out, sizeof slot[0], "%s", g);
	free(g);
	return out;
}

static const char *
unit(struct batch *bt)
{
	return bt->rows > 0 ? "rows/s" : "runs/s";
}

/*
 * The recommendation of size r over the current size c: a size's own
 * throughput through the pipeline's command, or, on the probe, its figure
 * on the stage — the database's part of the observed stage at the probe's
 * rate for the new size, the client's own work as it is (dbagent_split()).
 */
static void
recommend(struct batch *bt, const struct bsize *r, const struct bsize *c)
{
	const char *stage = bt->a->spec->stages[bt->stage].name;
	struct findings *f = bt->f;
	double k = r->thr / c->thr, lo = r->thr_lo / c->thr_hi, hi = r->thr_hi / c->thr_lo;
	struct recommendation *rc;
	struct dbagent_split split;
	char id[64];

	if (bt->probe) {
		dbagent_split(&bt->o, c->thr, &split);
		k = dbagent_split_speedup(&split, r->thr);
		dbagent_split_range(&split, r->thr_lo, r->thr_hi, &lo, &hi);
	}
	findings_vote(f, stage, "optimize", "batch size %lld gives %s %s; %lld "
	    "gives %s (x%.2f%s)", (long long)c->size, rate_s(c->thr), unit(bt),
	    (long long)r->size, rate_s(r->thr), r->thr / c->thr, bt->probe ?
	    " on perfd's probe" : "");
	snprintf(id, sizeof id, "batch-%lld", (long long)r->size);
	rc = findings_recommend(f, id, stage, "");
	free(rc->title);
	rc->title = xasprintf("Batch size %lld instead of %lld", (long long)r->size,
	    (long long)c->size);
	rc->local_speedup = k;
	rc->ci_lo = lo;
	rc->ci_hi = hi;
	rc->kind = bt->probe ? EVIDENCE_PROBE : EVIDENCE_PIPELINE;
	if (bt->probe)
		rc->bound = dbagent_split_text(&split, r->thr);
	free(rc->effort);
	rc->effort = xstrdup("low");
	rc->evidence = xasprintf("%s %s at %lld against %s at %lld (medians of "
	    "%d and %d runs, visited in shuffled order)", rate_s(r->thr), unit(bt),
	    (long long)r->size, rate_s(c->thr), (long long)c->size, r->n, c->n);
	if (bt->probe)
		rc->apply = xasprintf("Commit every %lld rows.", (long long)r->size);
	else {
		char *cmd = pipeline_batch_command(bt->a->spec->batch_command, r->size);

		rc->apply = xasprintf("Run the stage as: %s", cmd);
		free(cmd);
	}
	f->headline = bt->probe ? xasprintf("Commits every %lld rows instead of "
	    "%lld: x%.2f on perfd's probe (%s against %s %s), bounded by the "
	    "stage's own work x%.2f on %s.", (long long)r->size, (long long)c->size,
	    r->thr / c->thr, rate_s(r->thr), rate_s(c->thr), unit(bt), k, stage) :
	    xasprintf("Batch size %lld is outside the optimal range; %lld gives "
	    "x%.2f on %s, measured through the pipeline's own command (%s against "
	    "%s %s).", (long long)c->size, (long long)r->size, k, stage,
	    rate_s(r->thr), rate_s(c->thr), unit(bt));
}

/* A loader that caps its batch: sizes past the cap commit as often. */
static void
warn_cap(struct batch *bt)
{
	if (bt->cap_lo < 0)
		return;
	findings_warn(bt->f, "batch sizes %lld to %lld give the same number of "
	    "%s (%ld and %ld): the loader commits as often whatever the flag "
	    "says above %lld — it caps its batch; the flat curve there is that "
	    "cap, not an optimal range.", (long long)bt->sz[bt->cap_lo].size,
	    (long long)bt->sz[bt->cap_hi].size, bt->counted_by == COUNT_SHIM ?
	    "commits (counted by perfd's preload library)" : "syncs (counted by strace)",
	    bt->commits[bt->cap_lo], bt->commits[bt->cap_hi],
	    (long long)bt->sz[bt->cap_lo].size);
}

static void
verdict(struct batch *bt)
{
	const char *stage = bt->a->spec->stages[bt->stage].name;
	struct findings *f = bt->f;
	struct bsize *r, *c;

	for (int s = 0; s < bt->a->spec->nstages; s++)
		if (s != bt->stage)
			findings_vote(f, bt->a->spec->stages[s].name, "abstain",
			    "batch size applies to %s only", stage);
	if (bt->best < 0) {
		findings_vote(f, stage, "abstain", "no batch size could be measured");
		f->headline = xstrdup("No batch size could be measured (see the failures).");
		return;
	}
	r = &bt->sz[bt->rec];
	if (bt->cur < 0) {
		findings_vote(f, stage, "abstain", "no batch.current to compare: the "
		    "smallest size within 5%% of the best throughput is %lld",
		    (long long)r->size);
		f->headline = xasprintf("Batch size %lld is the knee: the smallest within "
		    "5%% of the best throughput (%s %s); no current size to compare.",
		    (long long)r->size, rate_s(bt->sz[bt->best].thr), unit(bt));
		return;
	}
	c = &bt->sz[bt->cur];
	if (c->failure != NULL || c->n == 0) {
		findings_vote(f, stage, "optimize", "the current batch size %lld failed",
		    (long long)c->size);
		f->headline = xasprintf("The current batch size %lld fails; %lld is the "
		    "knee.", (long long)c->size, (long long)r->size);
		return;
	}
	warn_cap(bt);
	if (in_range(bt, bt->cur)) {
		findings_vote(f, stage, "leave", "batch size %lld is within the optimal "
		    "range (%lld-%lld): %s %s, best %s", (long long)c->size,
		    (long long)bt->sz[bt->range_lo].size, (long long)bt->sz[bt->range_hi].size,
		    rate_s(c->thr), unit(bt), rate_s(bt->sz[bt->best].thr));
		f->headline = xasprintf("Batch size %lld is within the optimal range "
		    "(%lld-%lld); the smallest in it, %lld, would do as well.",
		    (long long)c->size, (long long)bt->sz[bt->range_lo].size,
		    (long long)bt->sz[bt->range_hi].size, (long long)r->size);
		return;
	}
	if (bt->probe && !bt->observed) {
		findings_vote(f, stage, "abstain", "perfd's probe gives x%.2f at %lld, but "
		    "the stage could not be observed to bound it", r->thr / c->thr,
		    (long long)r->size);
		f->headline = xasprintf("On perfd's probe, commits every %lld rows give "
		    "x%.2f over %lld; the stage could not be observed, so no figure for "
		    "it is claimed.", (long long)r->size, r->thr / c->thr,
		    (long long)c->size);
		return;
	}
	recommend(bt, r, c);
}

/* Past the knee, more memory for nothing: say so. */
static void
memory_warning(struct batch *bt)
{
	struct bsize *r, *big = NULL;

	if (bt->rec < 0 || bt->probe)
		return;
	r = &bt->sz[bt->rec];
	for (int i = bt->n - 1; i > bt->rec && big == NULL; i--)
		if (bt->sz[i].n > 0 && bt->sz[i].failure == NULL)
			big = &bt->sz[i];
	if (big == NULL || r->rss_kb <= 0)
		return;
	if (big->rss_kb >= 2 * r->rss_kb && big->thr < r->thr * 1.05)
		findings_warn(bt->f, "peak RSS grows from %.1f MB at %lld to %.1f MB at "
		    "%lld with no throughput gain: memory looks unbounded in the batch "
		    "size.", r->rss_kb / 1024, (long long)r->size, big->rss_kb / 1024,
		    (long long)big->size);
}

static cJSON *
data_json(struct batch *bt)
{
	cJSON *o = cJSON_CreateObject(), *a, *r;

	if (bt->probe) {
		char *mode = xasprintf("%s-probe", dbagent_driver(bt->a->spec)->kind);

		cJSON_AddStringToObject(o, "mode", mode);
		free(mode);
	} else
		cJSON_AddStringToObject(o, "mode", "command");
	cJSON_AddNumberToObject(o, "seed", bt->seed);
	cJSON_AddNumberToObject(o, "rows", bt->rows);
	cJSON_AddStringToObject(o, "unit", unit(bt));
	if (bt->current > 0)
		cJSON_AddNumberToObject(o, "current", (double)bt->current);
	else
		cJSON_AddNullToObject(o, "current");
	if (bt->rec >= 0) {
		cJSON_AddNumberToObject(o, "recommended", (double)bt->sz[bt->rec].size);
		r = cJSON_AddArrayToObject(o, "optimal_range");
		cJSON_AddItemToArray(r, cJSON_CreateNumber((double)bt->sz[bt->range_lo].size));
		cJSON_AddItemToArray(r, cJSON_CreateNumber((double)bt->sz[bt->range_hi].size));
	} else {
		cJSON_AddNullToObject(o, "recommended");
		cJSON_AddNullToObject(o, "optimal_range");
	}
	a = cJSON_AddArrayToObject(o, "sizes");
	for (int i = 0; i < bt->n; i++) {
		struct bsize *z = &bt->sz[i];
		cJSON *s = cJSON_CreateObject();

		cJSON_AddNumberToObject(s, "size", (double)z->size);
		cJSON_AddNumberToObject(s, "runs", z->n);
		cJSON_AddBoolToObject(s, "failed", z->failure != NULL);
		if (z->failure != NULL)
			cJSON_AddStringToObject(s, "error", z->failure);
		if (z->skipped != NULL)
			cJSON_AddStringToObject(s, "skipped", z->skipped);
		if (z->dropped != NULL)
			cJSON_AddStringToObject(s, "dropped", z->dropped);
		if (z->n > 0 && z->failure == NULL) {
			cJSON_AddNumberToObject(s, "median_ms", z->w.median);
			r = cJSON_AddArrayToObject(s, "ci_ms");
			cJSON_AddItemToArray(r, cJSON_CreateNumber(z->w.ci_lo));
			cJSON_AddItemToArray(r, cJSON_CreateNumber(z->w.ci_hi));
			cJSON_AddNumberToObject(s, "p95_ms", z->w.p95);
			cJSON_AddNumberToObject(s, "throughput", z->thr);
			r = cJSON_AddArrayToObject(s, "throughput_ci");
			cJSON_AddItemToArray(r, cJSON_CreateNumber(z->thr_lo));
			cJSON_AddItemToArray(r, cJSON_CreateNumber(z->thr_hi));
			cJSON_AddNumberToObject(s, "peak_rss_kb", z->rss_kb);
		}
		cJSON_AddItemToArray(a, s);
	}
	return o;
}

static char *
chart(struct batch *bt)
{
	double *x = xcalloc((size_t)bt->n, sizeof *x), *y = xcalloc((size_t)bt->n, sizeof *y);
	double *lo = xcalloc((size_t)bt->n, sizeof *lo), *hi = xcalloc((size_t)bt->n, sizeof *hi);
	double *rss = xcalloc((size_t)bt->n, sizeof *rss);
	int *failed = xcalloc((size_t)bt->n, sizeof *failed), m = 0;
	struct svg_sweep c = { 0 };
	char *svg, *title, *ylabel;

	for (int i = 0; i < bt->n; i++) {
		struct bsize *z = &bt->sz[i];

		if (z->skipped != NULL)
			continue;
		x[m] = (double)z->size;
		failed[m] = z->failure != NULL || z->n == 0;
		y[m] = z->thr;
		lo[m] = z->thr_lo;
		hi[m] = z->thr_hi;
		rss[m] = z->rss_kb / 1024;
		m++;
	}
	ylabel = xasprintf("throughput (%s), 95%% CI", unit(bt));
	c.n = m;
	c.x = x;
	c.y = y;
	c.ylo = lo;
	c.yhi = hi;
	c.y2 = bt->probe ? NULL : rss;
	c.failed = failed;
	if (bt->rec >= 0) {
		c.band_lo = (double)bt->sz[bt->range_lo].size;
		c.band_hi = (double)bt->sz[bt->range_hi].size;
		c.mark2 = (double)bt->sz[bt->rec].size;
		c.mark2_label = "recommended";
	}
	if (bt->current > 0) {
		c.mark1 = (double)bt->current;
		c.mark1_label = "current";
	}
	c.xlabel = "batch size (log scale)";
	c.ylabel = ylabel;
	c.y2label = "peak RSS (MB)";
	title = xasprintf("%s: throughput against batch size (%s%s)", bt->a->spec->name,
	    bt->probe ? dbagent_driver(bt->a->spec)->name : "batch.command",
	    bt->probe ? " probe" : "");
	svg = svg_sweep(title, &c);
	free(x);
	free(y);
	free(lo);
	free(hi);
	free(rss);
	free(failed);
	free(title);
	free(ylabel);
	return svg;
}

/* How many runs each size's figures used, and why. */
static void
md_runs(struct buf *b, const struct batch *bt)
{
	buf_printf(b, "\nRuns: %d per size (repetitions %s)", bt->reps, bt->auto_reps ?
	    "auto: the sweep's default" : "from the spec");
	if (bt->auto_reps)
		buf_printf(b, "; after %d, a size whose fastest run was over x%.1f the slowest "
		    "run of the fastest size was dropped as clearly outside the optimal range",
		    BATCH_DROP_AFTER, BATCH_DROP_SLOWER);
	buf_puts(b, ".\n");
	for (int i = 0; i < bt->n; i++)
		if (bt->sz[i].dropped != NULL)
			buf_printf(b, "- batch %lld: %s.\n", (long long)bt->sz[i].size,
			    bt->sz[i].dropped);
}

/* Row i of the sizes' table: its figures, or why it has none. */
static void
md_size_row(struct buf *b, struct batch *bt, int i)
{
	const struct bsize *z = &bt->sz[i];
	char *med, *p95, *mark, *rss;

	if (z->skipped != NULL) {
		buf_printf(b, "| %lld | not measured: %s | | | | | 0 | |\n",
		    (long long)z->size, z->skipped);
		return;
	}
	if (z->failure != NULL || z->n == 0) {
		char *cell = md_cell(z->failure != NULL ? z->failure : "no run");

		buf_printf(b, "| %lld | **failed** | %s | | | | %d | |\n",
		    (long long)z->size, cell, z->n);
		free(cell);
		return;
	}
	med = md_duration(z->w.median);
	p95 = md_duration(z->w.p95);
	mark = xasprintf("%s%s%s", i == bt->rec ? "recommended " : "",
	    i == bt->cur ? "current " : "", in_range(bt, i) ? "in range" : "");
	rss = bt->probe ? xstrdup("–") : xasprintf("%.1f MB", z->rss_kb / 1024);
	buf_printf(b, "| %lld | %s | %s–%s | %s | %s | %s | %d | %s |\n",
	    (long long)z->size, rate_s(z->thr), rate_s(z->thr_lo), rate_s(z->thr_hi),
	    med, p95, rss, z->n, mark);
	free(rss);
	free(med);
	free(p95);
	free(mark);
}

static char *
report(struct batch *bt)
{
	struct buf b = { 0 };
	const struct spec *sp = bt->a->spec;

	buf_printf(&b, "# Batch-size analysis: %s\n\n## Verdict\n\n%s\n\n", sp->name,
	    bt->f->headline);
	if (bt->probe)
		buf_printf(&b, "Measured with perfd's %s probe: %d synthetic rows shaped "
		    "like `%s` inserted into a scratch copy of the database (made from "
		    "one read of it; the original is only read), committing every "
		    "*size* rows, each row's INSERT %s.\n\n",
		    dbagent_driver(sp)->name, BATCH_PROBE_ROWS, sp->db_table, bt->prepared ?
		    "prepared" : "as SQL text, as the client sends its rows");
	else
		buf_printf(&b, "Measured with `%s`: for each size, setup and the stages "
		    "before %s ran untimed (or only its `prepare`, when they were already in "
		    "place: the counts are at the end), then the command was timed, under "
		    "the measurement lock. Throughput counts %s.\n\n", sp->batch_command,
		    sp->stages[bt->stage].name, bt->rows_from != NULL ? bt->rows_from :
		    "runs per second (no row count: set `rows` in the spec)");
	buf_printf(&b, "Sizes were visited in a shuffled order per repetition (seed "
	    "%u), so slow drift of the machine does not look like a trend. The optimal "
	    "range is every size whose throughput CI reaches %.0f%% of the best; the "
	    "recommendation is the smallest size in it.\n\n", bt->seed,
	    BATCH_WITHIN * 100);
	buf_printf(&b, "| batch size | throughput (%s) | 95%% CI | wall median | p95 | "
	    "peak RSS | runs | |\n|---|---|---|---|---|---|---|---|\n", unit(bt));
	for (int i = 0; i < bt->n; i++)
		md_size_row(&b, bt, i);
	md_runs(&b, bt);
	buf_puts(&b, "\n![throughput against batch size](batch.svg)\n");
	if (bt->rec >= 0 && !bt->probe) {
		struct bsize *r = &bt->sz[bt->rec], *big = NULL;

		for (int i = bt->n - 1; i >= 0 && big == NULL; i--)
			if (bt->sz[i].n > 0 && bt->sz[i].failure == NULL)
				big = &bt->sz[i];
		if (big != NULL && big != r && big->rss_kb - r->rss_kb >= 100)
			buf_printf(&b, "\nAt %lld instead of %lld the stage peaks at %.1f MB "
			    "instead of %.1f MB: %.1f MB saved.\n", (long long)r->size,
			    (long long)big->size, r->rss_kb / 1024, big->rss_kb / 1024,
			    (big->rss_kb - r->rss_kb) / 1024);
	}
	buf_puts(&b, "\n## Warnings\n\n");
	if (bt->f->nwarnings == 0)
		buf_puts(&b, "None.\n");
	for (int i = 0; i < bt->f->nwarnings; i++)
		buf_printf(&b, "- %s\n", bt->f->warnings[i]);
	return b.p;
}

static int
cmp_size(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The sizes to sweep, ascending, with batch.current among them. */
static void
sizes(struct batch *bt)
{
	const struct spec *sp = bt->a->spec;
	int64_t *v = xcalloc((size_t)sp->nbatch_sizes + 1, sizeof *v);
	int n = sp->nbatch_sizes, has = 0;

	memcpy(v, sp->batch_sizes, sizeof *v * (size_t)n);
	for (int i = 0; i < n; i++)
		has |= v[i] == bt->current;
	if (bt->current > 0 && !has)
		v[n++] = bt->current;
	qsort(v, (size_t)n, sizeof *v, cmp_size);
	bt->n = n;
	bt->sz = xcalloc((size_t)n, sizeof *bt->sz);
	for (int i = 0; i < n; i++) {
		bt->sz[i].size = v[i];
		bt->sz[i].wall = xcalloc((size_t)bt->reps, sizeof (double));
		bt->sz[i].rss = xcalloc((size_t)bt->reps, sizeof (double));
		if (bt->probe && v[i] > BATCH_PROBE_ROWS)
			bt->sz[i].skipped = xasprintf("larger than the probe's %d rows",
			    BATCH_PROBE_ROWS);
	}
	free(v);
}

static int
abstain_all(struct agent *a, const char *why)
{
	struct findings *f = findings_new(a->name, "skipped");
	char *md;
	int rc;

	f->headline = xstrdup(why);
	for (int s = 0; s < a->spec->nstages; s++)
		findings_vote(f, a->spec->stages[s].name, "abstain", "%s", why);
	md = xasprintf("# Batch-size analysis: %s\n\n%s\n", a->spec->name, why);
	rc = agent_publish(a, f, inv_agents[INV_BATCH_SIZE].report, md);
	free(md);
	findings_free(f);
	return rc == 0 ? 0 : 1;
}

/* The sweep's settings from the spec, before anything is measured. */
static void
batch_init(struct batch *bt, struct agent *a)
{
	const struct spec *sp = a->spec;

	memset(bt, 0, sizeof *bt);
	bt->a = a;
	bt->stage = spec_stage_index(sp, sp->batch_stage);
	bt->probe = sp->batch_command == NULL;
	bt->auto_reps = sp->repetitions == SPEC_REPS_AUTO;
	bt->reps = spec_reps(sp, BATCH_AUTO_REPS);
	bt->seed = (unsigned)(now_ns() ^ (uint64_t)getpid()) | 1u;
	bt->rows = bt->probe ? BATCH_PROBE_ROWS : (double)sp->rows;
	bt->rows_from = bt->probe ? "rows inserted by the probe" : sp->rows > 0 ?
	    "rows from the spec's `rows`" : sp->has_database ? "table" : NULL;
	bt->current = sp->batch_current;
	bt->current_from = "batch.current";
}

/*
 * The probe's scratch database, and the stage observed to bound the
 * probe's figures: 0, or -1 with *cause when there is nothing to probe.
 */
static int
probe_start(struct batch *bt, char **cause)
{
	const struct spec *sp = bt->a->spec;
	char *scratch = agent_path(bt->a, "scratch.db");
	int captured = 0;

	if (dbagent_stage(sp) >= 0 && dbagent_observe(bt->a, &bt->cap, &captured, &bt->o,
	    cause) == 0)
		bt->observed = 1;
	else if (dbagent_stage(sp) >= 0) {
		free(*cause);	/* the verdict will say it is unbounded */
		*cause = NULL;
	}
	if (captured || dbagent_capture(bt->a, &bt->cap, cause) == 0)
		bt->pr = dbagent_driver(sp)->scratch(sp, &bt->cap, scratch, cause);
	free(scratch);
	if (bt->pr == NULL)
		return -1;
	/* SQL text for a client that sends its rows as text (psql), else prepared. */
	bt->prepared = !bt->observed || strcmp(bt->o.client->writes, "text") != 0;
	if (bt->current <= 0 && bt->observed && bt->o.cadence > 0) {
		bt->current = (int64_t)round(bt->o.cadence);
		bt->current_from = "the cadence observed in the stage";
	}
	return 0;
}

/* What the agent publishes when the database cannot be probed: failed, saying why. */
static int
probe_failed(struct agent *a, const char *cause)
{
	struct findings *f = findings_new(a->name, "failed");
	int rc;

	f->headline = xasprintf("Cannot probe the database: %s", cause);
	for (int s = 0; s < a->spec->nstages; s++)
		findings_vote(f, a->spec->stages[s].name, "abstain", "%s", f->headline);
	rc = agent_publish(a, f, NULL, NULL);
	findings_free(f);
	return rc == 0 ? 0 : 1;
}

/* The findings from the sweep: verdict, the cap, memory, each failed size. */
static void
conclude(struct batch *bt)
{
	bt->f = findings_new(bt->a->name, bt->best < 0 ? "failed" : "ok");
	verdict(bt);
	if (bt->cap_lo >= 0) {
		char *h = bt->f->headline;

		bt->f->headline = xasprintf("%s Sizes from %lld to %lld give the same number "
		    "of commits: the loader caps its batch, so a larger flag changes "
		    "nothing.", h, (long long)bt->sz[bt->cap_lo].size,
		    (long long)bt->sz[bt->cap_hi].size);
		free(h);
	}
	memory_warning(bt);
	for (int i = 0; i < bt->n; i++)
		if (bt->sz[i].failure != NULL)
			findings_warn(bt->f, "size %lld failed: %s", (long long)bt->sz[i].size,
			    bt->sz[i].failure);
	bt->f->data = data_json(bt);
}

/* The chart, the report and the findings: 0, or 1 when they could not be published. */
static int
publish(struct batch *bt)
{
	char *cause = NULL, *svg = chart(bt), *md;
	char *path = agent_path(bt->a, inv_agents[INV_BATCH_SIZE].chart);
	int rc;

	if (file_write_atomic(path, svg, strlen(svg), &cause) != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	}
	free(path);
	free(svg);
	md = report(bt);
	rc = agent_publish(bt->a, bt->f, inv_agents[INV_BATCH_SIZE].report, md);
	if (rc == 0)
		agent_finding(bt->a, "%s", bt->f->headline);
	free(md);
	return rc == 0 ? 0 : 1;
}

static void
batch_free(struct batch *bt)
{
	if (bt->probe) {
		if (bt->pr != NULL)
			dbagent_driver(bt->a->spec)->close(bt->pr);
		dbagent_driver(bt->a->spec)->release(&bt->cap);
	}
	dbagent_obs_free(&bt->o);
	free(bt->commits);
	for (int i = 0; i < bt->n; i++) {
		free(bt->sz[i].wall);
		free(bt->sz[i].rss);
		free(bt->sz[i].failure);
		free(bt->sz[i].skipped);
		free(bt->sz[i].dropped);
	}
	free(bt->sz);
	findings_free(bt->f);
}

int
batch_main(struct agent *a)
{
	const struct spec *sp = a->spec;
	struct batch bt;
	char *cause = NULL;
	int rc;

	if (!sp->has_batch)
		return abstain_all(a, "No batch section in the spec: batch size not "
		    "analysed.");
	if (sp->batch_command == NULL && !sp->has_database)
		return abstain_all(a, "batch has neither a command with {batch} nor a "
		    "database to probe: nothing to sweep.");
	batch_init(&bt, a);
	if (bt.probe && probe_start(&bt, &cause) != 0) {
		rc = probe_failed(a, cause);
		free(cause);
		batch_free(&bt);
		return rc;
	}
	sizes(&bt);
	bt.count.spec = sp;
	bt.count.before = -1;
	sweep(&bt);
	if (bt.rows <= 0 && bt.count.rows > 0)
		bt.rows = bt.count.rows;
	if (bt.rows_from != NULL && strcmp(bt.rows_from, "table") == 0)
		bt.rows_from = bt.rows > 0 ? "rows: the table's row count after minus "
		    "before (read-only)" : NULL;
	analyse(&bt);
	commit_caps(&bt);
	conclude(&bt);
	rc = publish(&bt);
	batch_free(&bt);
	return rc;
}
