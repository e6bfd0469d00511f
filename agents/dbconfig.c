/* dbconfig.c - the db-config agent: the database's settings, and what tuning gives, measured. */
#include "agents.h"
#include "dbagent.h"
#include "md.h"
#include "rules.h"
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A combination that gains less than this is "already optimal". */
#define CFG_WORTH	1.05

/* Room for any driver's settings. */
#define MAXSETTINGS 32

/* Paired runs that screen a candidate; only one that gains here runs in full. */
#define CFG_SCREEN	3

struct cfg {
	struct agent	*a;
	const struct db_driver *drv;
	struct db_capture cap;
	struct dbagent_obs o;
	int		 observed;	/* o holds the stage as the pipeline runs it */
	char		*unobserved;	/* why not */
	char		*cur[MAXSETTINGS];
	const char	*from[MAXSETTINGS];	/* file, spec, connection default */
	char		*objects;	/* indexes and triggers, markdown */
	struct rules	 rules;
	int		*cand;		/* rule indexes that apply */
	int		 ncand;
	char		**left_out;	/* rules the client cannot apply, and why */
	int		 nleft_out;
	int		*keep;		/* 1: a measured gain on its own */
	int		*screened;	/* 1: no gain in the screening pairs: not run in full;
				   2: not measured, the budget spent */
	struct stats	*st;		/* per candidate; [ncand] = combined */
	struct stats	*ratio;		/* paired gains over the base, likewise */
	struct stats	 base;
	struct dbagent_split	 split;
	double		 speedup, lo, hi;	/* on the stage, bounded */
	struct dbagent_load	 load;		/* the probe's: prepared, at the cadence */
	const char	*cadence_from;
};

/* The index of a setting in the driver's list, or -1. */
static int
setting_index(struct cfg *c, const char *name)
{
	for (int i = 0; i < c->drv->nsettings; i++)
		if (strcmp(c->drv->settings[i], name) == 0)
			return i;
	return -1;
}

static const char *
current(struct cfg *c, const char *name)
{
	int i = setting_index(c, name);

	return i >= 0 ? c->cur[i] : NULL;
}

/* The settings as captured, and what the pipeline sets itself (the spec). */
static void
read_settings(struct cfg *c)
{
	const struct db_driver *d = c->drv;

	for (int i = 0; i < d->nsettings; i++) {
		c->cur[i] = xstrdup(c->cap.values[i]);
		c->from[i] = c->cap.stored[i] ? "the database" : "connection default";
	}
	c->objects = xstrdup(c->cap.objects);
	for (int k = 0; k < c->a->spec->ndb_pragmas; k++) {
		const char *kv = c->a->spec->db_pragmas[k], *eq = strchr(kv, '=');

		for (int i = 0; i < d->nsettings; i++)
			if (strlen(d->settings[i]) == (size_t)(eq - kv) &&
			    strncmp(d->settings[i], kv, (size_t)(eq - kv)) == 0) {
				free(c->cur[i]);
				c->cur[i] = xstrdup(eq + 1);
				c->from[i] = "the spec (database.pragmas)";
			}
	}
}

/* 1 when the setting lives in the database (set once), 0 per connection. */
static int
stored(struct cfg *c, const char *setting)
{
	int i = setting_index(c, setting);

	return i >= 0 && c->cap.stored[i];
}

static int
matches(struct cfg *c, const struct cond *w)
{
	const char *v = current(c, w->setting);

	for (int k = 0; v != NULL && k < w->nvalues; k++)
		if (strcmp(v, w->values[k]) == 0)
			return 1;
	return 0;
}

