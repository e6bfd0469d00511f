/* dbconfig.c - the db-config agent: the database's settings, and what tuning gives, measured. */
#include "agents.h"
#include "dbshared.h"
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

struct cfg {
	struct agent	*a;
	const struct db_driver *drv;
	char		*cur[MAXSETTINGS];
	const char	*from[MAXSETTINGS];	/* file, spec, connection default */
	char		*objects;	/* indexes and triggers, markdown */
	struct rules	 rules;
	int		*cand;		/* rule indexes that apply */
	int		 ncand;
	int		*keep;		/* 1: a measured gain on its own */
	struct stats	*st;		/* per candidate; [ncand] = combined */
	struct stats	*ratio;		/* paired gains over the base, likewise */
	struct stats	 base;
	struct stats	 base1, comb1;	/* per-row commits, when no batch.current */
	int		 cadence, rows;
	int		 per_row;	/* per-row figures measured too */
};

static const char *
current(struct cfg *c, const char *name)
{
	for (int i = 0; i < c->drv->nsettings; i++)
		if (strcmp(c->drv->settings[i], name) == 0)
			return c->cur[i];
	return NULL;
}

static int
read_settings(struct cfg *c, char **cause)
{
	const struct db_driver *d = c->drv;
	int stored[MAXSETTINGS];

	agent_lock(c->a);
	if (d->read(c->a->spec, c->cur, stored, &c->objects, cause) != 0) {
		agent_unlock(c->a);
		return -1;
	}
	agent_unlock(c->a);
	for (int i = 0; i < d->nsettings; i++)
		c->from[i] = stored[i] ? "the database" : "connection default";
	/* What the pipeline sets on its own connections, from the spec. */
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
	return 0;
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

static int
measure_all(struct cfg *c, char **cause)
{
	int reps = c->a->spec->repetitions < 7 ? (int)c->a->spec->repetitions : 7;
	char *all[96], *one[32], *base[17];
	int nall = spec_pragmas(c, all), nbase = spec_pragmas(c, base), rc;

	if (reps < 5)
		reps = 5;
	agent_progress(c->a, 20, "probe: current settings");
	rc = db_measure(c->a, (const char *const *)base, c->rows, c->cadence, 1, reps,
	    &c->base, cause);
	if (rc != 0) {
		free_list(base, nbase);
		free_list(all, nall);
		return -1;
	}
	c->st = xcalloc((size_t)c->ncand + 1, sizeof *c->st);
	c->ratio = xcalloc((size_t)c->ncand + 1, sizeof *c->ratio);
	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];
		int n = spec_pragmas(c, one);

		agent_progress(c->a, 30 + 40 * i / (c->ncand + 1), "probe: %s = %s",
		    r->setting, r->recommend);
		pragmas_of(r, one, &n);
		one[n] = NULL;
		rc = db_measure_pair(c->a, (const char *const *)base, (const char *const *)one,
		    c->rows, c->cadence, reps, &c->base, &c->st[i], &c->ratio[i], cause);
		free_list(one, n);
		if (rc != 0) {
			free_list(all, nall);
			free_list(base, nbase);
			return -1;
		}
	}
	/*
	 * The combination is of the changes that gained on their own (the
	 * paired CI clear of 1): a change with no measurable gain is not
	 * recommended, whatever its rule says.
	 */
	c->keep = xcalloc((size_t)c->ncand + 1, sizeof *c->keep);
	for (int i = 0; i < c->ncand; i++) {
		c->keep[i] = c->ratio[i].ci_lo > 1.0 && c->ratio[i].median >= 1.02;
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
	rc = db_measure_pair(c->a, (const char *const *)base, (const char *const *)all,
	    c->rows, c->cadence, reps, &c->base, &c->st[c->ncand], &c->ratio[c->ncand], cause);
	if (rc == 0 && c->per_row && c->ncand > 0) {
		agent_progress(c->a, 85, "probe: one commit per row");
		rc = db_measure(c->a, (const char *const *)base, 300, 1, 1, reps, &c->base1,
		    cause);
		if (rc == 0)
			rc = db_measure(c->a, (const char *const *)all, 300, 1, 1, reps,
			    &c->comb1, cause);
	}
	free_list(all, nall);
	free_list(base, nbase);
	return rc;
}

static double
gain(const struct stats *x, const struct stats *base)
{
	return base->median > 0 ? x->median / base->median : 0;
}

/* The paired gain of candidate i (ncand: all combined). */
static double
pgain(struct cfg *c, int i)
{
	return c->ratio[i].median;
}

