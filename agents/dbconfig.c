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
				   2: not measured, the budget spent; 3: set
				   aside for the one measured on the stage
				   (rounds_candidate) */
	struct stats	*st;		/* per candidate; [ncand] = combined */
	struct stats	*ratio;		/* paired gains over the base, likewise */
	struct stats	 base;
	struct dbagent_split	 split;
	double		 speedup, lo, hi;	/* on the stage, bounded */
	struct dbagent_load	 load;		/* the probe's: prepared, at the cadence */
	const char	*cadence_from;
	/*
	 * On the stage (dbagent_settings_on_stage): each candidate's pairs of
	 * runs of the stage itself, [ncand] the combination; st and ratio
	 * then hold stage times in ms and speed-ups of the stage.
	 */
	int		 on_stage;
	struct dbfold	*set;
	int		 combined_as;	/* the candidate that is the combination, or -1 */
	char		*off_stage;	/* why the stage could not take settings (the probe ran) */
	/*
	 * The candidate the no-sync rounds measured on the stage itself
	 * (rounds_candidate()), or -1; rounds: the stage's time as it is over
	 * its time with it, round by round.
	 */
	int		 by_rounds;
	struct stats	 rounds;
	char		*unmeasured;	/* why the probe could not run, or NULL */
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
		c->from[i] = c->cap.sources != NULL ? c->cap.sources[i] : c->cap.stored[i] ?
		    "the database" : "connection default";
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
 * The current values, for the settings of l (n of them, "name=value") that
 * are kept in the database file, into now (NULL-terminated): a run with the
 * candidate leaves them changed, so the stage as it is sets them back.
 */
static int
persistent_now(struct cfg *c, char **l, int n, char **now)
{
	int k = 0;

	for (int j = 0; j < n; j++) {
		char name[64];

		snprintf(name, sizeof name, "%.*s", (int)strcspn(l[j], "="), l[j]);
		if (stored(c, name))
			now[k++] = xasprintf("%s=%s", name, current(c, name));
	}
	now[k] = NULL;
	return k;
}

/* Series f's figures as candidate i's (ncand: the combination): speed-ups and stage times. */
static void
on_stage_keep(struct cfg *c, int i, const struct dbfold *f)
{
	c->ratio[i] = (struct stats){ .n = (int)f->pairs, .median = f->speedup, .ci_lo = f->lo,
	    .ci_hi = f->hi };
	c->st[i] = (struct stats){ .n = (int)f->pairs, .median = f->changed_ms };
	c->base = (struct stats){ .n = (int)f->pairs, .median = f->as_is_ms };
	if (i < c->ncand && f->stopped != NULL && strcmp(f->stopped, "no gain in the "
	    "screening pairs") == 0)
		c->screened[i] = 1;
}

/* The stage with settings l (n of them); its series into c->set[i]. */
static void
on_stage_run(struct cfg *c, int i, char **l, int n)
{
	char *now[33];
	int nnow = persistent_now(c, l, n, now);

	l[n] = NULL;
	agent_progress(c->a, 30 + 40 * i / (c->ncand + 1), "%s on the stage: %s",
	    i < c->ncand ? "setting" : "settings combined", l[n - 1]);
	/* One hold per series: its pairs alternate within it, as drift demands. */
	agent_lock(c->a);
	/* The candidates share the 5% error; the combination is one claim of its own. */
	dbfold_settings(c->a, &c->o, (const char *const *)now, (const char *const *)l,
	    i < c->ncand ? c->ncand : 1, &c->set[i]);
	agent_unlock(c->a);
	free_list(now, nnow);
	if (c->set[i].pairs > 0)
		on_stage_keep(c, i, &c->set[i]);
}

/* Whether candidate i's settings are exactly the kept ones (l, n): its series is the combination's. */
static int
same_settings(struct cfg *c, int i, char **l, int n)
{
	char *one[32];
	int m = 0, same;

	pragmas_of(&c->rules.r[c->cand[i]], one, &m);
	same = m == n;
	for (int j = 0; same && j < n; j++) {
		int found = 0;

		for (int k = 0; k < m; k++)
			found |= strcmp(one[k], l[j]) == 0;
		same = found;
	}
	free_list(one, m);
	return same;
}

