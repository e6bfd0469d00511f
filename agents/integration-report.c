/* integration-report.c - MASTER_INTEGRATION_REPORT.md and .json. */
#include "integration.h"
#include "compare.h"
#include "md.h"
#include "profiling.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const prio_names[] = { "P0", "P1", "P2", "P3" };

static const char *
investigation_id(struct integ *g)
{
	const char *slash = strrchr(g->a->inv_dir, '/');

	return slash != NULL ? slash + 1 : g->a->inv_dir;
}

static char *
ms(double v)
{
	return md_duration(v);
}

/*
 * "4 reports: 2 ok, 1 failed (why), 1 skipped (why)": a report that
 * arrived is not an agent that answered, so the statuses are counted.
 */
static void
reports_line(struct buf *b, struct integ *g, int have)
{
	const char *const *order = findings_statuses;

	const char *sep = ":";

	buf_printf(b, "%d of %d agent reports arrived", have, INV_INVESTIGATORS);
	for (int k = 0; k < FINDINGS_NSTATUS; k++) {
		int n = 0, m = 0;

		for (int i = 0; i < INV_INVESTIGATORS; i++)
			n += g->in[i].f != NULL && strcmp(g->in[i].f->status, order[k]) == 0;
		if (n == 0)
			continue;
		buf_printf(b, "%s %d %s", sep, n, order[k]);
		sep = ",";
		if (k == 0)
			continue;
		buf_puts(b, " (");
		for (int i = 0; i < INV_INVESTIGATORS; i++)
			if (g->in[i].f != NULL && strcmp(g->in[i].f->status, order[k]) == 0)
				buf_printf(b, "%s%s: %s", m++ ? "; " : "", g->in[i].agent,
				    g->in[i].f->headline != NULL ? g->in[i].f->headline :
				    "no headline");
		buf_puts(b, ")");
	}
	buf_puts(b, ". The consensus is computed over the agents that answered.\n\n");
}

static void
summary(struct buf *b, struct integ *g)
{
	const struct spec *sp = g->a->spec;
	int have = 0;

	for (int i = 0; i < INV_INVESTIGATORS; i++)
		have += g->in[i].f != NULL;
	buf_puts(b, "## 1. Executive summary\n\n");
	if (g->bottleneck >= 0) {
		struct stage_view *v = &g->st[g->bottleneck];
		char *t = ms(g->total_ms);

		buf_printf(b, "**The bottleneck is %s: %.1f%% of the end-to-end time** "
		    "(95%% CI %.1f–%.1f%%; end to end %s, median of the profiling runs).",
		    v->name, v->share * 100, v->share_lo * 100, v->share_hi * 100, t);
		free(t);
		for (int s = 0; s < g->nstages; s++)
			if (s != g->bottleneck && g->st[s].has_share &&
			    g->st[s].share < 0.05)
				buf_printf(b, " %s is not (%.1f%%).", g->st[s].name,
				    g->st[s].share * 100);
		buf_puts(b, "\n\n");
	} else
		buf_puts(b, "No bottleneck could be named: the profiling agent named "
		    "none (its headline, in section 4, says why).\n\n");
	if (sp->hypothesis != NULL) {
		int h = spec_stage_index(sp, sp->hypothesis);
		struct stage_view *v = &g->st[h];

		if (!v->has_share)
			buf_printf(b, "The team's hypothesis — %s is the bottleneck — could not "
			    "be checked: no measured share.\n\n", sp->hypothesis);
		else if (h == g->bottleneck)
			buf_printf(b, "The team's hypothesis — **%s is the bottleneck** — is "
			    "**confirmed**: %.1f%% of the time (95%% CI %.1f–%.1f%%).\n\n",
			    sp->hypothesis, v->share * 100, v->share_lo * 100, v->share_hi * 100);
		else
			buf_printf(b, "The team's hypothesis — **%s is the bottleneck** — is "
			    "**rejected**: it takes %.1f%% of the time (95%% CI %.1f–%.1f%%). "
			    "Even an infinitely fast %s would make the pipeline only x%.2f "
			    "faster.\n\n", sp->hypothesis, v->share * 100, v->share_lo * 100,
			    v->share_hi * 100, sp->hypothesis, 1 / (1 - v->share));
	}
	reports_line(b, g, have);
	for (int i = 0; i < INV_INVESTIGATORS; i++)
		buf_printf(b, "- **%s** (%s): %s\n", g->in[i].agent, g->in[i].f != NULL ?
		    g->in[i].f->status : "no report", g->in[i].f != NULL &&
		    g->in[i].f->headline != NULL ? g->in[i].f->headline : g->in[i].why ?
		    g->in[i].why : "no headline");
	buf_puts(b, "\n");
}

