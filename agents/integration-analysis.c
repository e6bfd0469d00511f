/* integration-analysis.c - consensus, contradictions settled, Amdahl ranking. */
#include "integration.h"
#include "pipeline.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double
num(cJSON *o, const char *k, double dflt)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* The profiling agent's figures per stage, when it answered with them. */
static void
load_profile(struct integ *g)
{
	struct findings *pf = g->in[0].f;
	cJSON *stages, *s, *b;

	g->bottleneck = -1;
	if (pf == NULL || pf->data == NULL)
		return;
	g->prof = pf->data;
	g->total_ms = num(cJSON_GetObjectItem(g->prof, "total"), "median_ms", 0);
	stages = cJSON_GetObjectItem(g->prof, "stages");
	cJSON_ArrayForEach(s, stages) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(s, "name"));
		int i = name != NULL ? spec_stage_index(g->a->spec, name) : -1;
		cJSON *ci = cJSON_GetObjectItem(s, "share_ci");

		if (i < 0 || !cJSON_IsNumber(cJSON_GetObjectItem(s, "share")))
			continue;
		g->st[i].has_share = 1;
		g->st[i].share = num(s, "share", 0);
		g->st[i].share_lo = cJSON_IsArray(ci) ? cJSON_GetArrayItem(ci, 0)->valuedouble :
		    g->st[i].share;
		g->st[i].share_hi = cJSON_IsArray(ci) ? cJSON_GetArrayItem(ci, 1)->valuedouble :
		    g->st[i].share;
		g->st[i].median_ms = num(s, "median_ms", 0);
		g->st[i].p95_ms = num(s, "p95_ms", 0);
		g->st[i].cpu_util = num(s, "cpu_util", 0);
		g->st[i].rss_kb = num(s, "peak_rss_kb", 0);
	}
	b = cJSON_GetObjectItem(g->prof, "bottleneck");
	if (cJSON_IsObject(b))
		g->bottleneck = spec_stage_index(g->a->spec,
		    cJSON_GetStringValue(cJSON_GetObjectItem(b, "stage")));
}

static void
tally(struct integ *g)
{
	for (int s = 0; s < g->nstages; s++) {
		struct stage_view *v = &g->st[s];

		for (int i = 0; i < INV_INVESTIGATORS; i++) {
			struct findings *f = g->in[i].f;

			for (int k = 0; f != NULL && k < f->nvotes; k++) {
				if (strcmp(f->votes[k].stage, v->name) != 0)
					continue;
				v->vote[i] = f->votes[k].vote;
				v->reason[i] = f->votes[k].reason;
			}
			if (v->vote[i] == NULL)
				continue;
			v->optimize += strcmp(v->vote[i], "optimize") == 0;
			v->leave += strcmp(v->vote[i], "leave") == 0;
			v->abstain += strcmp(v->vote[i], "abstain") == 0;
		}
		v->cons = rank_consensus(v->optimize, v->leave);
		switch (v->cons) {
		case CONS_CONSENSUS:
		case CONS_SINGLE:
			v->verdict = v->optimize > 0 ? "optimize" : "leave";
			break;
		case CONS_INVESTIGATE:
			v->verdict = "investigate";
			break;
		default:
			v->verdict = "none";
		}
	}
}

/* The largest measured local speed-up an agent claims on stage s. */
static const struct recommendation *
claim_on(struct integ *g, int s, const char **agent)
{
	const struct recommendation *best = NULL;

	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		struct findings *f = g->in[i].f;

		if (f == NULL || g->st[s].vote[i] == NULL ||
		    strcmp(g->st[s].vote[i], "optimize") != 0)
			continue;
		for (int k = 0; k < f->nrecs; k++) {
			if (strcmp(f->recs[k].stage, g->st[s].name) == 0 &&
			    (best == NULL || f->recs[k].local_speedup > best->local_speedup)) {
				best = &f->recs[k];
				*agent = g->in[i].agent;
			}
		}
	}
	return best;
}

/*
 * Time the whole pipeline INTEG_TIEBREAK_MIN (or 2 x repetitions) more
 * times under the lock, to settle stage s's share with more runs.
 */
