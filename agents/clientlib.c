/* clientlib.c - the client-library agent: how the pipeline talks to the database, and faster patterns. */
#include "agents.h"
#include "dbagent.h"
#include "md.h"
#include "pipeline.h"
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Within this factor of the best pattern, the client is left alone. */
#define CLIENT_WITHIN	1.2
/* Rows per probe run: few for autocommit (a sync each), more in a transaction. */
#define ROWS_AUTOCOMMIT	500
#define ROWS_TX		20000
#define ROWS_PER_STMT	100

/* The last two only where the kind has them (PostgreSQL): skipped for the others. */
static const struct pattern {
	const char	*name;
	int		 prepared;
	int		 tx;		/* 0 autocommit, 1 one transaction */
	int		 multi;		/* rows per statement, 0 single */
	int		 how;		/* DBAGENT_INSERT, _COPY, _PIPELINE */
} patterns[] = {
	{ "SQL text, autocommit", 0, 0, 0, DBAGENT_INSERT },
	{ "prepared, autocommit", 1, 0, 0, DBAGENT_INSERT },
	{ "SQL text in a transaction", 0, 1, 0, DBAGENT_INSERT },
	{ "prepared in a transaction", 1, 1, 0, DBAGENT_INSERT },
	{ "multi-row VALUES (100 rows per statement) in a transaction", 1, 1, ROWS_PER_STMT,
	  DBAGENT_INSERT },
	{ "COPY FROM STDIN (one statement for all rows)", 0, 1, 0, DBAGENT_COPY },
	{ "pipeline mode (libpq: prepared, sent without waiting), in a transaction", 1, 1, 0,
	  DBAGENT_PIPELINE },
};

/* Whether the database's kind can play pattern i. */
static int
pattern_runs(const struct db_driver *d, int i)
{
	return patterns[i].how == DBAGENT_INSERT ||
	    (patterns[i].how == DBAGENT_COPY && d->insert_copy != NULL) ||
	    (patterns[i].how == DBAGENT_PIPELINE && d->insert_pipeline != NULL);
}
#define NPATTERNS ((int)PERFD_ARRAY_LEN(patterns))
#define PATTERN_COPY	5	/* patterns[]: COPY FROM STDIN */

struct clientlib {
	struct agent		*a;
	int			 stage;
	struct dbagent_obs	 o;
	struct db_capture	 cap;
	int			 captured;
	struct stats		 st[NPATTERNS];
	int			 now;		/* the pattern the stage uses, or -1 */
	int			 target;	/* what the client's advice reaches */
	struct stats		 cadence;	/* at the observed cadence, when no pattern is it */
	struct dbagent_split		 split;
	double			 speedup;	/* bounded, for the target */
	double			 lo, hi;
};

static int
measure_patterns(struct clientlib *c, char **cause)
{
	int reps = spec_reps(c->a->spec, 5) < 5 ? spec_reps(c->a->spec, 5) : 5;

	if (reps < 3)
		reps = 3;
	for (int i = 0; i < NPATTERNS; i++) {
		const struct pattern *p = &patterns[i];
		int rows = p->tx ? ROWS_TX : ROWS_AUTOCOMMIT;
		struct dbagent_load l = { rows, p->tx ? rows : 0, p->prepared, p->multi, p->how };

		if (!pattern_runs(dbagent_driver(c->a->spec), i))
			continue;
		agent_progress(c->a, 35 + 55 * i / NPATTERNS, "probe: %s", p->name);
		if (dbagent_measure(c->a, &c->cap, NULL, &l, reps, &c->st[i], cause) != 0)
			return -1;
	}
	return 0;
}

/*
 * The pattern the stage uses, as the probe can play it: one commit per row
 * is autocommit, bulk is one transaction, anything between is measured at
 * its own cadence. -1 when the pattern could not be observed.
 */
