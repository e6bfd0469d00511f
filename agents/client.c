/* client.c - the client-library agent: how the pipeline talks to the database, and faster patterns. */
#include "agents.h"
#include "dbshared.h"
#include "pipeline.h"
#include "svg.h"
#include "util.h"

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

static const struct pattern {
	const char	*name;
	int		 prepared;
	int		 tx;		/* 0 autocommit, 1 one transaction */
	int		 multi;		/* rows per statement, 0 single */
} patterns[] = {
	{ "SQL text, autocommit", 0, 0, 0 },
	{ "prepared, autocommit", 1, 0, 0 },
	{ "SQL text in a transaction", 0, 1, 0 },
	{ "prepared in a transaction", 1, 1, 0 },
	{ "multi-row VALUES (100 rows per statement) in a transaction", 1, 1, ROWS_PER_STMT },
};
#define NPATTERNS ((int)PERFD_ARRAY_LEN(patterns))

struct client {
	struct agent	*a;
	int		 stage;
	double		 wall_ms;	/* the observed stage */
	double		 rows;
	const char	*rows_from;
	struct row_count count;
	int		 traced;
	char		*untraced;	/* why there are no syscall counts */
	long		 syncs, writes, net;
	char		*pattern;	/* what the evidence says */
	char		*evidence;
	int		 bulk;
	struct stats	 st[NPATTERNS];
	int		 best;
};

/* sh -c 'CMD' with the command's single quotes escaped. */
static char *
quoted(const char *cmd)
{
	struct buf b = { 0 };

	buf_puts(&b, "'");
	for (const char *p = cmd; *p != '\0'; p++) {
		if (*p == '\'')
			buf_puts(&b, "'\\''");
		else
			buf_add(&b, p, 1);
	}
	buf_puts(&b, "'");
	return b.p;
}

/* Sum the calls of strace -c's table for the named system calls. */
static long
calls(const char *table, const char *const *names)
{
	long total = 0;
	const char *line = table;

	while (line != NULL && *line != '\0') {
		const char *eol = strchr(line, '\n');
		char name[64] = "";
		double pct, secs;
		long usecs, n, errors;
		int got = sscanf(line, "%lf %lf %ld %ld %ld %63s", &pct, &secs, &usecs, &n,
		    &errors, name);

		if (got < 6) {
			errors = 0;
			got = sscanf(line, "%lf %lf %ld %ld %63s", &pct, &secs, &usecs, &n, name);
			if (got < 5)
				name[0] = '\0';
		}
		for (int i = 0; name[0] != '\0' && names[i] != NULL; i++)
			if (strcmp(name, names[i]) == 0)
				total += n;
		line = eol != NULL ? eol + 1 : NULL;
	}
	return total;
}

static int
have_strace(void)
{
	char *const argv[] = { "strace", "-V", NULL };
	struct run_opts o = { .argv = argv, .timeout_ms = 5000 };
	struct run_result r;

	run_command(&o, &r);
	return run_ok(&r);
}