static const char *
cons_of(struct integ *g, const struct ranked *x)
{
	return x->stage >= 0 ? rank_consensus_name(g->st[x->stage].cons) : "n/a";
}

/*
 * Stage's fastest growth with any matrix parameter, from profiling's
 * fits, when it grows faster than linearly (its exponent's CI above 1):
 * the entry of data.matrix.growth, or NULL.
 */
static const cJSON *
scale_growth(struct integ *g, const char *stage)
{
	const cJSON *m = g->prof != NULL ? cJSON_GetObjectItem(g->prof, "matrix") : NULL, *e;
	const cJSON *best = NULL, *growth = m != NULL ? cJSON_GetObjectItem(m, "growth") : NULL;

	cJSON_ArrayForEach(e, growth) {
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(e, "stage"));
		double lo = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "b_lo"));

		if (st != NULL && strcmp(st, stage) == 0 && lo > 1.0 && (best == NULL ||
		    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "b")) >
		    cJSON_GetNumberValue(cJSON_GetObjectItem(best, "b"))))
			best = e;
	}
	return best;
}

/* "merge grows as tasks^1.9 (CI 1.8–2.0): quadratic" (caller frees). */
static char *
growth_words(const cJSON *e)
{
	return xasprintf("%s grows as %s^%.2f (CI %.2f–%.2f): %s",
	    cJSON_GetStringValue(cJSON_GetObjectItem(e, "stage")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(e, "parameter")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "b")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "b_lo")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "b_hi")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(e, "class")));
}

static void
rec_block(struct buf *b, struct integ *g, const struct ranked *x, int rank)
{
	const struct recommendation *r = x->r;
	const cJSON *grow;

	buf_printf(b, "### %d. %s — %s%s\n\n", rank, prio_names[x->priority], r->title,
	    r->kind == EVIDENCE_ESTIMATE ? " (estimate)" : r->kind == EVIDENCE_PROBE ?
	    " (probe)" : "");
	buf_printf(b, "- **End to end: x%.2f** (range x%.2f–x%.2f) — local x%.2f on %s, "
	    "which is %.1f%% of the time\n", x->e2e, x->e2e_lo, x->e2e_hi,
	    r->local_speedup, r->stage, g->st[x->stage].share * 100);
	buf_printf(b, "- Evidence kind: **%s** — %s%s; from %s; consensus on %s: %s\n",
	    findings_kind_name(r->kind), findings_kind_phrase(r->kind),
	    r->kind == EVIDENCE_PIPELINE ? "" : " (never above P1 unless the probe's "
	    "bound is shown and a second agent agrees; an estimate never)", x->agent,
	    r->stage, cons_of(g, x));
	if (r->bound != NULL)
		buf_printf(b, "- Bound: %s\n", r->bound);
	if (r->evidence != NULL)
		buf_printf(b, "- Evidence: %s\n", r->evidence);
	buf_printf(b, "- Effort: %s\n", r->effort);
	if ((grow = scale_growth(g, r->stage)) != NULL) {
		char *w = growth_words(grow);

		buf_printf(b, "- **Matters more at larger scale**: %s (profiling's matrix)\n", w);
		free(w);
	}
	if (r->apply != NULL && strchr(r->apply, '\n') != NULL)
		buf_printf(b, "- How:\n\n```\n%s%s```\n", r->apply,
		    r->apply[strlen(r->apply) - 1] == '\n' ? "" : "\n");
	else if (r->apply != NULL)
		buf_printf(b, "- How: %s\n", r->apply);
	buf_puts(b, "\n");
}

static void
top3(struct buf *b, struct integ *g)
{
	int shown = 0;

	buf_puts(b, "## 2. Top recommendations\n\nRanked by end-to-end speed-up "
	    "(Amdahl: 1 / ((1 − s) + s / k) for a stage with share s sped up k "
	    "times). P0 > x5, P1 x2–x5, P2 x1.2–x2, P3 < x1.2; an estimate is never "
	    "above P1.\n\n");
	for (int i = 0; i < g->nrecs && shown < 3; i++)
		if (g->recs[i].ranked)
			rec_block(b, g, &g->recs[i], ++shown);
	if (shown == 0)
		buf_puts(b, "No agent made a recommendation it could back with a "
		    "measurement on a stage with a measured share.\n\n");
}