static int
now_pattern(struct clientlib *c, char **cause)
{
	const struct dbagent_obs *o = &c->o;
	int prepared = strcmp(o->client->writes, "text") != 0;
	int reps = c->st[0].n, rows;
	struct dbagent_load l = { 0 };

	if (o->cadence <= 0)
		return -1;
	/* Autocommit only for a client that sends no BEGIN of its own. */
	if (o->cadence <= 2 && !o->client->tx_explicit)
		return prepared ? 1 : 0;
	if (o->bulk && dbagent_writes_copy(c->a->spec, o))
		return PATTERN_COPY;
	if (o->bulk)
		return prepared ? 3 : 2;
	/* Enough rows for a few hundred commits at most, a few thousand at least. */
	rows = (int)fmin(fmax(o->cadence * 20, 2000), ROWS_TX);
	agent_progress(c->a, 88, "probe: the observed cadence (%.0f rows per commit)",
	    o->cadence);
	l.rows = rows;
	l.commit_every = (int)fmax(1, round(o->cadence));
	l.prepared = prepared;
	if (dbagent_measure(c->a, &c->cap, NULL, &l, reps, &c->cadence, cause) != 0)
		return -2;
	return NPATTERNS;
}

static const struct stats *
rate(struct clientlib *c, int i)
{
	return i == NPATTERNS ? &c->cadence : &c->st[i];
}

static const char *
pattern_name(struct clientlib *c, int i)
{
	static char buf[96];

	if (i < NPATTERNS)
		return patterns[i].name;
	if (round(c->o.cadence) <= 1)
		return "a BEGIN and a COMMIT around each row";
	snprintf(buf, sizeof buf, "commits every %.0f rows", c->o.cadence);
	return buf;
}

/* The pattern the client's own advice reaches: its statements, in one transaction. */
static int
target_pattern(struct clientlib *c)
{
	const struct db_client *cl = c->o.client;

	if (dbagent_writes_copy(c->a->spec, &c->o))
		return PATTERN_COPY;
	if (strcmp(cl->writes, "text") == 0)
		return 2;
	if (strcmp(cl->writes, "multi") == 0)
		return 4;
	return 3;
}

/* client.svg's bars: the stage as it runs, then each probe pattern, or the stage folded. */
static int
chart_bars(struct clientlib *c, double observed, struct svg_bar *bars, char **notes)
{
	const struct dbfold *d = &c->o.fold;
	int n = 0;

	notes[n] = md_rate(observed);
	bars[n] = (struct svg_bar){ "the stage as it runs", observed / 1000, 0, notes[n] };
	n++;
	if (d->pairs > 0) {
		double folded = d->rows * 1000 / d->changed_ms;

		notes[n] = md_rate(folded);
		bars[n] = (struct svg_bar){ "the stage with its commits folded into one",
		    folded / 1000, 0, notes[n] };
		return n + 1;
	}
	for (int i = 0; i < NPATTERNS; i++, n++) {
		if (c->st[i].n == 0) {
			n--;
			continue;
		}
		notes[n] = md_rate(c->st[i].median);
		bars[n] = (struct svg_bar){ patterns[i].name, c->st[i].median / 1000,
		    c->st[i].ci_hi / 1000, notes[n] };
	}
	return n;
}

/* client.svg: the stage as it runs, against the stage folded or each API pattern. */
static void
chart(struct clientlib *c, double observed)
{
	struct svg_bar bars[NPATTERNS + 1];
	char *notes[NPATTERNS + 1], *svg, *path, *title, *cause = NULL;
	int n = chart_bars(c, observed, bars, notes);

	title = xasprintf("%s: rows/s of the client stage%s", c->a->spec->db_table,
	    c->o.fold.pairs > 0 ? ", as it is and folded (both on the pipeline)" :
	    " and of perfd's probe patterns");
	svg = svg_hbar(title, "thousand rows/s", bars, n);
	path = agent_path(c->a, inv_agents[INV_CLIENT_LIBRARY].chart);
	if (file_write_atomic(path, svg, strlen(svg), &cause) != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	}
	for (int i = 0; i < n; i++)
		free(notes[i]);
	free(svg);
	free(path);
	free(title);
}