/* A rule is a candidate when all its `when` conditions hold now. */
static void
candidates(struct cfg *c)
{
	c->cand = xcalloc((size_t)c->rules.n + 1, sizeof *c->cand);
	for (int i = 0; i < c->rules.n; i++) {
		const struct rule *r = &c->rules.r[i];
		int ok = current(c, r->setting) != NULL &&
		    strcmp(current(c, r->setting), r->recommend) != 0;

		for (int k = 0; ok && k < r->nwhen; k++)
			ok = matches(c, &r->when[k]);
		if (ok && c->observed && c->o.client->set_how == NULL &&
		    !stored(c, r->setting)) {
			/* Advice must work as written: this client cannot set it. */
			c->left_out = xrealloc(c->left_out, sizeof *c->left_out *
			    (size_t)(c->nleft_out + 1));
			c->left_out[c->nleft_out++] = xasprintf("%s = %s: a per-connection "
			    "setting, and %s offers no way to set it on its connection", r->setting,
			    r->recommend, c->o.client->name);
			continue;
		}
		if (ok)
			c->cand[c->ncand++] = i;
	}
}

/* The settings of one rule as name=value, with what it requires first. */
static void
pragmas_of(const struct rule *r, char **out, int *n)
{
	for (int k = 0; k < r->nrequires; k++)
		out[(*n)++] = xasprintf("%s=%s", r->requires[k].setting,
		    r->requires[k].values[0]);
	out[(*n)++] = xasprintf("%s=%s", r->setting, r->recommend);
}

static void
free_list(char **l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i]);
}

/* The pipeline's own settings (database.pragmas): every probe starts from them. */
static int
spec_pragmas(struct cfg *c, char **out)
{
	int n = 0;

	for (int k = 0; k < c->a->spec->ndb_pragmas && n < 16; k++)
		out[n++] = xstrdup(c->a->spec->db_pragmas[k]);
	out[n] = NULL;
	return n;
}

/*
 * One candidate against the base: CFG_SCREEN pairs first; only a candidate
 * that gains there (a change that cannot help the observed bound does not)
 * is measured in full. 0, or -1 with *cause.
 */
static int
measure_one(struct cfg *c, int i, char **base, int reps, char **cause)
{
	const struct rule *r = &c->rules.r[c->cand[i]];
	char *one[32];
	int n = spec_pragmas(c, one), rc;

	if (!agent_fits(c->a, 0)) {
		c->screened[i] = 2;
		c->ratio[i].median = c->ratio[i].ci_lo = c->ratio[i].ci_hi = 1;
		agent_cut(c->a, "%s = %s not measured", r->setting, r->recommend);
		free_list(one, n);
		return 0;
	}
	pragmas_of(r, one, &n);
	one[n] = NULL;
	agent_progress(c->a, 30 + 40 * i / (c->ncand + 1), "probe: %s = %s", r->setting,
	    r->recommend);
	rc = dbagent_measure_pair(c->a, &c->cap, (const char *const *)base,
	    (const char *const *)one, &c->load, CFG_SCREEN, &c->base, &c->st[i],
	    &c->ratio[i], cause);
	if (rc == 0 && c->ratio[i].median < 1.02)
		c->screened[i] = 1;
	else if (rc == 0)
		rc = dbagent_measure_pair(c->a, &c->cap, (const char *const *)base,
		    (const char *const *)one, &c->load, reps, &c->base, &c->st[i],
		    &c->ratio[i], cause);
	free_list(one, n);
	return rc;
}