static void
votes(struct buf *b, struct integ *g)
{
	const char *head[2 + INV_INVESTIGATORS] = { "stage" };

	buf_puts(b, "## 3. Votes and consensus\n\n");
	for (int i = 0; i < INV_INVESTIGATORS; i++)
		head[i + 1] = g->in[i].agent;
	head[1 + INV_INVESTIGATORS] = "consensus";
	md_row(b, 2 + INV_INVESTIGATORS, head);
	md_rule(b, 2 + INV_INVESTIGATORS);
	for (int s = 0; s < g->nstages; s++) {
		struct stage_view *v = &g->st[s];
		const char *cells[2 + INV_INVESTIGATORS];
		char *own[1 + INV_INVESTIGATORS];

		cells[0] = v->name;
		for (int i = 0; i < INV_INVESTIGATORS; i++) {
			own[i] = v->vote[i] != NULL ? xasprintf("**%s**: %s", v->vote[i],
			    v->reason[i]) : xstrdup(g->in[i].f != NULL ? "(no vote)" :
			    "(no report)");
			cells[i + 1] = own[i];
		}
		own[INV_INVESTIGATORS] = xasprintf("%s → %s", rank_consensus_name(v->cons),
		    v->verdict);
		cells[1 + INV_INVESTIGATORS] = own[INV_INVESTIGATORS];
		md_row(b, 2 + INV_INVESTIGATORS, cells);
		for (int i = 0; i <= INV_INVESTIGATORS; i++)
			free(own[i]);
	}
	buf_puts(b, "\nRules: 3 or more agents agree → consensus; 2 agree and the "
	    "others abstain → investigate further; an optimize against a leave → "
	    "contradiction, settled by the Amdahl figure when one side's argument is "
	    "the stage's share, else by a tie-breaker experiment.\n\n");
	for (int s = 0; s < g->nstages; s++) {
		struct stage_view *v = &g->st[s];

		if (v->cons != CONS_CONTRADICTION)
			continue;
		buf_printf(b, "- **Contradiction on %s** (%d optimize, %d leave): %s.\n",
		    v->name, v->optimize, v->leave, v->resolution);
		if (v->tb.ran)
			buf_printf(b, "  Tie-breaker: %s. Outcome: %s. It supports "
			    "**%s**.\n", v->tb.how, v->tb.outcome, v->tb.supports);
	}
	buf_puts(b, "\n");
}

static void
agents(struct buf *b, struct integ *g)
{
	buf_puts(b, "## 4. Agents\n\n");
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		struct findings *f = g->in[i].f;

		buf_printf(b, "### %s\n\n", g->in[i].agent);
		if (f == NULL) {
			buf_printf(b, "No report: %s.\n\n", g->in[i].why);
			continue;
		}
		buf_printf(b, "Status: **%s**. %s\n\n", f->status, f->headline ? f->headline : "");
		if (f->report != NULL)
			buf_printf(b, "Report: [%s/%s](%s/%s)", g->in[i].agent, f->report,
			    g->in[i].agent, f->report);
		if (i == INV_PROFILING && f->report != NULL)
			buf_printf(b, " · chart: [%s/%s](%s/%s)", g->in[i].agent,
			    inv_agents[i].chart, g->in[i].agent, inv_agents[i].chart);
		buf_puts(b, "\n\n");
	}
}