/* "What the stage can gain": the pipeline's figure, else the probe's with its bound. */
static void
report_gain(struct clientlib *c, struct buf *b)
{
	const struct dbfold *d = &c->o.fold;

	buf_puts(b, "\n## What the stage can gain\n\n");
	if (d->pairs > 0) {
		buf_printf(b, "**Measured on the pipeline.** perfd ran `%s` through the "
		    "pipeline (before each run, untimed: setup and the stages before it, or the "
		    "stage's prepare) %.0f times as it is and "
		    "%.0f times with its commits folded into one transaction per connection, "
		    "alternated, the order swapped each pair. The folding is done by perfd's "
		    "preload library, which wraps the client's own libsqlite3 calls: the "
		    "client's statements are the same, only the commits change.\n\n"
		    "| run | median | commits a run | write statements |\n|---|---|---|---|\n"
		    "| as it is | %.1f ms | %.0f | %.0f |\n| commits folded into one | %.1f ms "
		    "| %.0f | %.0f |\n\nThe stage's speed-up, the median of the pairs' ratios: "
		    "**x%.2f** (95%% CI x%.2f–x%.2f). Both sides wrote %.0f rows. The pairs "
		    "stopped at %.0f: %s.\n",
		    c->a->spec->client_stage, d->pairs, d->pairs, d->as_is_ms, d->commits,
		    d->writes, d->changed_ms, d->folded_commits, d->writes, d->speedup, d->lo,
		    d->hi, d->rows, d->pairs, d->stopped != NULL ? d->stopped : "?");
		return;
	}
	if (d->none != NULL)
		buf_printf(b, "No figure on the pipeline: %s. ", d->none);
	if (c->now >= 0) {
		char *t = dbagent_split_text(&c->split, rate(c, c->target)->median);

		buf_printf(b, "A probe figure is not the stage's figure: %s.\n", t);
		free(t);
	} else
		buf_puts(b, "\n");
}

/* "perfd's probe": its patterns' table, or why it did not run. */
static void
report_probe(struct clientlib *c, struct buf *b)
{
	const struct spec *sp = c->a->spec;
	char *db;

	if (c->o.fold.pairs > 0) {
		buf_puts(b, "## perfd's probe: the API patterns\n\nNot run: the stage itself "
		    "was measured with its commits folded (below), and a figure from the "
		    "user's own stage decides. perfd's synthetic probe runs only when that "
		    "cannot be measured.\n");
		return;
	}
	db = dbagent_driver(sp)->label(sp);
	buf_printf(b, "## perfd's probe: the API patterns\n\nThese are **perfd's own "
	    "synthetic workload**, not the user's stage: on a scratch copy of `%s` "
	    "(captured from the user's database, which is only read), rows shaped like "
	    "`%s`: %d rows for the autocommit patterns, %d for the others; median "
	    "rows/s over the runs after one warm-up, each under the measurement "
	    "lock.\n\n| pattern | rows/s | 95%% CI | runs |\n|---|---|---|---|\n",
	    db, sp->db_table, ROWS_AUTOCOMMIT, ROWS_TX);
	free(db);
	for (int i = 0; i <= NPATTERNS; i++) {
		const struct stats *st = rate(c, i);
		char *m, *l, *h;

		if ((i == NPATTERNS && c->now != NPATTERNS) || st->n == 0)
			continue;
		m = md_rate(st->median);
		l = md_rate(st->ci_lo);
		h = md_rate(st->ci_hi);
		buf_printf(b, "| %s%s%s | %s | %s–%s | %d |\n", pattern_name(c, i),
		    i == c->now ? " (the stage's pattern)" : "", i == c->target ?
		    " (what the advice reaches)" : "", m, l, h, st->n);
		free(m);
		free(l);
		free(h);
	}
}

static char *
report(struct clientlib *c, struct findings *f, double observed)
{
	struct buf b = { 0 };
	const struct spec *sp = c->a->spec;
	const struct dbagent_obs *o = &c->o;
	char *obs = md_rate(observed);

	buf_printf(&b, "# Client-library analysis: %s\n\n## Verdict\n\n%s\n\n", sp->name,
	    f->headline);
	buf_printf(&b, "## What the pipeline does\n\nStage `%s` ran as in a run (before "
	    "it, untimed: setup and the stages before it, or its prepare; median of %d "
	    "run%s): %.1f ms for %.0f "
	    "rows (%s): **%s rows/s**; user CPU %.1f ms, system %.1f ms. The client is "
	    "%s (from the stage's command and the scripts it names).\n\nPattern: "
	    "**%s** — %s.\n\n", sp->stages[c->stage].name, o->runs, o->runs == 1 ? "" :
	    "s", o->wall_ms, o->rows, o->rows_from, obs, o->user_ms, o->sys_ms,
	    o->client->name, o->pattern, o->evidence);
	free(obs);
	report_probe(c, &b);
	buf_puts(&b, "\n![patterns](client.svg)\n");
	report_gain(c, &b);
	buf_printf(&b, "\n## How\n\nFor %s: %s.\n", o->client->name, o->client->tx_how);
	return b.p;
}