static int
measure_all(struct cfg *c, char **cause)
{
	int reps = spec_reps(c->a->spec, 7) < 7 ? spec_reps(c->a->spec, 7) : 7;
	char *all[96], *base[17];
	int nall = spec_pragmas(c, all), nbase = spec_pragmas(c, base), rc;

	if (reps < 5)
		reps = 5;
	c->st = xcalloc((size_t)c->ncand + 1, sizeof *c->st);
	c->ratio = xcalloc((size_t)c->ncand + 1, sizeof *c->ratio);
	c->keep = xcalloc((size_t)c->ncand + 1, sizeof *c->keep);
	c->screened = xcalloc((size_t)c->ncand + 1, sizeof *c->screened);
	/*
	 * The current settings' figure is the base side of the pairs (the
	 * last that ran): measured on its own only when no pair ran.
	 */
	rc = 0;
	for (int i = 0; rc == 0 && i < c->ncand; i++)
		rc = measure_one(c, i, base, reps, cause);
	if (rc == 0 && c->base.n == 0) {
		agent_progress(c->a, 20, "probe: current settings");
		rc = dbagent_measure(c->a, &c->cap, (const char *const *)base, &c->load, reps,
		    &c->base, cause);
	}
	if (rc != 0) {
		free_list(base, nbase);
		free_list(all, nall);
		return -1;
	}
	/*
	 * The combination is of the changes that gained on their own (the
	 * paired CI clear of 1): a change with no measurable gain is not
	 * recommended, whatever its rule says.
	 */
	for (int i = 0; i < c->ncand; i++) {
		c->keep[i] = !c->screened[i] && c->ratio[i].ci_lo > 1.0 &&
		    c->ratio[i].median >= 1.02;
		if (c->keep[i])
			pragmas_of(&c->rules.r[c->cand[i]], all, &nall);
	}
	all[nall] = NULL;
	if (nall == nbase) {	/* nothing gained: nothing to combine */
		c->ratio[c->ncand].median = 1;
		c->ratio[c->ncand].ci_lo = c->ratio[c->ncand].ci_hi = 1;
		free_list(all, nall);
		free_list(base, nbase);
		return 0;
	}
	agent_progress(c->a, 75, "probe: all candidates combined");
	rc = dbagent_measure_pair(c->a, &c->cap, (const char *const *)base,
	    (const char *const *)all, &c->load, reps, &c->base,
	    &c->st[c->ncand], &c->ratio[c->ncand], cause);
	free_list(all, nall);
	free_list(base, nbase);
	return rc;
}

/* The paired gain of candidate i (ncand: all combined). */
static double
pgain(struct cfg *c, int i)
{
	return c->ratio[i].median;
}

/* The kept changes as distinct name=value settings; their count. */
static int
kept_settings(struct cfg *c, char **l)
{
	int n = 0, m = 0;

	for (int i = 0; i < c->ncand; i++)
		if (c->keep[i])
			pragmas_of(&c->rules.r[c->cand[i]], l, &n);
	for (int i = 0; i < n; i++) {
		int dup = 0;

		for (int k = 0; k < m; k++)
			dup |= strcmp(l[k], l[i]) == 0;
		if (dup)
			free(l[i]);
		else
			l[m++] = l[i];
	}
	return m;
}

/*
 * The statements as the user applies them: what lives in the database
 * once, right after the pipeline creates it; the rest on the client's own
 * connection, in the client's terms.
 */
static char *
how_lines(struct cfg *c, int *nsettings)
{
	struct buf b = { 0 };
	char *l[64];
	int n = kept_settings(c, l);
	const struct db_client *cl = c->observed ? c->o.client : NULL;

	*nsettings = n;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			char *eq = strchr(l[i], '='), *text;

			*eq = '\0';
			if (stored(c, l[i]) == (pass == 0)) {
				text = c->drv->apply_text(l[i], eq + 1);
				if (pass == 0) {
					char *db = c->drv->label(c->a->spec);
					char *once = c->drv->apply_once(c->a->spec, text);

					buf_printf(&b, "Once, right after the pipeline creates "
					    "`%s` (it is kept in the database): `%s`\n", db, once);
					free(once);
					free(db);
				} else if (cl != NULL && cl->set_how != NULL) {
					/*
					 * The statement first (set_how is the driver's own
					 * format), then {db}: a path with a % stays text.
					 */
					char *stmt = xasprintf(cl->set_how, text);
					char *how = xstrreplace(stmt, "{db}", c->a->spec->db_path);

					free(stmt);
					buf_printf(&b, "On the client's connection (%s): %s\n",
					    cl->name, how);
					free(how);
				} else
					buf_printf(&b, "On every connection the client opens: `%s`\n",
					    text);
				free(text);
			}
			*eq = '=';
		}
	for (int i = 0; i < n; i++)
		free(l[i]);
	return b.p != NULL ? b.p : xstrdup("");
}