static int
remeasure_share(struct integ *g, int s, struct stats *share, struct stats *wall)
{
	const struct spec *sp = g->a->spec;
	int reps = spec_reps(sp, INTEG_TIEBREAK_MIN / 2), n = 0;
	int runs = reps * 2 > INTEG_TIEBREAK_MIN ? reps * 2 : INTEG_TIEBREAK_MIN;
	double *sh = xcalloc((size_t)runs, sizeof *sh), *w = xcalloc((size_t)runs, sizeof *w);
	char *failure = NULL;
	double longest = 0;

	for (int r = 0; r < runs; r++) {
		double total = 0, mine = 0;
		int ok = 1;
		double held = agent_held_ms(g->a);	/* a run's time in the lock */

		if (r > 0 && !agent_fits(g->a, longest)) {
			agent_cut(g->a, "the tie-breaker on %s made %d of %d runs",
			    g->st[s].name, r, runs);
			break;
		}
		agent_progress(g->a, 82, "tie-breaker on %s: run %d/%d", g->st[s].name, r + 1,
		    runs);
		agent_lock(g->a);
		if (pipeline_hook(sp, "setup", sp->setup, g->a->dir, &failure) != 0)
			ok = 0;
		for (int i = 0; ok && i < sp->nstages; i++) {
			struct stage_result res;

			pipeline_stage(sp, i, g->a->dir, NULL, &res);
			ok = res.ok;
			total += res.wall_ms;
			if (i == s)
				mine = res.wall_ms;
			pipeline_result_free(&res);
		}
		if (sp->teardown != NULL && pipeline_hook(sp, "teardown", sp->teardown,
		    g->a->dir, &failure) != 0)
			ok = 0;
		agent_unlock(g->a);
		free(failure);
		failure = NULL;
		if (ok && total > 0) {
			sh[n] = mine / total;
			w[n++] = mine;
		}
		longest = fmax(longest, agent_held_ms(g->a) - held);
	}
	if (n > 0) {
		stats_compute(sh, n, share);
		stats_compute(w, n, wall);
	}
	free(sh);
	free(w);
	return n;
}

/*
 * The tie-breaker's runs of stage s at size[0] and size[1], alternating,
 * into w and n: in one hold of the lock (a stage with a prepare pays its
 * prefix once), and within the budget (a pair of runs at least).
 */
static void
batch_tiebreak_runs(struct integ *g, int s, const long long *size,
    double w[2][INTEG_TIEBREAK_MIN], int *n)
{
	const struct spec *sp = g->a->spec;
	struct stage_view *v = &g->st[s];
	double longest = 0;

	agent_lock(g->a);
	for (int r = 0; r < 2 * INTEG_TIEBREAK_MIN; r++) {
		int which = r % 2;
		char *cmd, *fail = NULL;
		struct stage_result res = { 0 };
		double held = agent_held_ms(g->a);

		if (r >= 2 && !agent_fits(g->a, longest)) {
			agent_cut(g->a, "the tie-breaker on %s's batch size made %d of %d runs",
			    v->name, r, 2 * INTEG_TIEBREAK_MIN);
			break;
		}
		cmd = pipeline_batch_command(sp->batch_command, size[which]);
		agent_progress(g->a, 82, "tie-breaker on %s: batch %lld, run %d/%d", v->name,
		    size[which], r / 2 + 1, INTEG_TIEBREAK_MIN);
		if (pipeline_measure(sp, s, cmd, g->a->dir, NULL, NULL, &res, &fail) == 0 &&
		    res.ok)
			w[which][n[which]++] = res.wall_ms;
		pipeline_result_free(&res);
		free(fail);
		free(cmd);
		longest = fmax(longest, agent_held_ms(g->a) - held);
	}
	agent_unlock(g->a);
}

/*
 * A contradiction about a batch size: the claimed size against the current
 * one, alternating, INTEG_TIEBREAK_MIN runs each, under the lock. Returns
 * 0 when it ran (the outcome is in v->tb), -1 when it does not apply.
 */