/* Run the client stage as the pipeline does: once timed, once under strace. */
static int
observe(struct client *c, char **cause)
{
	const struct spec *sp = c->a->spec;
	struct stage_result res = { 0 };
	char *failure = NULL;
	int count = sp->rows <= 0, rc = -1;

	agent_progress(c->a, 10, "running %s as the pipeline does", sp->stages[c->stage].name);
	c->rows = (double)sp->rows;
	c->rows_from = sp->rows > 0 ? "the spec's rows" : "the table's row count after "
	    "minus before (read-only)";
	agent_lock(c->a);
	c->count.spec = sp;
	c->count.before = -1;
	if (pipeline_measure(sp, c->stage, NULL, c->a->dir, count ? db_count_rows : NULL,
	    &c->count, &res, &failure) != 0) {
		*cause = xasprintf("the stages before %s failed: %s", sp->stages[c->stage].name,
		    failure);
		free(failure);
	} else if (!res.ok)
		*cause = xasprintf("%s", res.failure);
	else {
		c->wall_ms = res.wall_ms;
		if (count)
			c->rows = c->count.rows;
		rc = 0;
	}
	stage_result_free(&res);
	agent_unlock(c->a);
	if (rc != 0)
		return rc;
	if (sp->stages[c->stage].run == NULL) {
		c->untraced = xstrdup("the client stage is a fetch stage");
		return 0;
	}
	if (!have_strace()) {
		c->untraced = xstrdup("strace is not installed");
		return 0;
	}
	{
		char *out = agent_path(c->a, "strace.txt"), *q = quoted(sp->stages[c->stage].run);
		char *cmd = xasprintf("strace -f -c -o '%s' /bin/sh -c %s", out, q), *text;
		static const char *const sync_calls[] = { "fsync", "fdatasync", NULL };
		static const char *const write_calls[] = { "write", "pwrite64", "pwrite", NULL };
		static const char *const net_calls[] = { "sendto", "recvfrom", "sendmsg",
		    "recvmsg", NULL };

		agent_progress(c->a, 25, "counting its system calls with strace");
		agent_lock(c->a);
		if (pipeline_measure(sp, c->stage, cmd, c->a->dir, NULL, NULL, &res,
		    &failure) != 0)
			c->untraced = xasprintf("the stages before it failed: %s", failure);
		else if (!res.ok)
			c->untraced = xasprintf("the traced run failed: %s", res.failure);
		else if ((text = read_file(out, 1 << 20, NULL, &failure)) == NULL)
			c->untraced = xasprintf("no strace output: %s", failure);
		else {
			c->traced = 1;
			c->syncs = calls(text, sync_calls);
			c->writes = calls(text, write_calls);
			c->net = calls(text, net_calls);
			free(text);
		}
		agent_unlock(c->a);
		stage_result_free(&res);
		free(failure);
		free(out);
		free(q);
		free(cmd);
	}
	return 0;
}

/*
 * Commits from syncs, by what one commit costs in this database's mode
 * (the driver knows: 4 for SQLite's rollback journal, 1 under WAL).
 */
static void
infer(struct client *c)
{
	double r = c->rows, per, commits, rows_per;

	agent_lock(c->a);	/* reads the user's database: see db_check() */
	per = db_drv(c->a->spec)->syncs_per_commit(c->a->spec);
	agent_unlock(c->a);

	if (!c->traced) {
		c->pattern = xstrdup("unknown (no system-call counts)");
		c->evidence = xasprintf("%s: judged by throughput alone", c->untraced);
		return;
	}
	if (c->syncs == 0 || per <= 0) {
		c->pattern = xstrdup("unknown (no syncs to count commits by)");
		c->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows, and no way to "
		    "count commits by them in this mode: judged by throughput alone",
		    c->syncs, r);
		return;
	}
	commits = c->syncs / per < 1 ? 1 : c->syncs / per;
	rows_per = r / commits;
	if (rows_per <= 2) {
		c->pattern = xstrdup("one commit per row");
		c->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows (about %.0f per "
		    "commit in this journal mode): about one commit per row", c->syncs, r, per);
	} else if (rows_per >= 1000 || commits <= 3) {
		c->bulk = 1;
		c->pattern = xstrdup("bulk: one or a few commits");
		c->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows: about %.0f "
		    "commit%s", c->syncs, r, commits, commits < 1.5 ? "" : "s");
	} else {
		c->pattern = xasprintf("about %.0f rows per commit", rows_per);
		c->evidence = xasprintf("%ld fsync/fdatasync for %.0f rows: about %.0f "
		    "commits", c->syncs, r, commits);
	}
	{
		char *e = c->evidence;

		c->evidence = xasprintf("%s; %ld write calls, %ld socket calls", e, c->writes,
		    c->net);
		free(e);
	}
}