/* The settings as read, where each comes from, and the table's indexes. */
static void
md_settings(struct buf *b, struct cfg *c)
{
	const struct spec *sp = c->a->spec;
	char *db = c->drv->label(sp);

	buf_printf(b, "## Settings of `%s`\n\nRead through a read-only connection, "
	    "as the pipeline leaves the database. Some settings are stored in the "
	    "database; the others are per connection, and the database cannot tell "
	    "what the pipeline sets: a connection default is what a new connection "
	    "gets unless the pipeline changes it (declare its settings in "
	    "`database.pragmas`).\n\n| setting | value | from |\n|---|---|---|\n", db);
	free(db);
	for (int i = 0; i < c->drv->nsettings; i++)
		buf_printf(b, "| %s | %s | %s |\n", c->drv->settings[i], c->cur[i], c->from[i]);
	buf_printf(b, "\nIndexes and triggers of `%s`:\n\n%s\n", sp->db_table,
	    c->objects[0] ? c->objects : "- none\n");
}

/* The stage as observed, or why it was not. */
static void
md_stage(struct buf *b, struct cfg *c)
{
	const struct spec *sp = c->a->spec;

	if (c->observed)
		buf_printf(b, "## The stage as the pipeline runs it\n\n`%s` (%s): %.1f ms "
		    "for %.0f rows, median of %d run%s; pattern: **%s** — %s.\n\n",
		    sp->stages[c->o.stage].name, c->o.client->name, c->o.wall_ms, c->o.rows,
		    c->o.runs, c->o.runs == 1 ? "" : "s", c->o.pattern, c->o.evidence);
	else
		buf_printf(b, "## The stage as the pipeline runs it\n\nNot observed: %s.\n\n",
		    c->unobserved);
}

/* The probe's candidates: how they were measured, each one's gain, combined. */
static void
md_candidates(struct buf *b, struct cfg *c)
{
	const struct spec *sp = c->a->spec;
	char *r1, *r2, *r3;

	r1 = md_rate(c->base.median);
	r2 = md_rate(c->base.ci_lo);
	r3 = md_rate(c->base.ci_hi);
	buf_printf(b, "## perfd's probe: candidate changes\n\nThese figures are **perfd's "
	    "own synthetic workload**, not the user's stage: %d rows shaped like `%s` "
	    "(its real columns, indexes and triggers), prepared inserts committed every "
	    "%d row%s (%s), into a fresh scratch copy per run, each run under the "
	    "measurement lock. Every candidate ran in alternation with the current "
	    "settings (after one warm-up): %d pairs to screen it, and more only when "
	    "it gained there (up to 7, stopping from 3 when the CI of its gain is "
	    "within +-5%%). Its gain is the median of the paired ratios, with the CI "
	    "of that median. Current settings (the base side of the last pairs): %s "
	    "rows/s (95%% CI %s–%s).\n\n", c->load.rows, sp->db_table, c->load.commit_every,
	    c->load.commit_every == 1 ? "" : "s",
	    c->cadence_from, CFG_SCREEN, r1, r2, r3);
	free(r1);
	free(r2);
	free(r3);
	buf_puts(b, "| setting | current | recommended | gain on the probe | rows/s | "
	    "runs | risk |\n|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];
		char *risk = md_cell(r->risk), *rate = md_rate(c->st[i].median);

		buf_printf(b, "| %s%s%s%s | %s | %s | x%.2f (x%.2f–x%.2f)%s | %s | %d | %s |\n",
		    r->setting, r->nrequires ? " (with " : "", r->nrequires ?
		    r->requires[0].setting : "", r->nrequires ? ")" : "",
		    current(c, r->setting), r->recommend, pgain(c, i), c->ratio[i].ci_lo,
		    c->ratio[i].ci_hi, c->screened[i] == 2 ? " — not measured: the budget was "
		    "spent" : c->screened[i] ? " — no gain in the screening pairs, not measured "
		    "further" : c->keep[i] ? "" : " — no measurable gain, not recommended", rate,
		    c->st[i].n, risk);
		free(risk);
		free(rate);
	}
	if (c->ncand > 0 && c->st[c->ncand].n == 0)
		buf_puts(b, "| **no candidate gained on its own: nothing to combine** "
		    "| | | | | | |\n");
	else if (c->ncand > 0) {
		char *rate = md_rate(c->st[c->ncand].median);

		buf_printf(b, "| **the changes that gained, combined** | | | **x%.2f** "
		    "(x%.2f–x%.2f) | %s | %d | |\n", pgain(c, c->ncand),
		    c->ratio[c->ncand].ci_lo, c->ratio[c->ncand].ci_hi, rate,
		    c->st[c->ncand].n);
		free(rate);
	} else
		buf_puts(b, "| none: every rule's recommendation is already in place, or "
		    "cannot be applied by this client | | | | | | |\n");
	for (int i = 0; i < c->nleft_out; i++)
		buf_printf(b, "\nLeft out: %s.\n", c->left_out[i]);
}