static void
roadmap(struct buf *b, struct integ *g)
{
	static const char *const phase[] = {
		"Phase 1 — P0, the changes that move the pipeline most",
		"Phase 2 — P1",
		"Phase 3 — P2 quick wins",
		"Not worth it now — P3 (under x1.2 end to end)",
	};
	int any;

	buf_puts(b, "## 5. Roadmap\n\n");
	for (int p = 0; p < 4; p++) {
		buf_printf(b, "**%s**\n\n", phase[p]);
		any = 0;
		for (int i = 0; i < g->nrecs; i++) {
			const struct ranked *x = &g->recs[i];

			if (!x->ranked || x->priority != p)
				continue;
			buf_printf(b, "- %s — x%.2f end to end (x%.2f on %s)%s, effort %s\n",
			    x->r->title, x->e2e, x->r->local_speedup, x->r->stage,
			    x->r->kind == EVIDENCE_PIPELINE ? "" : x->r->kind == EVIDENCE_PROBE ?
			    ", on perfd's probe" : ", estimate", x->r->effort);
			any = 1;
		}
		buf_puts(b, any ? "\n" : "- none\n\n");
	}
	for (int i = 0; i < g->nrecs; i++)
		if (!g->recs[i].ranked)
			buf_printf(b, "- Unranked: %s — %s\n", g->recs[i].r->title,
			    g->recs[i].unranked_why);
	if (g->outlook_ms > 0) {
		char *a = ms(g->total_ms), *z = ms(g->outlook_ms);

		buf_printf(b, "\n**Combined outlook**: the top change on each stage, all "
		    "applied: %s → %s end to end (x%.2f, by Amdahl over the stages).", a, z,
		    g->total_ms / g->outlook_ms);
		free(a);
		free(z);
	}
	if (g->pipeline_bound > 0)
		buf_printf(b, " Streaming the stages instead of running them one after "
		    "another would bound the time by the slowest stage: at most x%.2f "
		    "(total ÷ slowest stage).", g->pipeline_bound);
	buf_puts(b, "\n\n");
}

static void
verify(struct buf *b, struct integ *g)
{
	const struct ranked *top = NULL;

	for (int i = 0; i < g->nrecs && top == NULL; i++)
		if (g->recs[i].ranked)
			top = &g->recs[i];
	const char *src = getenv("PERFD_SPEC_SOURCE");

	buf_printf(b, "## 6. How to verify\n\nAfter applying a change, measure again "
	    "and compare with this investigation:\n\n```sh\nperfd submit %s --wait\n"
	    "perfd compare %s NEW_ID\n```\n\n", src != NULL && src[0] != '\0' ? src :
	    g->a->spec_path, investigation_id(g));
	/*
	 * "How to verify" predicts only what re-running the spec can show: a
	 * fetch stage fetches one URL per run, so concurrency cannot show there.
	 */
	if (top != NULL && g->a->spec->stages[top->stage].fetch_url != NULL &&
	    strstr(top->r->id, "-concurrency-") != NULL) {
		buf_printf(b, "Re-running this spec cannot show \"%s\": its %s stage "
		    "fetches one URL per run. To see the gain, make %s a `run:` stage that "
		    "fetches the real list of files as How says, and compare that stage's "
		    "time against fetching the same list one at a time (predicted: x%.2f "
		    "on %s, x%.2f end to end with today's other stages).\n\n",
		    top->r->title, g->st[top->stage].name, g->st[top->stage].name,
		    top->r->local_speedup, g->st[top->stage].name, top->e2e);
		return;
	}
	if (top != NULL && g->total_ms > 0) {
		struct stage_view *v = &g->st[top->stage];
		char *t = ms(g->total_ms / top->e2e), *st = ms(v->median_ms /
		    top->r->local_speedup), *a = ms(g->total_ms), *sa = ms(v->median_ms);

		buf_printf(b, "Predicted after \"%s\": end to end %s → **%s** (x%.2f); "
		    "%s %s → **%s** (x%.2f). A new run that falls short of these did not "
		    "get what was measured here.\n\n", top->r->title, a, t, top->e2e,
		    v->name, sa, st, top->r->local_speedup);
		free(t);
		free(st);
		free(a);
		free(sa);
	}
}

static cJSON *num_or_null(int ok, double v);

/*
 * The investigation's time, summed over the agents that said where theirs
 * went, with integration's own (its tie-breakers) as it stands now: the
 * wall is integration's, which starts with the others and ends last.
 */
static void
time_sum(struct integ *g, struct findings_time *t)
{
	agent_time(g->a, t);
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		const struct findings *f = g->in[i].f;

		if (f == NULL || !f->time.known)
			continue;
		t->wait_ms += f->time.wait_ms;
		t->held_ms += f->time.held_ms;
		t->timed_ms += f->time.timed_ms;
		t->untimed_ms += f->time.untimed_ms;
		t->prepare_ms += f->time.prepare_ms;
		t->prefixes += f->time.prefixes;
		t->prepares += f->time.prepares;
	}
}

/* Probes, traces and the rest of the lock's holding: what no pipeline run accounts for. */
static double
time_other(const struct findings_time *t)
{
	return fmax(0, t->held_ms - t->timed_ms - t->untimed_ms - t->prepare_ms);
}