static int
measure_patterns(struct client *c, char **cause)
{
	int reps = c->a->spec->repetitions < 5 ? (int)c->a->spec->repetitions : 5;

	if (reps < 3)
		reps = 3;
	c->best = -1;
	for (int i = 0; i < NPATTERNS; i++) {
		const struct pattern *p = &patterns[i];
		double *x = xcalloc((size_t)reps, sizeof *x);
		int rows = p->tx ? ROWS_TX : ROWS_AUTOCOMMIT;
		char *scratch = agent_path(c->a, "scratch.db");

		agent_progress(c->a, 35 + 55 * i / NPATTERNS, "probe: %s", p->name);
		for (int r = -1; r < reps; r++) {
			const struct db_driver *d = db_drv(c->a->spec);
			struct db_scratch *sc;
			double secs;

			agent_lock(c->a);	/* the copy reads the user's database */
			sc = d->scratch(c->a->spec, scratch, cause);
			if (sc == NULL) {
				agent_unlock(c->a);
				free(x);
				free(scratch);
				return -1;
			}
			secs = p->multi ? d->insert_multi(sc, rows, p->multi, cause) :
			    d->insert(sc, rows, p->tx ? rows : 0, p->prepared, cause);
			agent_unlock(c->a);
			d->close(sc);
			if (secs < 0) {
				free(x);
				free(scratch);
				return -1;
			}
			if (r >= 0)
				x[r] = rows / secs;
		}
		stats_compute(x, reps, &c->st[i]);
		free(x);
		free(scratch);
		if (c->best < 0 || c->st[i].median > c->st[c->best].median)
			c->best = i;
	}
	return 0;
}

/* client.svg: the stage as it runs, against each API pattern. */
static void
chart(struct client *c, double observed)
{
	struct svg_bar bars[NPATTERNS + 1];
	char *notes[NPATTERNS + 1], *svg, *path, *title, *cause = NULL;

	notes[0] = xasprintf("%.0f rows/s (%s)", observed, c->pattern);
	bars[0] = (struct svg_bar){ "the stage as it runs", observed / 1000, 0, notes[0] };
	for (int i = 0; i < NPATTERNS; i++) {
		notes[i + 1] = xasprintf("%.0f rows/s", c->st[i].median);
		bars[i + 1] = (struct svg_bar){ patterns[i].name, c->st[i].median / 1000,
		    c->st[i].ci_hi / 1000, notes[i + 1] };
	}
	title = xasprintf("%s: rows/s of the client stage and of the API patterns",
	    c->a->spec->db_table);
	svg = svg_hbar(title, "thousand rows/s", bars, NPATTERNS + 1);
	path = agent_path(c->a, "client.svg");
	if (atomic_write(path, svg, strlen(svg), &cause) != 0) {
		fprintf(stderr, "perfd-agent: %s\n", cause);
		free(cause);
	}
	for (int i = 0; i <= NPATTERNS; i++)
		free(notes[i]);
	free(svg);
	free(path);
	free(title);
}

static char *
report(struct client *c, struct findings *f, double observed)
{
	struct buf b = { 0 };
	const struct spec *sp = c->a->spec;

	buf_printf(&b, "# Client-library analysis: %s\n\n## Verdict\n\n%s\n\n", sp->name,
	    f->headline);
	buf_printf(&b, "## What the pipeline does\n\nStage `%s` ran once as in a run "
	    "(setup and the stages before it untimed): %.1f ms for %.0f rows (%s): "
	    "**%.0f rows/s**.\n\nPattern: **%s** — %s.\n\n", sp->stages[c->stage].name,
	    c->wall_ms, c->rows, c->rows_from, observed, c->pattern, c->evidence);
	buf_printf(&b, "## The API patterns, measured\n\nOn a scratch copy of `%s` (backup "
	    "API; the original is opened read-only), rows shaped like `%s`: %d rows for "
	    "the autocommit patterns, %d for the others; median rows/s over the runs "
	    "after one warm-up, each under the measurement lock.\n\n| pattern | rows/s | "
	    "95%% CI | runs |\n|---|---|---|---|\n", sp->db_path, sp->db_table,
	    ROWS_AUTOCOMMIT, ROWS_TX);
	for (int i = 0; i < NPATTERNS; i++)
		buf_printf(&b, "| %s%s | %.0f | %.0f–%.0f | %d |\n", patterns[i].name,
		    i == c->best ? " (best)" : "", c->st[i].median, c->st[i].ci_lo,
		    c->st[i].ci_hi, c->st[i].n);
	buf_puts(&b, "\n![patterns](client.svg)\n");
	buf_printf(&b, "\n## The faster pattern\n\n%s", db_drv(sp)->sketch);
	return b.p;
}