static char *
report(struct cfg *c, struct findings *f, const char *how)
{
	struct buf b = { 0 };
	const struct spec *sp = c->a->spec;

	buf_printf(&b, "# Database configuration analysis: %s\n\n## Verdict\n\n%s\n\n",
	    sp->name, f->headline);
	md_settings(&b, c);
	md_stage(&b, c);
	if (c->st == NULL)
		return b.p;
	md_candidates(&b, c);
	buf_puts(&b, "\n![measured settings](config.svg)\n");
	if (c->observed && c->st[c->ncand].n > 0) {
		char *t = dbagent_split_text(&c->split, c->st[c->ncand].median);

		buf_printf(&b, "\n## What the stage can gain\n\nA probe figure is not the "
		    "stage's figure: %s.\n", t);
		free(t);
	}
	if (how[0] != '\0')
		buf_printf(&b, "\n## How\n\n%s", how);
	buf_puts(&b, "\n## Rules\n\n");
	for (int i = 0; i < c->rules.n; i++)
		buf_printf(&b, "- **%s = %s**: %s Risk: %s\n", c->rules.r[i].setting,
		    c->rules.r[i].recommend, c->rules.r[i].rationale, c->rules.r[i].risk);
	return b.p;
}

/* config.svg: rows/s now, with each candidate, and combined. */
static void
chart(struct cfg *c)
{
	struct svg_bar *bars = xcalloc((size_t)c->ncand + 2, sizeof *bars);
	char **notes = xcalloc((size_t)c->ncand + 2, sizeof *notes), **labels, *svg, *path;
	char *title, *cause = NULL;
	int n = 0;

	labels = xcalloc((size_t)c->ncand + 2, sizeof *labels);
	labels[n] = xstrdup("current settings");
	notes[n] = xasprintf("%.0f rows/s", c->base.median);
	bars[n++] = (struct svg_bar){ labels[0], c->base.median / 1000, c->base.ci_hi / 1000,
	    notes[0] };
	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];

		labels[n] = xasprintf("%s = %s", r->setting, r->recommend);
		notes[n] = xasprintf("x%.2f%s", c->ratio[i].median, c->keep[i] ? "" :
		    " (no measurable gain)");
		bars[n] = (struct svg_bar){ labels[n], c->st[i].median / 1000,
		    c->st[i].ci_hi / 1000, notes[n] };
		n++;
	}
	if (c->st[c->ncand].n > 0) {
		labels[n] = xstrdup("combined");
		notes[n] = xasprintf("x%.2f", c->ratio[c->ncand].median);
		bars[n] = (struct svg_bar){ labels[n], c->st[c->ncand].median / 1000,
		    c->st[c->ncand].ci_hi / 1000, notes[n] };
		n++;
	}
	title = xasprintf("%s: inserts committed every %d rows (whisker: CI upper end)",
	    c->a->spec->db_table, c->load.commit_every);
	svg = svg_hbar(title, "thousand rows/s", bars, n);
	path = agent_path(c->a, inv_agents[INV_DB_CONFIG].chart);
	if (file_write_atomic(path, svg, strlen(svg), &cause) != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	}
	for (int i = 0; i < n; i++) {
		free(labels[i]);
		free(notes[i]);
	}
	free(labels);
	free(notes);
	free(bars);
	free(title);
	free(svg);
	free(path);
}

static int
fail(struct agent *a, const char *why)
{
	return dbagent_abstain(a, "failed", inv_agents[INV_DB_CONFIG].report, "Database configuration "
	    "analysis", why);
}