static char *
pragma_lines(struct cfg *c)
{
	struct buf b = { 0 };
	char *l[64];
	int n = 0;

	for (int i = 0; i < c->ncand; i++)
		if (c->keep[i])
			pragmas_of(&c->rules.r[c->cand[i]], l, &n);
	for (int i = 0; i < n; i++) {
		int dup = 0;

		for (int k = 0; k < i; k++)
			dup |= strcmp(l[k], l[i]) == 0;
		if (!dup) {
			char *eq = strchr(l[i], '='), *text;

			*eq = '\0';
			text = c->drv->apply_text(l[i], eq + 1);
			buf_printf(&b, "%s\n", text);
			free(text);
			*eq = '=';
		}
	}
	free_list(l, n);
	return b.p != NULL ? b.p : xstrdup("");
}

static char *
report(struct cfg *c, struct findings *f, const char *pragmas)
{
	struct buf b = { 0 };
	const struct spec *sp = c->a->spec;

	buf_printf(&b, "# Database configuration analysis: %s\n\n## Verdict\n\n%s\n\n",
	    sp->name, f->headline);
	buf_printf(&b, "## Settings of `%s`\n\nRead through a read-only connection. "
	    "Some settings are stored in the database; the others are per "
	    "connection, and the database cannot tell what the pipeline sets: a "
	    "connection default is what a new connection gets unless the pipeline "
	    "changes it (declare its settings in `database.pragmas`).\n\n"
	    "| setting | value | from |\n|---|---|---|\n", sp->db_path);
	for (int i = 0; i < c->drv->nsettings; i++)
		buf_printf(&b, "| %s | %s | %s |\n", c->drv->settings[i], c->cur[i], c->from[i]);
	buf_printf(&b, "\nIndexes and triggers of `%s`:\n\n%s\n", sp->db_table,
	    c->objects[0] ? c->objects : "- none\n");
	if (c->st == NULL)
		return b.p;
	buf_printf(&b, "## Candidate changes, measured\n\nProbe: %d synthetic rows shaped "
	    "like `%s` (its real columns, indexes and triggers), prepared inserts "
	    "committed every %d row%s, into a fresh scratch copy per run (backup API; "
	    "the original is never written), each run under the measurement lock. "
	    "Every candidate ran in alternation with the current settings (after "
	    "one warm-up), and its gain is the median of the paired ratios, with "
	    "the CI of that median. Current settings: %.0f rows/s (95%% CI "
	    "%.0f–%.0f).\n\n", c->rows, sp->db_table, c->cadence,
	    c->cadence == 1 ? "" : "s", c->base.median, c->base.ci_lo, c->base.ci_hi);
	buf_puts(&b, "| setting | current | recommended | measured gain | rows/s | risk |\n"
	    "|---|---|---|---|---|---|\n");
	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];
		char *risk = md_cell(r->risk);

		buf_printf(&b, "| %s%s%s%s | %s | %s | x%.2f (x%.2f–x%.2f)%s | %.0f | %s |\n",
		    r->setting, r->nrequires ? " (with " : "", r->nrequires ?
		    r->requires[0].setting : "", r->nrequires ? ")" : "",
		    current(c, r->setting), r->recommend, pgain(c, i), c->ratio[i].ci_lo,
		    c->ratio[i].ci_hi, c->keep[i] ? "" : " — no measurable gain, not "
		    "recommended", c->st[i].median, risk);
		free(risk);
	}
	if (c->ncand > 0 && c->st[c->ncand].n == 0)
		buf_puts(&b, "| **no candidate gained on its own: nothing to combine** "
		    "| | | | | |\n");
	else if (c->ncand > 0)
		buf_printf(&b, "| **the changes that gained, combined** | | | **x%.2f** "
		    "(x%.2f–x%.2f) | %.0f | |\n",
		    pgain(c, c->ncand), c->ratio[c->ncand].ci_lo, c->ratio[c->ncand].ci_hi,
		    c->st[c->ncand].median);
	else
		buf_puts(&b, "| none: every rule's recommendation is already in place | | | | | |\n");
	if (c->per_row && c->ncand > 0)
		buf_printf(&b, "\nWith one commit per row (300 rows) the combination "
		    "gives x%.2f (%.0f → %.0f rows/s).\n", gain(&c->comb1, &c->base1),
		    c->base1.median, c->comb1.median);
	buf_puts(&b, "\n![measured settings](config.svg)\n");
	if (pragmas[0] != '\0')
		buf_printf(&b, "\n## To apply\n\n```sql\n%s```\n\nSettings stored in the "
		    "database are set once; the others on every connection the pipeline "
		    "opens.\n", pragmas);
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
	    c->a->spec->db_table, c->cadence);
	svg = svg_hbar(title, "thousand rows/s", bars, n);
	path = agent_path(c->a, "config.svg");
	if (atomic_write(path, svg, strlen(svg), &cause) != 0) {
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

int
dbconfig_main(struct agent *a)
{
	const struct spec *sp = a->spec;
	struct cfg c;
	struct findings *f;
	char *cause = NULL, *path, *pragmas, *md;
	int stage = db_stage(sp), rc, nkeep = 0;
	double g;

	if (!sp->has_database)
		return db_abstain(a, "skipped", "CONFIG_ANALYSIS.md",
		    "Database configuration analysis", "No database in the spec: "
		    "configuration not analysed.");
	if (db_check(a, &cause) != 0) {
		rc = db_abstain(a, "failed", "CONFIG_ANALYSIS.md",
		    "Database configuration analysis", cause);
		free(cause);
		return rc;
	}
	memset(&c, 0, sizeof c);
	c.a = a;
	c.drv = db_drv(sp);
	path = rules_path(c.drv->rules);
	if (rules_load(path, &c.rules, &cause) != 0 || read_settings(&c, &cause) != 0) {
		rc = db_abstain(a, "failed", "CONFIG_ANALYSIS.md",
		    "Database configuration analysis", cause);
		free(cause);
		free(path);
		rules_free(&c.rules);
		return rc;
	}
	free(path);
	c.cadence = sp->batch_current > 0 ? (int)sp->batch_current : 1000;
	c.per_row = sp->batch_current <= 0;
	/* Runs long enough (tens of ms) that timer and scheduling noise is small. */
	c.rows = 50 * c.cadence;
	c.rows = c.rows < 2000 ? 2000 : c.rows > 50000 ? 50000 : c.rows;
	candidates(&c);
	f = findings_new(a->name, "ok");
	if (measure_all(&c, &cause) != 0) {
		free(f->status);
		f->status = xstrdup("failed");
		f->headline = xasprintf("The probe failed: %s", cause);
		for (int s = 0; s < sp->nstages; s++)
			findings_vote(f, sp->stages[s].name, "abstain", "%s", f->headline);
		free(cause);
		pragmas = xstrdup("");
		goto publish;
	}
	g = c.ncand > 0 ? pgain(&c, c.ncand) : 1;
	pragmas = pragma_lines(&c);
	for (int i = 0; i < c.ncand; i++)
		nkeep += c.keep[i];
	for (int s = 0; s < sp->nstages; s++)
		if (s != stage)
			findings_vote(f, sp->stages[s].name, "abstain", "does not write to "
			    "the database");
	/* A gain counts when it clears 5% and its CI clears no gain at all. */
	if (g < CFG_WORTH || (c.ncand > 0 && c.ratio[c.ncand].ci_lo <= 1.0)) {
		f->headline = xasprintf("Configuration already optimal: the best "
		    "combination gains %+.1f%% (under 5%%, or not distinguishable from "
		    "no gain) on a probe of %d inserts committed every %d (%s).",
		    (g - 1) * 100, c.rows, c.cadence, c.per_row ? "no batch.current: "
		    "the headline assumes 1000-row commits" : "the cadence of batch.current");
		if (stage >= 0)
			findings_vote(f, sp->stages[stage].name, "leave", "database settings "
			    "already optimal: tuning gains %+.1f%%", (g - 1) * 100);
	} else {
		struct recommendation *r;
		const struct stats *all = &c.st[c.ncand];

		f->headline = xasprintf("Tuning the database gives x%.2f on inserts "
		    "committed every %d (%s; %.0f → %.0f rows/s).%s", g, c.cadence,
		    c.per_row ? "no batch.current: the headline assumes 1000-row commits" :
		    "the cadence of batch.current", c.base.median, all->median,
		    stage < 0 ? " No client.stage or batch.stage says which stage "
		    "writes to it." : "");
		if (stage >= 0) {
			findings_vote(f, sp->stages[stage].name, "optimize", "measured x%.2f "
			    "on the database writes with %d setting change%s", g, nkeep,
			    nkeep == 1 ? "" : "s");
			r = findings_recommend(f, "sqlite-settings", sp->stages[stage].name,
			    "");
			free(r->title);
			r->title = xasprintf("Tune SQLite (%d setting%s): x%.2f on its writes",
			    nkeep, nkeep == 1 ? "" : "s", g);
			r->local_speedup = g;
			r->ci_lo = c.ratio[c.ncand].ci_lo;
			r->ci_hi = c.ratio[c.ncand].ci_hi;
			r->measured = 1;
			free(r->effort);
			r->effort = xstrdup("low");
			r->evidence = xasprintf("probe of %d inserts committed every %d on a "
			    "scratch copy: %.0f rows/s now, %.0f with the changes (medians); "
			    "the stage gains at most this, less if it does more than write",
			    c.rows, c.cadence, c.base.median, all->median);
			r->apply = xasprintf("%s", pragmas);
		}
	}
	chart(&c);
publish:
	md = report(&c, f, pragmas);
	rc = agent_publish(a, f, "CONFIG_ANALYSIS.md", md);
	if (rc == 0)
		agent_finding(a, "%s", f->headline);
	free(md);
	free(pragmas);
	findings_free(f);
	for (int i = 0; i < c.drv->nsettings; i++)
		free(c.cur[i]);
	free(c.objects);
	free(c.cand);
	free(c.st);
	free(c.ratio);
	free(c.keep);
	rules_free(&c.rules);
	return rc == 0 ? 0 : 1;
}