int
client_main(struct agent *a)
{
	const struct spec *sp = a->spec;
	struct client c;
	struct findings *f;
	char *cause = NULL, *md;
	double observed, gap;
	int rc;

	if (!sp->has_database || sp->client_stage == NULL)
		return db_abstain(a, "skipped", "CLIENT_ANALYSIS.md", "Client-library analysis",
		    "No database and client.stage in the spec: the client is not analysed.");
	if (db_check(a, &cause) != 0) {
		rc = db_abstain(a, "failed", "CLIENT_ANALYSIS.md", "Client-library analysis",
		    cause);
		free(cause);
		return rc;
	}
	memset(&c, 0, sizeof c);
	c.a = a;
	c.stage = spec_stage_index(sp, sp->client_stage);
	if (observe(&c, &cause) != 0 || measure_patterns(&c, &cause) != 0) {
		rc = db_abstain(a, "failed", "CLIENT_ANALYSIS.md", "Client-library analysis",
		    cause);
		free(cause);
		free(c.pattern);
		free(c.evidence);
		return rc;
	}
	if (c.rows <= 0) {
		free(c.pattern);
		free(c.evidence);
		return db_abstain(a, "failed", "CLIENT_ANALYSIS.md", "Client-library analysis",
		    "The client stage wrote no rows to the table, and the spec has no rows: "
		    "nothing to compare.");
	}
	infer(&c);
	observed = c.rows * 1000 / c.wall_ms;
	gap = c.st[c.best].median / observed;
	f = findings_new(a->name, "ok");
	for (int s = 0; s < sp->nstages; s++)
		if (s != c.stage)
			findings_vote(f, sp->stages[s].name, "abstain", "not the client stage");
	if (gap <= CLIENT_WITHIN || c.bulk) {
		char *why = gap <= CLIENT_WITHIN ?
		    xasprintf(", within x%.2f of the best pattern", gap) :
		    xasprintf("; the x%.2f to the probe's best pattern is the client's own "
		    "work (parsing, process start), not the database API", gap);

		f->headline = xasprintf("Client usage already optimal: %s writes %.0f rows/s "
		    "(%s)%s.", sp->client_stage, observed, c.pattern, why);
		free(why);
		findings_vote(f, sp->client_stage, "leave", "client usage already optimal: "
		    "%s, %.0f rows/s", c.pattern, observed);
	} else {
		struct recommendation *r = findings_recommend(f, "client-pattern",
		    sp->client_stage, "");

		f->headline = xasprintf("%s writes %.0f rows/s (%s); %s reaches %.0f rows/s "
		    "on the same table: x%.1f.", sp->client_stage, observed, c.pattern,
		    patterns[c.best].name, c.st[c.best].median, gap);
		findings_vote(f, sp->client_stage, "optimize", "%s: %.0f rows/s against "
		    "%.0f with %s", c.pattern, observed, c.st[c.best].median,
		    patterns[c.best].name);
		free(r->title);
		r->title = xasprintf("Write with %s instead of %s", patterns[c.best].name,
		    c.pattern);
		r->local_speedup = gap;
		r->ci_lo = c.st[c.best].ci_lo / observed;
		r->ci_hi = c.st[c.best].ci_hi / observed;
		r->measured = 1;
		free(r->effort);
		r->effort = xstrdup("medium");
		r->evidence = xasprintf("%s (%s); the stage ran at %.0f rows/s, the probe at "
		    "%.0f rows/s with %s: the stage gains at most this", c.pattern,
		    c.evidence, observed, c.st[c.best].median, patterns[c.best].name);
		r->apply = xstrdup("Prepare the INSERT once, bind each row, and commit many "
		    "rows per transaction (see the sketch in CLIENT_ANALYSIS.md).");
	}
	chart(&c, observed);
	md = report(&c, f, observed);
	rc = agent_publish(a, f, "CLIENT_ANALYSIS.md", md);
	if (rc == 0)
		agent_finding(a, "%s", f->headline);
	free(md);
	findings_free(f);
	free(c.pattern);
	free(c.evidence);
	free(c.untraced);
	return rc == 0 ? 0 : 1;
}