/* The capture, and the stage as the pipeline runs it when a stage writes. */
static int
observe(struct cfg *c, char **cause)
{
	int captured = 0;

	if (dbagent_stage(c->a->spec) < 0)
		c->unobserved = xstrdup("no client.stage or batch.stage says which stage "
		    "writes to the database");
	else if (dbagent_observe(c->a, &c->cap, &captured, &c->o, cause) != 0)
		return -1;
	else
		c->observed = 1;
	if (!captured && dbagent_capture(c->a, &c->cap, cause) != 0)
		return -1;
	read_settings(c);
	/* The probe commits as the stage does, when that could be observed. */
	if (c->observed && c->o.cadence > 0) {
		c->load.commit_every = (int)fmax(1, round(c->o.cadence));
		c->cadence_from = "the cadence observed in the stage";
	} else if (c->a->spec->batch_current > 0) {
		c->load.commit_every = (int)fmin((double)c->a->spec->batch_current, 1e6);
		c->cadence_from = "batch.current; the stage's own cadence was not observed";
	} else {
		c->load.commit_every = 1000;
		c->cadence_from = "assumed: neither the stage nor batch.current says";
	}
	/* Runs long enough (tens of ms) that timer and scheduling noise is small. */
	c->load.rows = (int)fmin(fmax(50.0 * c->load.commit_every, 2000), 50000);
	c->load.prepared = 1;
	return 0;
}

/* The recommendation of the nset settings that gained, g on the probe, bounded by the stage. */
static void
recommend(struct cfg *c, struct findings *f, int nset, double g)
{
	const char *stage = c->a->spec->stages[c->o.stage].name;
	const struct stats *all = &c->st[c->ncand];
	struct recommendation *r;
	char *now, *then;

	f->headline = xasprintf("Tuning %s (%d setting%s) gives x%.2f on perfd's probe "
	    "(inserts committed every %d, %s); bounded by the stage's own work, x%.2f "
	    "on %s.", c->drv->name, nset, nset == 1 ? "" : "s", g, c->load.commit_every,
	    c->cadence_from, c->speedup, stage);
	findings_vote(f, stage, "optimize", "x%.2f on the stage from %d setting "
	    "change%s (probe x%.2f, bounded by the stage)", c->speedup, nset,
	    nset == 1 ? "" : "s", g);
	r = findings_recommend(f, "db-settings", stage, "");
	free(r->title);
	r->title = xasprintf("Tune %s (%d setting%s)", c->drv->name, nset,
	    nset == 1 ? "" : "s");
	r->local_speedup = c->speedup;
	r->ci_lo = c->lo;
	r->ci_hi = c->hi;
	r->kind = EVIDENCE_PROBE;
	r->bound = dbagent_split_text(&c->split, all->median);
	free(r->effort);
	r->effort = xstrdup("low");
	now = md_rate(c->base.median);
	then = md_rate(all->median);
	r->evidence = xasprintf("perfd's probe of %d inserts committed every %d "
	    "on a scratch copy: x%.2f (paired runs; %s rows/s now, %s with the "
	    "changes)", c->load.rows, c->load.commit_every, g, now, then);
	free(now);
	free(then);
}