/* Why the agent does not apply, in words that say which part is missing. */
static const char *
not_applicable(const struct spec *sp)
{
	if (!sp->has_database && sp->client_stage != NULL)
		return "client.stage is set, but the spec has no database section: the "
		    "client is not analysed (add database: kind, path, table).";
	if (!sp->has_database)
		return "No database section in the spec: the client is not analysed.";
	return "No client.stage in the spec (which stage writes to the database): the "
	    "client is not analysed.";
}

static int
fail(struct clientlib *c, const char *why)
{
	int rc = dbagent_abstain(c->a, "failed", inv_agents[INV_CLIENT_LIBRARY].report,
	    "Client-library analysis", why);

	dbagent_obs_free(&c->o);
	if (c->cap.copy != NULL)
		dbagent_driver(c->a->spec)->release(&c->cap);
	return rc;
}

/* Leave the client as it is: what the advice would reach is within CLIENT_WITHIN. */
static void
decide_leave(struct clientlib *c, struct findings *f, const char *obs, const char *figure)
{
	const struct spec *sp = c->a->spec;

	f->headline = xasprintf("Client usage already optimal: %s writes %s rows/s (%s); %s.",
	    sp->client_stage, obs, c->o.pattern, figure);
	findings_vote(f, sp->client_stage, "leave", "client usage already optimal: %s, %s "
	    "rows/s; at most x%.2f from one transaction", c->o.pattern, obs, c->speedup);
}

/* The advice, with its figure: the caller fills kind, range, bound and evidence. */
static struct recommendation *
decide_advise(struct clientlib *c, struct findings *f, const char *obs, const char *how)
{
	const struct spec *sp = c->a->spec;
	struct recommendation *r = findings_recommend(f, "client-pattern", sp->client_stage, "");

	f->headline = xasprintf("%s writes %s rows/s (%s); %s, it gives x%.1f on %s.",
	    sp->client_stage, obs, c->o.pattern, how, c->speedup, sp->client_stage);
	findings_vote(f, sp->client_stage, "optimize", "%s: x%.1f on the stage in one "
	    "transaction (%s)", c->o.pattern, c->speedup, how);
	free(r->title);
	r->title = xasprintf("Write in one transaction instead of %s", c->o.pattern);
	r->local_speedup = c->speedup;
	r->ci_lo = c->lo;
	r->ci_hi = c->hi;
	free(r->effort);
	r->effort = xstrdup("medium");
	r->apply = xasprintf("For %s: %s.", c->o.client->name, c->o.client->tx_how);
	return r;
}

/*
 * The verdict from the user's own stage run with its commits folded into
 * one transaction (evidence of kind pipeline): the figure is what the
 * stage did, so it needs no bound.
 */
static void
decide_folded(struct clientlib *c, struct findings *f, const char *obs)
{
	const struct dbfold *d = &c->o.fold;
	struct recommendation *r;

	c->speedup = d->speedup;
	c->lo = d->lo;
	c->hi = d->hi;
	if (c->speedup <= CLIENT_WITHIN) {
		char *fig = xasprintf("run with its commits folded into one transaction, the "
		    "stage took %.1f ms against %.1f ms as it is (x%.2f, measured on the "
		    "pipeline)", d->changed_ms, d->as_is_ms, c->speedup);

		decide_leave(c, f, obs, fig);
		free(fig);
		return;
	}
	r = decide_advise(c, f, obs, "measured on the pipeline with its commits folded "
	    "into one transaction");
	r->kind = EVIDENCE_PIPELINE;
	r->evidence = xasprintf("%s (%s); the stage run on the pipeline %.0f times as it is "
	    "(%.0f commits a run) and %.0f times with its commits folded into one by "
	    "perfd's preload library, alternated: median %.1f ms as it is, %.1f ms in one "
	    "transaction", c->o.pattern, c->o.evidence, d->pairs, d->commits, d->pairs,
	    d->as_is_ms, d->changed_ms);
}