/*
 * Every candidate on the stage itself, then the ones that gained combined
 * (unless one candidate's settings are already the combination: a
 * synchronous level that requires WAL is measured with it). 0; -1 when the
 * stage cannot take settings at all (c->off_stage says why), and the probe
 * measures instead.
 */
static int
measure_on_stage(struct cfg *c)
{
	char *l[64];
	int n;

	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];

		if (!agent_fits(c->a, 0)) {
			c->screened[i] = 2;
			c->ratio[i].median = c->ratio[i].ci_lo = c->ratio[i].ci_hi = 1;
			agent_cut(c->a, "%s = %s not measured", r->setting, r->recommend);
			continue;
		}
		n = 0;
		pragmas_of(r, l, &n);
		on_stage_run(c, i, l, n);
		free_list(l, n);
		if (c->set[i].pairs == 0 && i == 0) {
			c->off_stage = xstrdup(c->set[i].none != NULL ? c->set[i].none :
			    "no pair of runs was made");
			return -1;
		}
	}
	/* Kept: a gain told from none with the 5% error shared among the candidates. */
	for (int i = 0; i < c->ncand; i++)
		c->keep[i] = !c->screened[i] && c->set[i].pairs > 0 && c->set[i].keep_lo > 1.0 &&
		    c->ratio[i].median >= 1.02;
	if ((n = kept_settings(c, l)) == 0) {
		c->ratio[c->ncand].median = c->ratio[c->ncand].ci_lo = 1;
		c->ratio[c->ncand].ci_hi = 1;
		return 0;
	}
	for (int i = 0; i < c->ncand && c->combined_as < 0; i++)
		if (c->keep[i] && same_settings(c, i, l, n))
			c->combined_as = i;
	if (c->combined_as >= 0) {
		on_stage_keep(c, c->ncand, &c->set[c->combined_as]);
		c->base = (struct stats){ .n = (int)c->set[c->combined_as].pairs,
		    .median = c->set[c->combined_as].as_is_ms };
	} else
		on_stage_run(c, c->ncand, l, n);
	free_list(l, n);
	return 0;
}

/* 1 when every candidate was measured on the stage; else the probe measures, from scratch. */
static int
on_stage_or_not(struct cfg *c)
{
	if (!c->on_stage || c->ncand == 0)
		return 0;
	if (measure_on_stage(c) == 0)
		return 1;
	c->on_stage = 0;
	for (int i = 0; i <= c->ncand; i++) {
		dbfold_free(&c->set[i]);
		c->screened[i] = c->keep[i] = 0;
		c->st[i] = c->ratio[i] = (struct stats){ 0 };
	}
	c->base = (struct stats){ 0 };
	return 0;
}

/* The settings recommendation on stage: its title, figure and kind; the caller says its evidence. */
static struct recommendation *
settings_rec(struct cfg *c, struct findings *f, const char *stage, int nset, double k,
    double lo, double hi, enum evidence kind)
{
	struct recommendation *r = findings_recommend(f, "db-settings", stage, "");

	free(r->title);
	r->title = xasprintf("Tune %s (%d setting%s)", c->drv->name, nset,
	    nset == 1 ? "" : "s");
	r->local_speedup = k;
	r->ci_lo = lo;
	r->ci_hi = hi;
	r->kind = kind;
	free(r->effort);
	r->effort = xstrdup("low");
	return r;
}

/*
 * A kind whose no-sync setting is one a session sets for itself
 * (PostgreSQL's synchronous_commit, through PGOPTIONS) has measured that
 * candidate on the stage itself already: the no-sync rounds ran the stage
 * with it, each round beside the stage as it is. When no other candidate
 * gained on the probe, that is the figure: a pipeline one, where the
 * probe's, bounded by the stage's own work, under-stated it (x1.2-1.3
 * against x1.6-1.95 applied). The candidate's index, or -1.
 */