static void
decide(struct cfg *c, struct findings *f, int nset)
{
	const struct spec *sp = c->a->spec;
	const char *stage = c->observed ? sp->stages[c->o.stage].name : NULL;
	const struct stats *all = &c->st[c->ncand];
	double g = c->ncand > 0 ? pgain(c, c->ncand) : 1;

	for (int s = 0; s < sp->nstages; s++)
		if (stage == NULL || strcmp(sp->stages[s].name, stage) != 0)
			findings_vote(f, sp->stages[s].name, "abstain", "does not write to "
			    "the database");
	/* A gain counts when it clears 5% and its CI clears no gain at all. */
	if (g < CFG_WORTH || (c->ncand > 0 && c->ratio[c->ncand].ci_lo <= 1.0)) {
		f->headline = xasprintf("Configuration already optimal: the best "
		    "combination gains %+.1f%% on perfd's probe (under 5%%, or not "
		    "distinguishable from no gain), inserts committed every %d (%s).",
		    (g - 1) * 100, c->load.commit_every, c->cadence_from);
		if (stage != NULL)
			findings_vote(f, stage, "leave", "database settings already optimal: "
			    "%+.1f%% on the probe", (g - 1) * 100);
		return;
	}
	/* Without the stage's own cadence the probe's baseline is a guess. */
	if (!c->observed || c->o.cadence <= 0) {
		f->headline = xasprintf("The settings give x%.2f on perfd's probe (inserts "
		    "committed every %d, %s), but %s: no figure for the stage is claimed.",
		    g, c->load.commit_every, c->cadence_from, c->observed ? "the stage's commit "
		    "pattern could not be observed" : c->unobserved);
		if (stage != NULL)
			findings_vote(f, stage, "abstain", "x%.2f on perfd's probe; the "
			    "stage's commit pattern could not be observed to bound it", g);
		return;
	}
	dbagent_split(&c->o, c->base.median, &c->split);
	c->speedup = dbagent_split_speedup(&c->split, all->median);
	dbagent_split_range(&c->split, c->base.median * c->ratio[c->ncand].ci_lo,
	    c->base.median * c->ratio[c->ncand].ci_hi, &c->lo, &c->hi);
	if (c->speedup < CFG_WORTH) {
		f->headline = xasprintf("The settings give x%.2f on perfd's probe, but %s "
		    "would gain only x%.2f: %.1f ms of its %.1f ms is the client's own "
		    "work.", g, stage, c->speedup, c->split.own_ms, c->split.stage_ms);
		findings_vote(f, stage, "leave", "x%.2f on the stage at most from the "
		    "settings (probe, bounded by the stage)", c->speedup);
		return;
	}
	recommend(c, f, nset, g);
}

static void
cfg_free(struct cfg *c)
{
	for (int i = 0; c->drv != NULL && i < c->drv->nsettings; i++)
		free(c->cur[i]);
	for (int i = 0; i < c->nleft_out; i++)
		free(c->left_out[i]);
	free(c->left_out);
	free(c->objects);
	free(c->cand);
	free(c->st);
	free(c->ratio);
	free(c->keep);
	free(c->screened);
	free(c->unobserved);
	rules_free(&c->rules);
	dbagent_obs_free(&c->o);
	if (c->cap.copy != NULL)
		c->drv->release(&c->cap);
}

int
dbconfig_main(struct agent *a)
{
	const struct spec *sp = a->spec;
	struct cfg c;
	struct findings *f;
	char *cause = NULL, *path, *how = NULL, *md;
	int rc, nset = 0;

	if (!sp->has_database)
		return dbagent_abstain(a, "skipped", inv_agents[INV_DB_CONFIG].report,
		    "Database configuration analysis", "No database section in the "
		    "spec: configuration not analysed.");
	memset(&c, 0, sizeof c);
	c.a = a;
	c.drv = dbagent_driver(sp);
	path = rules_path(c.drv->rules);
	rc = rules_load(path, &c.rules, &cause);
	free(path);
	if (rc != 0 || observe(&c, &cause) != 0) {
		rc = fail(a, cause);
		free(cause);
		cfg_free(&c);
		return rc;
	}
	candidates(&c);
	f = findings_new(a->name, "ok");
	if (measure_all(&c, &cause) != 0) {
		free(f->status);
		f->status = xstrdup("failed");
		f->headline = xasprintf("The probe failed: %s", cause);
		for (int s = 0; s < sp->nstages; s++)
			findings_vote(f, sp->stages[s].name, "abstain", "%s", f->headline);
		free(cause);
		how = xstrdup("");
		goto publish;
	}
	how = how_lines(&c, &nset);
	decide(&c, f, nset);
	if (f->nrecs > 0)
		f->recs[0].apply = xstrdup(how);
	chart(&c);
publish:
	md = report(&c, f, how);
	rc = agent_publish(a, f, inv_agents[INV_DB_CONFIG].report, md);
	if (rc == 0)
		agent_finding(a, "%s", f->headline);
	free(md);
	free(how);
	findings_free(f);
	cfg_free(&c);
	return rc == 0 ? 0 : 1;
}