/* One line: what the investigation cost, in seconds and in runs of the pipeline. */
static void
time_line(struct buf *b, struct integ *g)
{
	struct findings_time t;

	time_sum(g, &t);
	buf_printf(b, "- time: the investigation took %.1f s", t.wall_ms / 1000);
	if (g->total_ms > 0)
		buf_printf(b, ", %.0f times one run of the pipeline (%.2f s)",
		    t.wall_ms / g->total_ms, g->total_ms / 1000);
	buf_printf(b, ". The measurement lock was held %.1f s: %.1f s timing stages, %.1f s "
	    "running setup, teardown and stages only to reach a timed one (%ld time%s), "
	    "%.1f s in stages' prepares (%ld), %.1f s in perfd's own work (probes, traces, "
	    "calibration); the "
	    "agents, which run at once and measure one at a time, waited %.1f s for it in "
	    "all\n", t.held_ms / 1000, t.timed_ms / 1000, t.untimed_ms / 1000, t.prefixes,
	    t.prefixes == 1 ? "" : "s", t.prepare_ms / 1000, t.prepares,
	    time_other(&t) / 1000, t.wait_ms / 1000);
}

/* Each thing the budget cut short, from every agent and integration itself. */
static void
budget_cuts(struct integ *g, void (*each)(void *, const char *, const char *), void *arg)
{
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		const struct findings *f = g->in[i].f;

		for (int k = 0; f != NULL && k < f->nwarnings; k++)
			if (strncmp(f->warnings[k], "budget: ", 8) == 0)
				each(arg, g->in[i].agent, f->warnings[k] + 8);
	}
	for (int k = 0; k < g->a->ncuts; k++)
		each(arg, g->a->name, g->a->cuts[k]);
}

static void
budget_cut_md(void *arg, const char *agent, const char *what)
{
	buf_printf(arg, "- %s: %s\n", agent, what);
}

static void
budget_cut_json(void *arg, const char *agent, const char *what)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "agent", agent);
	cJSON_AddStringToObject(o, "cut", what);
	cJSON_AddItemToArray(arg, o);
}

/* With a budget: whether it held, and what was shortened or skipped to fit it (never silently). */
static void
budget_md(struct buf *b, struct integ *g)
{
	double budget = (double)g->a->spec->budget_ms, wall = now_ms_since(g->a->started_ns);
	struct buf cuts = { 0 };

	if (budget <= 0)
		return;
	budget_cuts(g, budget_cut_md, &cuts);
	buf_printf(b, "**Budget:** %.1f s; the investigation has taken %.1f s so far (%.0f%% of "
	    "it). ", budget / 1000, wall / 1000, wall * 100 / budget);
	if (cuts.len == 0)
		buf_puts(b, "Nothing was cut short to fit it.\n\n");
	else
		buf_printf(b, "To fit it, perfd measured less than it would have:\n\n%s\n",
		    cuts.p);
	buf_free(&cuts);
}

/* The same, for the master JSON. */
static cJSON *
budget_json(struct integ *g)
{
	cJSON *o;

	if (g->a->spec->budget_ms <= 0)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "budget_ms", (double)g->a->spec->budget_ms);
	budget_cuts(g, budget_cut_json, cJSON_AddArrayToObject(o, "cuts"));
	return o;
}

/* The same, for the master JSON. */
static cJSON *
time_json(struct integ *g)
{
	struct findings_time t;
	cJSON *o = cJSON_CreateObject();

	time_sum(g, &t);
	cJSON_AddNumberToObject(o, "wall_ms", t.wall_ms);
	cJSON_AddItemToObject(o, "pipeline_runs", num_or_null(g->total_ms > 0,
	    t.wall_ms / g->total_ms));
	cJSON_AddNumberToObject(o, "lock_held_ms", t.held_ms);
	cJSON_AddNumberToObject(o, "timed_ms", t.timed_ms);
	cJSON_AddNumberToObject(o, "untimed_ms", t.untimed_ms);
	cJSON_AddNumberToObject(o, "prepare_ms", t.prepare_ms);
	cJSON_AddNumberToObject(o, "other_ms", time_other(&t));
	cJSON_AddNumberToObject(o, "lock_wait_ms", t.wait_ms);
	cJSON_AddNumberToObject(o, "prefixes", (double)t.prefixes);
	cJSON_AddNumberToObject(o, "prepares", (double)t.prepares);
	return o;
}