static double pgain(struct cfg *, int);

static int
rounds_candidate(struct cfg *c)
{
	double ratio[DBAGENT_PAIRS_MAX];
	int n = (int)c->o.nosync_pairs, k = -1;

	if (!c->drv->nosync_on_stage || !c->observed || n < 3 || c->on_stage)
		return -1;
	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];
		char *kv = xasprintf("%s=%s", r->setting, r->recommend);

		if (strcmp(kv, c->drv->nosync) == 0 && r->nrequires == 0)
			k = i;
		free(kv);
	}
	if (k < 0)
		return -1;
	for (int j = 0; j < n; j++)
		ratio[j] = c->o.pair_stage_ms[j] / fmax(c->o.pair_nosync_ms[j], 1e-3);
	stats_compute(ratio, n, &c->rounds);
	/*
	 * Another candidate kept on the probe counts only when its probe gain
	 * is above what this one gains on the stage itself: one that saves
	 * the same cost (an unlogged staging table saves the same WAL flush
	 * per commit) is set aside, else its probe figure, which on
	 * PostgreSQL under-states, would stand in for this one's measured on
	 * the stage (x1.2 on the probe against x1.8 on the stage, seen).
	 */
	for (int i = 0; i < c->ncand; i++)
		if (i != k && c->keep[i] && pgain(c, i) > c->rounds.median)
			return -1;
	for (int i = 0; i < c->ncand; i++)
		if (i != k && c->keep[i]) {
			c->keep[i] = 0;
			c->screened[i] = 3;
		}
	return k;
}