static int
batch_tiebreak(struct integ *g, int s)
{
	const struct spec *sp = g->a->spec;
	struct findings *bf = g->in[INV_BATCH_SIZE].f;
	struct stage_view *v = &g->st[s];
	cJSON *cur, *rec;
	double w[2][INTEG_TIEBREAK_MIN];
	int n[2] = { 0, 0 };
	long long size[2];
	struct stats st[2];

	if (sp->batch_command == NULL || spec_stage_index(sp, sp->batch_stage) != s ||
	    bf == NULL || bf->data == NULL)
		return -1;
	cur = cJSON_GetObjectItem(bf->data, "current");
	rec = cJSON_GetObjectItem(bf->data, "recommended");
	if (!cJSON_IsNumber(cur) || !cJSON_IsNumber(rec) || cur->valuedouble == rec->valuedouble)
		return -1;
	size[0] = (long long)cur->valuedouble;
	size[1] = (long long)rec->valuedouble;
	batch_tiebreak_runs(g, s, size, w, n);
	v->tb.ran = 1;
	v->tb.how = xasprintf("batch %lld (claimed) against %lld (current), %d and %d runs, "
	    "alternating, under the measurement lock", size[1], size[0], n[1], n[0]);
	if (n[0] == 0 || n[1] == 0) {
		v->tb.outcome = xstrdup("a size failed in every run: no figure");
		v->tb.supports = "leave";
	} else {
		double k;

		stats_compute(w[0], n[0], &st[0]);
		stats_compute(w[1], n[1], &st[1]);
		k = st[0].median / st[1].median;
		v->tb.supports = k >= INTEG_WORTH ? "optimize" : "leave";
		v->tb.outcome = xasprintf("median %.1f ms at %lld against %.1f ms at %lld: "
		    "x%.2f on the stage", st[1].median, size[1], st[0].median, size[0], k);
	}
	v->verdict = v->tb.supports;
	v->resolution = xasprintf("settled by a tie-breaker experiment on the batch "
	    "size: %s", v->tb.supports);
	return 0;
}

/*
 * Settle stage s by Amdahl when the measured share decides: profiling's
 * "leave" is a statement about the share, and a claimed speed-up k (from
 * claimant's recommendation r; none: infinite) worth under 5% end to end
 * stays so whatever an experiment says. 1 when settled.
 */
static int
settle_by_amdahl(struct integ *g, int s, const struct recommendation *r,
    const char *claimant, double k)
{
	struct stage_view *v = &g->st[s];
	int share_leave = v->vote[0] != NULL && strcmp(v->vote[0], "leave") == 0;
	double e;

	if (!v->has_share)
		return 0;
	e = isinf(k) ? 1 / (1 - v->share) : rank_amdahl(v->share, k);
	if (!(share_leave ? e < INTEG_WORTH || r != NULL : r != NULL && e < INTEG_WORTH))
		return 0;
	v->verdict = e < INTEG_WORTH ? "leave" : "optimize";
	v->resolution = xasprintf("settled by Amdahl: %s takes %.1f%% of the "
	    "time, so %s gives x%.3f end to end (%s 5%%): %s", v->name,
	    v->share * 100, r != NULL ? "the claimed local speed-up" :
	    "even an infinite speed-up", e, e < INTEG_WORTH ? "under" : "over",
	    v->verdict);
	if (r != NULL) {
		char *old = v->resolution;

		v->resolution = xasprintf("%s (x%.2f from %s)", old, k, claimant);
		free(old);
	}
	return 1;
}

/* Settle a contradiction on stage s: by Amdahl when it can, else by experiment. */
static void
settle(struct integ *g, int s)
{
	struct stage_view *v = &g->st[s];
	const char *claimant = NULL;
	const struct recommendation *r = claim_on(g, s, &claimant);
	double k = r != NULL ? r->local_speedup : INFINITY, e;
	struct stats share, wall;
	int n;

	if (settle_by_amdahl(g, s, r, claimant, k))
		return;
	/* Otherwise an experiment: a batch size against the current one, or
	 * the stage's share again, with more runs. */
	if (batch_tiebreak(g, s) == 0)
		return;
	n = remeasure_share(g, s, &share, &wall);
	v->tb.ran = 1;
	v->tb.how = xasprintf("%d more runs of the whole pipeline under the "
	    "measurement lock, timing %s", n, v->name);
	if (n == 0) {
		v->tb.outcome = xstrdup("the pipeline failed in every run: no figure");
		v->tb.supports = "leave";
		v->verdict = "investigate";
		v->resolution = xstrdup("the tie-breaker could not run the pipeline");
		return;
	}
	e = isinf(k) ? 1 / (1 - share.median) : rank_amdahl(share.median, k);
	v->tb.supports = e >= INTEG_WORTH ? "optimize" : "leave";
	v->tb.outcome = xasprintf("median %.1f ms, share %.1f%% (95%% CI %.1f-%.1f%%); "
	    "%s x%.3f end to end", wall.median, share.median * 100, share.ci_lo * 100,
	    share.ci_hi * 100, r != NULL ? "the claimed speed-up gives" :
	    "an infinite speed-up would give", e);
	v->verdict = v->tb.supports;
	v->resolution = xasprintf("settled by a tie-breaker experiment: %s", v->tb.supports);
	if (!v->has_share) {
		v->has_share = 1;
		v->share = share.median;
		v->share_lo = share.ci_lo;
		v->share_hi = share.ci_hi;
		v->median_ms = wall.median;
	}
}

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->ranked != y->ranked)
		return y->ranked - x->ranked;
	if (x->priority != y->priority)
		return x->priority - y->priority;
	/* At equal priority what was measured on the pipeline comes first. */
	if (x->r->kind != y->r->kind)
		return (int)y->r->kind - (int)x->r->kind;
	return (x->e2e < y->e2e) - (x->e2e > y->e2e);
}