static void
context(struct buf *b, struct integ *g)
{
	cJSON *ctx = g->prof != NULL ? cJSON_GetObjectItem(g->prof, "context") : NULL;
	int warned = 0;

	buf_printf(b, "## 7. Context\n\n- investigation %s of `%s` (spec `%s`)\n- perfd %s; "
	    "written %s\n", investigation_id(g), g->a->spec->name, INV_SPEC_FILE,
	    PERFD_VERSION, g->written);
	if (ctx != NULL)
		buf_printf(b, "- machine: %s, %d cores, %s; load %.2f before, %.2f after\n"
		    "- workdir commit: %s\n",
		    cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "cpu_model")),
		    (int)cJSON_GetObjectItem(ctx, "cores")->valuedouble,
		    cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "kernel")),
		    cJSON_GetObjectItem(ctx, "load_before")->valuedouble,
		    cJSON_GetObjectItem(ctx, "load_after")->valuedouble,
		    cJSON_IsString(cJSON_GetObjectItem(ctx, "git_commit")) ?
		    cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "git_commit")) :
		    "(not a git repository)");
	time_line(b, g);
	buf_puts(b, "\nWarnings from the agents:\n\n");
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		struct findings *f = g->in[i].f;

		if (f == NULL)
			buf_printf(b, "- %s: no report (%s)\n", g->in[i].agent, g->in[i].why);
		for (int k = 0; f != NULL && k < f->nwarnings; k++)
			buf_printf(b, "- %s: %s\n", g->in[i].agent, f->warnings[k]);
		if (f != NULL && (strcmp(f->status, "failed") == 0 ||
		    strcmp(f->status, "skipped") == 0))
			buf_printf(b, "- %s: status %s\n", g->in[i].agent, f->status);
		warned += f == NULL || f->nwarnings > 0 || strcmp(f->status, "failed") == 0 ||
		    strcmp(f->status, "skipped") == 0;
	}
	if (warned == 0)
		buf_puts(b, "- none\n");
}

/* With --baseline: this run against it, by the same test as perfd compare. */
static void
baseline(struct buf *b, struct integ *g, cJSON *json)
{
	const char *dir = getenv("PERFD_BASELINE");
	struct runset base = { 0 }, cand = { 0 };
	struct comparison c;
	char *cause = NULL, *md;

	if (dir == NULL || dir[0] == '\0')
		return;
	buf_puts(b, "\n## 8. Against the baseline\n\n");
	if (compare_runset_load(dir, NULL, &base, &cause) != 0 ||
	    compare_runset_load(g->a->inv_dir, NULL, &cand, &cause) != 0 ||
	    compare_run(&base, &cand, 0.05, 0, &c, &cause) != 0) {
		buf_printf(b, "No comparison: %s.\n", cause);
		if (json != NULL)
			cJSON_AddStringToObject(json, "baseline_error", cause);
		free(cause);
		compare_runset_free(&base);
		compare_runset_free(&cand);
		return;
	}
	md = compare_markdown(&c);
	buf_puts(b, md);
	free(md);
	if (json != NULL)
		cJSON_AddItemToObject(json, "baseline", compare_json(&c));
	compare_free(&c);
	compare_runset_free(&base);
	compare_runset_free(&cand);
}

/*
 * What profiling's matrix says of growth: where the bottleneck moves, and
 * the stages that grow faster than linearly. Nothing without a matrix.
 */
static void
larger_scale(struct buf *b, struct integ *g)
{
	const cJSON *m = g->prof != NULL ? cJSON_GetObjectItem(g->prof, "matrix") : NULL, *e;
	int any = 0;

	if (m == NULL)
		return;
	buf_puts(b, "## At larger scale\n\nFrom the profiling agent's matrix "
	    "([profiling/MATRIX.md](profiling/MATRIX.md): every cell, the fits, the charts).\n\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(m, "moves")) {
		buf_printf(b, "- **The bottleneck moves**: at %s=%s, %s overtakes %s: %.0f%% "
		    "against %.0f%%.\n", cJSON_GetStringValue(cJSON_GetObjectItem(e, "parameter")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "at")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "to")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "from")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "share_to")) * 100,
		    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "share_from")) * 100);
		any = 1;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(m, "growth"))
		if (cJSON_GetNumberValue(cJSON_GetObjectItem(e, "b_lo")) > 1.0) {
			char *w = growth_words(e);

			buf_printf(b, "- %s: a change to it matters more as the work grows.\n", w);
			free(w);
			any = 1;
		}
	if (!any)
		buf_puts(b, "No stage grows faster than linearly, and the bottleneck stays where "
		    "it is across the cells.\n");
	buf_puts(b, "\n");
}