/* The verdict on the candidate the rounds measured on the stage. */
static void
decide_rounds(struct cfg *c, struct findings *f)
{
	const char *stage = c->a->spec->stages[c->o.stage].name;
	const struct rule *rl = &c->rules.r[c->cand[c->by_rounds]];
	const struct stats *s = &c->rounds;
	struct recommendation *r;

	if (!c->keep[c->by_rounds]) {
		f->headline = xasprintf("Configuration already optimal: %s = %s for the stage's "
		    "own sessions gains %+.1f%% on %s, measured on the stage itself (under 5%%, "
		    "or not distinguishable from no gain); the server's settings gained nothing "
		    "on perfd's probe.", rl->setting, rl->recommend, (s->median - 1) * 100, stage);
		findings_vote(f, stage, "leave", "database settings already optimal: %+.1f%% on "
		    "the stage", (s->median - 1) * 100);
		return;
	}
	f->headline = xasprintf("%s = %s for the stage's own sessions gives x%.2f on %s, "
	    "measured on the stage itself (x%.2f on perfd's probe); no other setting gained "
	    "there.", rl->setting, rl->recommend, s->median, stage, c->ratio[c->by_rounds].median);
	findings_vote(f, stage, "optimize", "x%.2f on the stage from %s = %s (measured on the "
	    "stage)", s->median, rl->setting, rl->recommend);
	r = settings_rec(c, f, stage, 1, s->median, s->ci_lo, s->ci_hi, EVIDENCE_PIPELINE);
	r->evidence = xasprintf("the stage run %d times with %s = %s in every session it "
	    "opens (%s), each beside a run of it as it is: the median of the rounds' "
	    "ratios", s->n, rl->setting, rl->recommend, c->drv->nosync_on_stage);
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
	c->set = xcalloc((size_t)c->ncand + 1, sizeof *c->set);
	c->combined_as = -1;
	if (on_stage_or_not(c)) {
		free_list(base, nbase);
		free_list(all, nall);
		return 0;
	}
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
			text = pass == 0 && c->drv->procedure_how != NULL ?
			    c->drv->procedure_how(c->a->spec, l[i], eq + 1, &c->cap) : NULL;
			if (text != NULL) {
				buf_printf(&b, "Around every load: %s\n", text);
				free(text);
			} else if (stored(c, l[i]) == (pass == 0)) {
				text = pass == 1 && c->drv->session_text != NULL ?
				    c->drv->session_text(l[i], eq + 1) :
				    c->drv->apply_text(l[i], eq + 1);
				if (pass == 0) {
					char *db = c->drv->label(c->a->spec);
					char *once = c->drv->apply_once(c->a->spec, text);
					char *intro = xasprintf(c->drv->once_how, db);

					buf_printf(&b, "%s: `%s`\n", intro, once);
					free(intro);
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

	buf_printf(b, "## Settings of `%s`\n\n%s\n\n| setting | value | from |\n"
	    "|---|---|---|\n", db, c->drv->settings_intro);
	free(db);
	for (int i = 0; i < c->drv->nsettings; i++)
		buf_printf(b, "| %s | %s | %s |\n", c->drv->settings[i], c->cur[i], c->from[i]);
	buf_printf(b, "\n%s of `%s`:\n\n%s\n", c->cap.sources != NULL ? "The definition" :
	    "Indexes and triggers", sp->db_table, c->objects[0] ? c->objects : "- none\n");
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
	if (c->observed && c->o.server.commits > 0 && c->drv->pressure_text != NULL) {
		char *t = c->drv->pressure_text(&c->o.server, &c->cap);

		buf_printf(b, "## Pressure on the server during the stage\n\n%s\n\n", t);
		free(t);
	}
}

/* The probe's candidates: how they were measured, each one's gain, combined. */
/* The probe's load in words: "prepared inserts committed every 25 rows (...)". */
static char *
load_words(struct cfg *c)
{
	if (c->load.how == DBAGENT_COPY)
		return xstrdup("all of them in one COPY, as the stage sends its rows");
	return xasprintf("prepared inserts committed every %d row%s, %s",
	    c->load.commit_every, c->load.commit_every == 1 ? "" : "s", c->cadence_from);
}

static void
md_candidates(struct buf *b, struct cfg *c)
{
	const struct spec *sp = c->a->spec;
	char *r1, *r2, *r3, *how = load_words(c);

	r1 = md_rate(c->base.median);
	r2 = md_rate(c->base.ci_lo);
	r3 = md_rate(c->base.ci_hi);
	buf_printf(b, "## perfd's probe: candidate changes\n\nThese figures are **perfd's "
	    "own synthetic workload**, not the user's stage: %d rows shaped like `%s` "
	    "(its real columns, indexes and triggers), %s, into a fresh scratch copy per "
	    "run, each run under the measurement lock. Every candidate ran in alternation with the current "
	    "settings (after one warm-up): %d pairs to screen it, and more only when "
	    "it gained there (up to 7, stopping from 3 when the CI of its gain is "
	    "within +-5%%). Its gain is the median of the paired ratios, with the CI "
	    "of that median. Current settings (the base side of the last pairs): %s "
	    "rows/s (95%% CI %s–%s).\n\n", c->load.rows, sp->db_table, how, CFG_SCREEN, r1,
	    r2, r3);
	free(how);
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
		    c->ratio[i].ci_hi, c->screened[i] == 3 ? " — no more than the setting "
		    "measured on the stage itself gains there: set aside" : c->screened[i] == 2 ?
		    " — not measured: the budget was "
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
	if (c->off_stage != NULL)
		buf_printf(b, "\nThe settings could not be run on the stage itself (%s): the "
		    "probe measured them instead.\n", c->off_stage);
}

/* Whether candidate i's setting is what a kept candidate requires (WAL for synchronous = normal). */
static int
required_by_kept(struct cfg *c, int i)
{
	const struct rule *r = &c->rules.r[c->cand[i]];

	for (int k = 0; k < c->ncand; k++) {
		const struct rule *q = &c->rules.r[c->cand[k]];

		for (int j = 0; c->keep[k] && j < q->nrequires; j++)
			if (strcmp(q->requires[j].setting, r->setting) == 0 &&
			    strcmp(q->requires[j].values[0], r->recommend) == 0)
				return 1;
	}
	return 0;
}

/* Candidate i's row of the table measured on the stage. */
static void
md_on_stage_row(struct buf *b, struct cfg *c, int i)
{
	const struct rule *r = &c->rules.r[c->cand[i]];
	const struct dbfold *f = &c->set[i];
	char *risk = md_cell(r->risk);

	buf_printf(b, "| %s%s%s%s | %s | %s | ", r->setting, r->nrequires ? " (with " : "",
	    r->nrequires ? r->requires[0].setting : "", r->nrequires ? ")" : "",
	    current(c, r->setting), r->recommend);
	if (c->screened[i] == 2)
		buf_printf(b, "not measured: the budget was spent | | 0 | | %s |\n", risk);
	else if (f->pairs == 0)
		buf_printf(b, "not measured: %s | | 0 | | %s |\n", f->none != NULL ? f->none :
		    "no pair of runs was made", risk);
	else if (f->pairs < 2)	/* one pair: a figure, no interval */
		buf_printf(b, "x%.2f — %s | %.1f ms | 1 | %s | %s |\n", c->ratio[i].median,
		    required_by_kept(c, i) ? "no gain on its own, but set as part of a change "
		    "that gains (it requires it)" : "no measurable gain, not recommended",
		    c->st[i].median, f->stopped, risk);
	else
		buf_printf(b, "x%.2f (x%.2f–x%.2f)%s | %.1f ms | %.0f | %s | %s |\n",
		    c->ratio[i].median, c->ratio[i].ci_lo, c->ratio[i].ci_hi, c->keep[i] ?
		    "" : required_by_kept(c, i) ? " — not clear of no gain on its own, but "
		    "set as part of a change that is (it requires it)" :
		    c->ratio[i].ci_lo > 1.0 && c->ratio[i].median >= 1.02 ? " — not clear "
		    "of no gain at the stricter CI the candidates share, not recommended" :
		    " — no measurable gain, not recommended", c->st[i].median, f->pairs,
		    f->stopped, risk);
	free(risk);
}

/* The candidates measured on the stage itself: how, each one's gain, combined. */
static void
md_on_stage(struct buf *b, struct cfg *c)
{
	const struct spec *sp = c->a->spec;
	const char *stage = sp->stages[c->o.stage].name;

	buf_printf(b, "## The candidate changes, measured on the stage\n\nEach candidate was "
	    "applied by perfd's preload library on every connection `%s` opens to the "
	    "database, right after it opens (the stage's commands, rows and commits "
	    "otherwise as they are), and the stage run through the pipeline in alternation "
	    "with it as it is (a setting kept in the database file set back to its current "
	    "value on that side, and the last run of each series as it is, so the database "
	    "is left as the pipeline makes it): %d pairs to screen a candidate, and more "
	    "only when it gained there (up to %d, stopping when the CI of its gain is within "
	    "+-10%%, from the least that can tell its gain from none with the 5%% error "
	    "shared among the %d candidates: each one's CI taken at %.1f%%). Its gain is the "
	    "median of the pairs' ratios, with the 95%% CI of that median; it is kept only "
	    "when that stricter CI clears no gain. The stage as it is: %.1f ms (the median of "
	    "that side of %s's pairs).\n\n| setting | current | recommended | gain on the "
	    "stage | stage time | pairs | why they stopped | risk |\n"
	    "|---|---|---|---|---|---|---|---|\n", stage, 3, 9, c->ncand,
	    100 - 5.0 / (c->ncand > 0 ? c->ncand : 1), c->base.median,
	    c->ratio[c->ncand].n > 0 ? "the combination" : "the last candidate");
	for (int i = 0; i < c->ncand; i++)
		md_on_stage_row(b, c, i);
	if (c->ncand == 0)
		buf_puts(b, "| none: every rule's recommendation is already in place, or cannot "
		    "be applied by this client | | | | | | | |\n");
	else if (c->ratio[c->ncand].n == 0)
		buf_printf(b, "| **no candidate gained on its own: nothing to combine**%s%s "
		    "| | | | | | | |\n", c->set[c->ncand].none != NULL ? "; " : "",
		    c->set[c->ncand].none != NULL ? c->set[c->ncand].none : "");
	else if (c->combined_as >= 0)
		buf_printf(b, "| **the changes that gained, combined**: the same settings as "
		    "the %s row | | | **x%.2f** (x%.2f–x%.2f) | %.1f ms | %d | | |\n",
		    c->rules.r[c->cand[c->combined_as]].setting, c->ratio[c->ncand].median,
		    c->ratio[c->ncand].ci_lo, c->ratio[c->ncand].ci_hi, c->st[c->ncand].median,
		    c->ratio[c->ncand].n);
	else
		buf_printf(b, "| **the changes that gained, combined** | | | **x%.2f** "
		    "(x%.2f–x%.2f) | %.1f ms | %d | %s | |\n", c->ratio[c->ncand].median,
		    c->ratio[c->ncand].ci_lo, c->ratio[c->ncand].ci_hi, c->st[c->ncand].median,
		    c->ratio[c->ncand].n, c->set[c->ncand].stopped);
	for (int i = 0; i < c->ncand; i++)
		if (c->set[i].overridden > 0)
			buf_printf(b, "\nThe stage sets %s itself (%.0f time%s a run): in perfd's "
			    "runs the value under test replaced the stage's own, so the change "
			    "to make is to that line of the client.\n",
			    c->rules.r[c->cand[i]].setting, c->set[i].overridden,
			    c->set[i].overridden == 1 ? "" : "s");
	for (int i = 0; i < c->nleft_out; i++)
		buf_printf(b, "\nLeft out: %s.\n", c->left_out[i]);
}

/* The candidates the probe could not measure, and why: none is recommended, none guessed. */
static void
md_unmeasured(struct buf *b, struct cfg *c)
{
	buf_printf(b, "## Not measured\n\n%s.\n\nSo none of these candidates was "
	    "measured, and none is recommended or given a figure:", c->unmeasured);
	for (int i = 0; i < c->ncand; i++)
		buf_printf(b, "%s `%s = %s`", i > 0 ? "," : "",
		    c->rules.r[c->cand[i]].setting, c->rules.r[c->cand[i]].recommend);
	buf_puts(b, c->ncand == 0 ? " (none applied to these settings).\n" : ".\n");
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
	if (c->unmeasured != NULL) {
		md_unmeasured(&b, c);
		return b.p;
	}
	if (c->st == NULL)
		return b.p;
	if (c->on_stage)
		md_on_stage(&b, c);
	else
		md_candidates(&b, c);
	buf_puts(&b, "\n![measured settings](config.svg)\n");
	if (c->by_rounds >= 0) {
		const struct rule *r = &c->rules.r[c->cand[c->by_rounds]];

		buf_printf(&b, "\n## Measured on the stage itself\n\n`%s = %s` is a setting "
		    "each session may set for itself: the stage ran with it in every session it "
		    "opened (%s), %d times, each beside a run of the stage as it is. Its gain on "
		    "the stage: **x%.2f** (95%% CI x%.2f–x%.2f, the median of the rounds' "
		    "ratios); that figure, not the probe's, is the one that counts for it.\n",
		    r->setting, r->recommend, c->drv->nosync_on_stage, c->rounds.n,
		    c->rounds.median, c->rounds.ci_lo, c->rounds.ci_hi);
	} else if (!c->on_stage && c->observed && c->st[c->ncand].n > 0) {
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

/* A bar of the chart: rows/s on the probe (thousands), or the stage's time on the stage. */
static struct svg_bar
chart_bar(struct cfg *c, const char *label, const char *note, const struct stats *st)
{
	if (c->on_stage)
		return (struct svg_bar){ label, st->median, 0, note };
	return (struct svg_bar){ label, st->median / 1000, st->ci_hi / 1000, note };
}

/* config.svg: the current settings, each candidate, and combined. */
static void
chart(struct cfg *c)
{
	struct svg_bar *bars = xcalloc((size_t)c->ncand + 2, sizeof *bars);
	char **notes = xcalloc((size_t)c->ncand + 2, sizeof *notes), **labels, *svg, *path;
	char *title, *cause = NULL;
	int n = 0;

	labels = xcalloc((size_t)c->ncand + 2, sizeof *labels);
	labels[n] = xstrdup(c->on_stage ? "as it is" : "current settings");
	notes[n] = c->on_stage ? xasprintf("%.1f ms", c->base.median) :
	    xasprintf("%.0f rows/s", c->base.median);
	bars[n] = chart_bar(c, labels[n], notes[n], &c->base);
	n++;
	for (int i = 0; i < c->ncand; i++) {
		const struct rule *r = &c->rules.r[c->cand[i]];

		if (c->st[i].n == 0)
			continue;
		labels[n] = xasprintf("%s = %s", r->setting, r->recommend);
		notes[n] = xasprintf("x%.2f%s", c->ratio[i].median, c->keep[i] ? "" :
		    " (no measurable gain)");
		bars[n] = chart_bar(c, labels[n], notes[n], &c->st[i]);
		n++;
	}
	if (c->st[c->ncand].n > 0) {
		labels[n] = xstrdup("combined");
		notes[n] = xasprintf("x%.2f", c->ratio[c->ncand].median);
		bars[n] = chart_bar(c, labels[n], notes[n], &c->st[c->ncand]);
		n++;
	}
	if (c->on_stage)
		title = xasprintf("%s with each setting, measured on the stage (median of "
		    "its pairs)", c->a->spec->stages[c->o.stage].name);
	else
		title = c->load.how == DBAGENT_COPY ? xasprintf("%s: rows in one COPY "
		    "(whisker: CI upper end)", c->a->spec->db_table) : xasprintf("%s: inserts "
		    "committed every %d rows (whisker: CI upper end)", c->a->spec->db_table,
		    c->load.commit_every);
	svg = svg_hbar(title, c->on_stage ? "ms (shorter is faster)" : "thousand rows/s",
	    bars, n);
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
	c->on_stage = c->observed && dbagent_settings_on_stage(&c->o);
	/* Runs long enough (tens of ms) that timer and scheduling noise is small. */
	c->load.rows = (int)fmin(fmax(50.0 * c->load.commit_every, 2000), 50000);
	c->load.prepared = 1;
	/* A COPY is cheap: as many rows as the stage's, for the WAL (and checkpoints) it makes. */
	if (c->observed && dbagent_writes_copy(c->a->spec, &c->o)) {
		c->load.how = DBAGENT_COPY;
		c->load.rows = (int)fmin(fmax(c->o.rows, 2000), 500000);
	}
	return 0;
}

/* The recommendation of the nset settings that gained, g on the probe, bounded by the stage. */
static void
recommend(struct cfg *c, struct findings *f, int nset, double g)
{
	const char *stage = c->a->spec->stages[c->o.stage].name;
	const struct stats *all = &c->st[c->ncand];
	struct recommendation *r;
	char *now, *then, *how = load_words(c);

	f->headline = xasprintf("Tuning %s (%d setting%s) gives x%.2f on perfd's probe "
	    "(%s); bounded by the stage's own work, x%.2f on %s.", c->drv->name, nset,
	    nset == 1 ? "" : "s", g, how, c->speedup, stage);
	findings_vote(f, stage, "optimize", "x%.2f on the stage from %d setting "
	    "change%s (probe x%.2f, bounded by the stage)", c->speedup, nset,
	    nset == 1 ? "" : "s", g);
	r = settings_rec(c, f, stage, nset, c->speedup, c->lo, c->hi, EVIDENCE_PROBE);
	r->bound = dbagent_split_text(&c->split, all->median);
	now = md_rate(c->base.median);
	then = md_rate(all->median);
	r->evidence = xasprintf("perfd's probe of %d rows, %s, on a scratch copy: x%.2f "
	    "(paired runs; %s rows/s now, %s with the changes)", c->load.rows, how, g, now,
	    then);
	free(how);
	free(now);
	free(then);
}

/* The recommendation of the nset settings that gained g on the stage itself. */
static void
recommend_on_stage(struct cfg *c, struct findings *f, int nset, double g)
{
	const char *stage = c->a->spec->stages[c->o.stage].name;
	const struct stats *r_all = &c->ratio[c->ncand];
	struct recommendation *r;

	f->headline = xasprintf("Tuning %s (%d setting%s) gives x%.2f on %s, measured on "
	    "the stage itself: %.1f ms instead of %.1f ms.", c->drv->name, nset,
	    nset == 1 ? "" : "s", g, stage, c->st[c->ncand].median, c->base.median);
	findings_vote(f, stage, "optimize", "x%.2f on the stage from %d setting change%s "
	    "(measured on the stage)", g, nset, nset == 1 ? "" : "s");
	r = settings_rec(c, f, stage, nset, g, r_all->ci_lo, r_all->ci_hi, EVIDENCE_PIPELINE);
	r->evidence = xasprintf("the stage run %d times with the settings applied on each "
	    "connection it opens to the database, in alternation with it as it is: %.1f ms "
	    "against %.1f ms (medians; the speed-up is the median of the pairs' ratios)",
	    r_all->n, c->st[c->ncand].median, c->base.median);
}

/* The verdict when every figure is the stage's own. */
static void
decide_on_stage(struct cfg *c, struct findings *f, int nset)
{
	const char *stage = c->a->spec->stages[c->o.stage].name;
	const struct stats *r_all = &c->ratio[c->ncand];
	double g = r_all->n > 0 ? r_all->median : 1;

	if (g < CFG_WORTH || r_all->n == 0 || r_all->ci_lo <= 1.0) {
		f->headline = xasprintf("Configuration already optimal: the best combination "
		    "gains %+.1f%% on %s, measured on the stage itself (under 5%%, or not "
		    "distinguishable from no gain).", (g - 1) * 100, stage);
		findings_vote(f, stage, "leave", "database settings already optimal: %+.1f%% "
		    "on the stage", (g - 1) * 100);
		return;
	}
	recommend_on_stage(c, f, nset, g);
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
	if (c->on_stage) {
		decide_on_stage(c, f, nset);
		return;
	}
	if (c->by_rounds >= 0) {
		decide_rounds(c, f);
		return;
	}
	/* A gain counts when it clears 5% and its CI clears no gain at all. */
	if (g < CFG_WORTH || (c->ncand > 0 && c->ratio[c->ncand].ci_lo <= 1.0)) {
		char *how = load_words(c);

		f->headline = xasprintf("Configuration already optimal: the best "
		    "combination gains %+.1f%% on perfd's probe (under 5%%, or not "
		    "distinguishable from no gain), %s.", (g - 1) * 100, how);
		free(how);
		if (stage != NULL)
			findings_vote(f, stage, "leave", "database settings already optimal: "
			    "%+.1f%% on the probe", (g - 1) * 100);
		return;
	}
	/* Without the stage's own cadence the probe's baseline is a guess. */
	if (!c->observed || c->o.cadence <= 0) {
		char *how = load_words(c);

		f->headline = xasprintf("The settings give x%.2f on perfd's probe (%s), but "
		    "%s: no figure for the stage is claimed.", g, how, c->observed ? "the "
		    "stage's commit pattern could not be observed" : c->unobserved);
		free(how);
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
	for (int i = 0; c->set != NULL && i <= c->ncand; i++)
		dbfold_free(&c->set[i]);
	free(c->set);
	free(c->off_stage);
	free(c->unobserved);
	free(c->unmeasured);
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
	c.by_rounds = -1;
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
		c.unmeasured = xstrdup(cause);
		for (int s = 0; s < sp->nstages; s++)
			findings_vote(f, sp->stages[s].name, "abstain", "%s", f->headline);
		free(cause);
		how = xstrdup("");
		goto publish;
	}
	/* Kept or not by its own figure: the stage's, where there is one. */
	if ((c.by_rounds = rounds_candidate(&c)) >= 0)
		c.keep[c.by_rounds] = c.rounds.median >= CFG_WORTH && c.rounds.ci_lo > 1.0;
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