/* Another investigator than `agent` votes optimize on stage s. */
static int
seconded(struct integ *g, int s, const char *agent)
{
	for (int i = 0; i < INV_INVESTIGATORS; i++)
		if (strcmp(g->in[i].agent, agent) != 0 && g->st[s].vote[i] != NULL &&
		    strcmp(g->st[s].vote[i], "optimize") == 0)
			return 1;
	return 0;
}

/*
 * The best priority a figure may reach: an estimate P1; a probe figure P0
 * only with its bound inside the stage shown and a second agent agreeing,
 * since a synthetic workload is not the user's stage.
 */
static int
best_priority(struct integ *g, const struct ranked *x)
{
	if (x->r->kind == EVIDENCE_ESTIMATE)
		return 1;
	if (x->r->kind == EVIDENCE_PROBE &&
	    (x->r->bound == NULL || !seconded(g, x->stage, x->agent)))
		return 1;
	return 0;
}

static void
rank_all(struct integ *g)
{
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		struct findings *f = g->in[i].f;

		for (int k = 0; f != NULL && k < f->nrecs; k++) {
			struct ranked *x;
			const struct recommendation *r = &f->recs[k];
			int s = spec_stage_index(g->a->spec, r->stage);

			g->recs = xrealloc(g->recs, sizeof *g->recs * (size_t)(g->nrecs + 1));
			x = &g->recs[g->nrecs++];
			memset(x, 0, sizeof *x);
			x->r = r;
			x->agent = g->in[i].agent;
			x->stage = s;
			if (s < 0) {
				x->unranked_why = xasprintf("stage '%s' is not in the spec", r->stage);
				continue;
			}
			if (!g->st[s].has_share) {
				x->unranked_why = xasprintf("no measured share for %s (the "
				    "profiling report is missing or the stage never completed)",
				    r->stage);
				continue;
			}
			if (strcmp(g->st[s].verdict, "leave") == 0 &&
			    g->st[s].cons == CONS_CONTRADICTION) {
				x->unranked_why = xasprintf("the contradiction on %s was "
				    "settled as leave (see section 3)", r->stage);
				continue;
			}
			x->ranked = 1;
			x->e2e = rank_amdahl(g->st[s].share, r->local_speedup);
			x->e2e_lo = rank_amdahl(g->st[s].share_lo, r->ci_hi > 0 ? r->ci_lo :
			    r->local_speedup);
			x->e2e_hi = rank_amdahl(g->st[s].share_hi, r->ci_hi > 0 ? r->ci_hi :
			    r->local_speedup);
			x->priority = rank_priority(x->e2e, best_priority(g, x));
		}
	}
	if (g->nrecs > 1)
		qsort(g->recs, (size_t)g->nrecs, sizeof *g->recs, cmp_ranked);
}

/* The top ranked change per stage, all applied; and the streaming bound. */
static void
outlook(struct integ *g)
{
	double new_total = 0, slowest = 0;
	int any = 0;

	if (g->total_ms <= 0)
		return;
	for (int s = 0; s < g->nstages; s++) {
		double t = g->st[s].share * g->total_ms, k = 1;

		for (int i = 0; i < g->nrecs; i++) {
			if (g->recs[i].ranked && g->recs[i].stage == s) {
				k = g->recs[i].r->local_speedup;
				any = 1;
				break;
			}
		}
		new_total += t / k;
		slowest = fmax(slowest, t);
	}
	g->outlook_ms = any ? new_total : 0;
	g->pipeline_bound = slowest > 0 ? g->total_ms / slowest : 0;
}

void
integ_analyse(struct integ *g)
{
	load_profile(g);
	tally(g);
	for (int s = 0; s < g->nstages; s++)
		if (g->st[s].cons == CONS_CONTRADICTION)
			settle(g, s);
	rank_all(g);
	outlook(g);
}