char *
integ_report_md(struct integ *g)
{
	struct buf b = { 0 };

	buf_printf(&b, "# Master integration report: %s\n\n", g->a->spec->name);
	summary(&b, g);
	budget_md(&b, g);
	top3(&b, g);
	larger_scale(&b, g);
	votes(&b, g);
	agents(&b, g);
	roadmap(&b, g);
	verify(&b, g);
	context(&b, g);
	baseline(&b, g, NULL);
	return b.p;
}

static cJSON *
num_or_null(int ok, double v)
{
	return ok ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* The bottleneck and the hypothesis, each null when there is none to name. */
static void
json_verdicts(struct integ *g, cJSON *o)
{
	const struct spec *sp = g->a->spec;
	int h = sp->hypothesis != NULL ? spec_stage_index(sp, sp->hypothesis) : -1;
	cJSON *x;

	if (g->bottleneck >= 0) {
		struct stage_view *v = &g->st[g->bottleneck];

		x = cJSON_AddObjectToObject(o, "bottleneck");
		cJSON_AddStringToObject(x, "stage", v->name);
		cJSON_AddNumberToObject(x, "share", v->share);
		cJSON_AddBoolToObject(x, "cpu_bound", v->cpu_util >= PROF_CPU_BOUND);
	} else
		cJSON_AddNullToObject(o, "bottleneck");
	if (h >= 0 && g->st[h].has_share) {
		x = cJSON_AddObjectToObject(o, "hypothesis");
		cJSON_AddStringToObject(x, "stage", sp->hypothesis);
		cJSON_AddNumberToObject(x, "share", g->st[h].share);
		cJSON_AddBoolToObject(x, "confirmed", h == g->bottleneck);
	} else
		cJSON_AddNullToObject(o, "hypothesis");
}

static cJSON *
json_stage(const struct stage_view *v)
{
	cJSON *x = cJSON_CreateObject();

	cJSON_AddStringToObject(x, "name", v->name);
	cJSON_AddItemToObject(x, "share", num_or_null(v->has_share, v->share));
	cJSON_AddItemToObject(x, "median_ms", num_or_null(v->has_share, v->median_ms));
	cJSON_AddItemToObject(x, "p95_ms", num_or_null(v->has_share, v->p95_ms));
	cJSON_AddItemToObject(x, "cpu_util", num_or_null(v->has_share, v->cpu_util));
	cJSON_AddItemToObject(x, "peak_rss_kb", num_or_null(v->has_share, v->rss_kb));
	cJSON_AddStringToObject(x, "consensus", rank_consensus_name(v->cons));
	cJSON_AddStringToObject(x, "verdict", v->verdict);
	if (v->resolution != NULL)
		cJSON_AddStringToObject(x, "resolution", v->resolution);
	if (v->tb.ran) {
		cJSON *t = cJSON_AddObjectToObject(x, "tiebreaker");

		cJSON_AddStringToObject(t, "how", v->tb.how);
		cJSON_AddStringToObject(t, "outcome", v->tb.outcome);
		cJSON_AddStringToObject(t, "supports", v->tb.supports);
	}
	return x;
}

/* One ranked (or unranked) recommendation; rank is its place among all. */
static cJSON *
json_recommendation(struct integ *g, const struct ranked *r, int rank)
{
	cJSON *x = cJSON_CreateObject(), *agents_arr;

	cJSON_AddItemToObject(x, "rank", num_or_null(r->ranked, rank));
	if (r->ranked)
		cJSON_AddStringToObject(x, "priority", prio_names[r->priority]);
	else
		cJSON_AddNullToObject(x, "priority");
	cJSON_AddStringToObject(x, "title", r->r->title);
	cJSON_AddStringToObject(x, "stage", r->r->stage);
	agents_arr = cJSON_AddArrayToObject(x, "agents");
	cJSON_AddItemToArray(agents_arr, cJSON_CreateString(r->agent));
	cJSON_AddStringToObject(x, "consensus", cons_of(g, r));
	cJSON_AddNumberToObject(x, "local_speedup", r->r->local_speedup);
	cJSON_AddItemToObject(x, "end_to_end_speedup", num_or_null(r->ranked, r->e2e));
	cJSON_AddStringToObject(x, "evidence_kind", findings_kind_name(r->r->kind));
	cJSON_AddBoolToObject(x, "measured", r->r->kind != EVIDENCE_ESTIMATE);
	if (r->r->bound != NULL)
		cJSON_AddStringToObject(x, "bound", r->r->bound);
	if (r->r->evidence != NULL)
		cJSON_AddStringToObject(x, "evidence", r->r->evidence);
	else
		cJSON_AddNullToObject(x, "evidence");
	if (!r->ranked)
		cJSON_AddStringToObject(x, "unranked_reason", r->unranked_why);
	cJSON_AddBoolToObject(x, "grows_with_scale", scale_growth(g, r->r->stage) != NULL);
	return x;
}

/* Every vote, stage by stage, in the roster's order. */
static void
json_votes(struct integ *g, cJSON *arr)
{
	for (int s = 0; s < g->nstages; s++)
		for (int i = 0; i < INV_INVESTIGATORS; i++) {
			cJSON *x;

			if (g->st[s].vote[i] == NULL)
				continue;
			x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "stage", g->st[s].name);
			cJSON_AddStringToObject(x, "agent", g->in[i].agent);
			cJSON_AddStringToObject(x, "vote", g->st[s].vote[i]);
			cJSON_AddStringToObject(x, "reason", g->st[s].reason[i]);
			cJSON_AddItemToArray(arr, x);
		}
}