/* The verdict from perfd's probe, bounded by the stage: leave, or the advice with its figure. */
static void
decide_probe(struct clientlib *c, struct findings *f, const char *obs)
{
	const struct stats *t = rate(c, c->target), *n = rate(c, c->now);
	char *fig;

	dbagent_split(&c->o, n->median, &c->split);
	c->speedup = dbagent_split_speedup(&c->split, t->median);
	dbagent_split_range(&c->split, t->ci_lo, t->ci_hi, &c->lo, &c->hi);
	if (c->o.bulk || c->speedup <= CLIENT_WITHIN) {
		fig = xasprintf("with %s (what the advice for %s reaches) on perfd's probe, "
		    "the stage would gain at most x%.2f (%.1f ms of its %.1f ms is the "
		    "client's own work)", pattern_name(c, c->target), c->o.client->name,
		    c->speedup, c->split.own_ms, c->split.stage_ms);
		decide_leave(c, f, obs, fig);
		free(fig);
	} else {
		char *how = xasprintf("with %s on perfd's probe, bounded by the stage's own "
		    "work", pattern_name(c, c->target));
		struct recommendation *r = decide_advise(c, f, obs, how);

		free(how);
		r->kind = EVIDENCE_PROBE;
		r->bound = dbagent_split_text(&c->split, t->median);
		r->evidence = xasprintf("%s (%s); on perfd's probe the stage's pattern runs "
		    "at %.0f rows/s and %s at %.0f", c->o.pattern, c->o.evidence, n->median,
		    pattern_name(c, c->target), t->median);
	}
}

/* The verdict: from the pipeline when the stage could be run with one transaction, else the probe. */
static void
decide(struct clientlib *c, struct findings *f, double observed)
{
	char *obs = md_rate(observed);

	if (c->o.fold.pairs > 0)
		decide_folded(c, f, obs);
	else
		decide_probe(c, f, obs);
	free(obs);
}

int
clientlib_main(struct agent *a)
{
	const struct spec *sp = a->spec;
	struct clientlib c;
	struct findings *f;
	char *cause = NULL, *md;
	double observed;
	int rc;

	if (!sp->has_database || sp->client_stage == NULL)
		return dbagent_abstain(a, "skipped", inv_agents[INV_CLIENT_LIBRARY].report,
		    "Client-library analysis", not_applicable(sp));
	memset(&c, 0, sizeof c);
	c.a = a;
	c.stage = spec_stage_index(sp, sp->client_stage);
	/*
	 * perfd's probe runs only when the stage could not be measured with
	 * its commits folded: a figure from the user's own stage decides, and
	 * a synthetic one beside it would cost the user's time for nothing.
	 */
	if (dbagent_observe(a, &c.cap, &c.captured, &c.o, &cause) != 0 ||
	    (c.o.fold.pairs == 0 && ((!c.captured && dbagent_capture(a, &c.cap,
	    &cause) != 0) || measure_patterns(&c, &cause) != 0))) {
		rc = fail(&c, cause);
		free(cause);
		return rc;
	}
	if (c.o.rows <= 0)
		return fail(&c, "The client stage wrote no rows to the table, and the spec "
		    "has no rows: nothing to compare.");
	c.now = c.o.fold.pairs > 0 ? -1 : now_pattern(&c, &cause);
	if (c.now == -2) {
		rc = fail(&c, cause);
		free(cause);
		return rc;
	}
	c.target = target_pattern(&c);
	observed = c.o.rows * 1000 / c.o.wall_ms;
	f = findings_new(a->name, "ok");
	for (int s = 0; s < sp->nstages; s++)
		if (s != c.stage)
			findings_vote(f, sp->stages[s].name, "abstain", "not the client stage");
	if (c.now < 0 && c.o.fold.pairs == 0) {
		f->headline = xasprintf("%s's commit pattern could not be observed (%s): "
		    "no probe figure can be bounded by the stage, so none is claimed.",
		    sp->client_stage, c.o.evidence);
		findings_vote(f, sp->client_stage, "abstain", "the commit pattern could not "
		    "be observed");
	} else
		decide(&c, f, observed);
	chart(&c, observed);
	md = report(&c, f, observed);
	rc = agent_publish(a, f, inv_agents[INV_CLIENT_LIBRARY].report, md);
	if (rc == 0)
		agent_finding(a, "%s", f->headline);
	free(md);
	findings_free(f);
	dbagent_obs_free(&c.o);
	dbagent_driver(sp)->release(&c.cap);
	return rc == 0 ? 0 : 1;
}