/* Each investigator's status, its report's path and why it is not ok. */
static void
json_agents(struct integ *g, cJSON *ag)
{
	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		struct findings *f = g->in[i].f;
		cJSON *x = cJSON_AddObjectToObject(ag, g->in[i].agent);

		cJSON_AddStringToObject(x, "status", f != NULL ? f->status : "missing");
		if (f != NULL && f->report != NULL) {
			char *rel = xasprintf("%s/%s", g->in[i].agent, f->report);

			cJSON_AddStringToObject(x, "report", rel);
			free(rel);
		} else
			cJSON_AddNullToObject(x, "report");
		if (g->in[i].why != NULL)
			cJSON_AddStringToObject(x, "reason", g->in[i].why);
	}
}

cJSON *
integ_report_json(struct integ *g)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;
	const struct spec *sp = g->a->spec;
	struct findings *bf = g->in[INV_BATCH_SIZE].f;
	struct buf ignored = { 0 };

	cJSON_AddStringToObject(o, "schema", "perfd.master/1");
	cJSON_AddStringToObject(o, "investigation", investigation_id(g));
	cJSON_AddStringToObject(o, "name", sp->name);
	cJSON_AddItemToObject(o, "total_ms", num_or_null(g->total_ms > 0, g->total_ms));
	json_verdicts(g, o);
	arr = cJSON_AddArrayToObject(o, "stages");
	for (int s = 0; s < g->nstages; s++)
		cJSON_AddItemToArray(arr, json_stage(&g->st[s]));
	arr = cJSON_AddArrayToObject(o, "recommendations");
	for (int i = 0; i < g->nrecs; i++)
		cJSON_AddItemToArray(arr, json_recommendation(g, &g->recs[i], i + 1));
	json_votes(g, cJSON_AddArrayToObject(o, "votes"));
	if (bf != NULL && bf->data != NULL && cJSON_GetObjectItem(bf->data, "recommended"))
		cJSON_AddItemToObject(o, "batch", cJSON_Duplicate(bf->data, 1));
	else
		cJSON_AddNullToObject(o, "batch");
	x = cJSON_AddObjectToObject(o, "outlook");
	cJSON_AddItemToObject(x, "combined_ms", num_or_null(g->outlook_ms > 0, g->outlook_ms));
	cJSON_AddItemToObject(x, "pipelining_bound", num_or_null(g->pipeline_bound > 0,
	    g->pipeline_bound));
	json_agents(g, cJSON_AddObjectToObject(o, "agents"));
	if (g->prof != NULL && cJSON_GetObjectItem(g->prof, "matrix") != NULL)
		cJSON_AddItemToObject(o, "matrix", cJSON_Duplicate(cJSON_GetObjectItem(g->prof,
		    "matrix"), 1));
	cJSON_AddItemToObject(o, "time", time_json(g));
	cJSON_AddItemToObject(o, "budget", budget_json(g));
	/* The baseline's members; its markdown is the other report's. */
	baseline(&ignored, g, o);
	buf_free(&ignored);
	return o;
}
