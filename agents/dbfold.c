/* dbfold.c - the database stage run on the user's pipeline with its commits folded into one. */
#include "dbfold.h"
#include "dbagent.h"
#include "file.h"
#include "paths.h"
#include "pipeline.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FOLD_MIN_PAIRS		5
#define FOLD_MAX_PAIRS		15
/* A stage this long is a fair figure in a few pairs. */
#define FOLD_LONG_MS		2000.0
#define FOLD_LONG_PAIRS		3
/*
 * Pairs go on until the ratio's CI is within this of it, or the time is
 * spent: the whole runs' time, the untimed prefix (setup and the stages
 * before) included, which a pipeline with a download before its load pays
 * in every run.
 */
#define FOLD_PRECISION		0.10
#define FOLD_BUDGET_MS		20000.0
#define FOLD_COUNTS		"sqlshim.counts"

/* One run of the stage: its time, the rows it wrote, what the library counted. */
struct fold_run {
	double	 ms, rows, writes, commits;
};

/*
 * The stage's command with the library preloaded in mode: assignments the
 * shell exports before the user's own lines, so every program the stage
 * starts carries them (a user's own LD_PRELOAD is kept, after it).
 */
static char *
fold_command(const char *shim, const char *mode, const char *out, const char *run)
{
	char *qs = run_quote(shim), *qo = run_quote(out), *cmd;

	cmd = xasprintf("LD_PRELOAD=%s${LD_PRELOAD:+:$LD_PRELOAD} PERFD_SQLSHIM=%s "
	    "PERFD_SQLSHIM_OUT=%s\nexport LD_PRELOAD PERFD_SQLSHIM PERFD_SQLSHIM_OUT\n%s",
	    qs, mode, qo, run);
	free(qs);
	free(qo);
	return cmd;
}

/* Sum the lines the stage's processes appended ("writes W commits C folded F"). */
static void
fold_counts(const char *path, struct fold_run *r)
{
	char *why = NULL, *text = file_read(path, 1 << 20, NULL, &why), *line, *save = NULL;

	free(why);	/* no file: no process of the stage used SQLite */
	r->writes = r->commits = 0;
	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		long w, c, f;

		if (sscanf(line, "writes %ld commits %ld folded %ld", &w, &c, &f) == 3) {
			r->writes += (double)w;
			r->commits += (double)c;
		}
	}
	free(text);
}

/* One timed run through the pipeline: 0, or -1 with *why. */
static int
fold_one(struct agent *a, int stage, const char *cmd, const char *out, struct fold_run *r,
    char **why)
{
	const struct spec *sp = a->spec;
	struct dbagent_rows count = { .spec = sp, .before = -1 };
	struct stage_result res = { 0 };
	char *failure = NULL;
	int rc = -1;

	unlink(out);
	if (pipeline_measure(sp, stage, cmd, a->dir, dbagent_count_rows, &count, &res,
	    &failure) != 0)
		*why = xasprintf("the stages before %s failed: %s", sp->stages[stage].name,
		    failure);
	else if (!res.ok)
		*why = xstrdup(res.failure);
	else {
		r->ms = res.wall_ms;
		r->rows = count.rows;
		fold_counts(out, r);
		rc = 0;
	}
	unlink(out);
	free(failure);
	pipeline_result_free(&res);
	return rc;
}

/* Whether the first pair can stand for the fix; NULL, or why not (caller frees). */
static char *
fold_usable(const struct spec *sp, const struct fold_run *as, const struct fold_run *fo)
{
	if (as->writes == 0)
		return xasprintf("no write of %s's passed through the system's libsqlite3 (a "
		    "client with SQLite built into it?): perfd cannot run it with one "
		    "transaction", sp->client_stage != NULL ? sp->client_stage : "the stage");
	if (as->commits <= 2)
		return xasprintf("the stage commits %.0f time%s a run: there is nothing to fold",
		    as->commits, as->commits == 1 ? "" : "s");
	if (fabs(fo->rows - as->rows) > 0.5)
		return xasprintf("with its commits folded the stage wrote %.0f rows instead of "
		    "%.0f, so the run is not the same work", fo->rows, as->rows);
	return NULL;
}

/* The alternated pairs of runs: each side's time and their ratio, the first pair's counts. */
struct fold_series {
	double		 as[FOLD_MAX_PAIRS], fo[FOLD_MAX_PAIRS], ratio[FOLD_MAX_PAIRS];
	int		 n;
	struct fold_run	 first_as, first_fo;
};

/* The series' figures into *f. */
static void
fold_keep(struct dbfold *f, const struct fold_series *s)
{
	struct stats st;

	f->pairs = s->n;
	stats_compute(s->as, s->n, &st);
	f->as_is_ms = st.median;
	stats_compute(s->fo, s->n, &st);
	f->folded_ms = st.median;
	stats_compute(s->ratio, s->n, &st);
	f->speedup = st.median;
	f->lo = st.ci_lo;
	f->hi = st.ci_hi;
	f->commits = s->first_as.commits;
	f->folded_commits = s->first_fo.commits;
	f->writes = s->first_as.writes;
	f->rows = s->first_as.rows;
}

/* One pair, the order swapped on odd pairs: NULL, or why it stands for nothing (caller frees). */
static char *
fold_pair(struct agent *a, int stage, const char *c_as, const char *c_fo, const char *out,
    struct fold_series *s)
{
	struct fold_run ra, rf;
	char *why = NULL, *none;
	int swap = s->n % 2;

	if (fold_one(a, stage, swap ? c_fo : c_as, out, swap ? &rf : &ra, &why) != 0 ||
	    fold_one(a, stage, swap ? c_as : c_fo, out, swap ? &ra : &rf, &why) != 0) {
		none = xasprintf("a run of the stage under perfd's preload library failed: %s",
		    why);
		free(why);
		return none;
	}
	if ((none = fold_usable(a->spec, &ra, &rf)) != NULL)
		return none;
	if (s->n == 0) {
		s->first_as = ra;
		s->first_fo = rf;
	}
	s->as[s->n] = ra.ms;
	s->fo[s->n] = rf.ms;
	s->ratio[s->n] = ra.ms / fmax(rf.ms, 1e-3);
	s->n++;
	return NULL;
}

/*
 * Alternated pairs, so that drift of the machine (a sync-bound stage moves
 * with the disk) hits both sides alike; the speed-up is the median of the
 * pairs' own ratios. NULL, or why there is no figure (caller frees).
 */
static char *
fold_pairs(struct agent *a, const struct dbagent_obs *o, const char *c_as, const char *c_fo,
    const char *out, struct fold_series *s, const char **stopped)
{
	int most = o->wall_ms > FOLD_LONG_MS ? FOLD_LONG_PAIRS : FOLD_MAX_PAIRS;
	uint64_t start = now_ns();
	char *none = NULL;
	double pair_ms = 0;

	*stopped = most == FOLD_LONG_PAIRS ? "the most it makes for a stage over 2 s" :
	    "the most it makes";
	while (s->n < most && none == NULL) {
		struct stats st;
		uint64_t t0;

		if (s->n > 0 && !agent_fits(a, pair_ms)) {
			agent_cut(a, "%d pair%s of runs with the commits folded", s->n,
			    s->n == 1 ? "" : "s");
			if (s->n < FOLD_LONG_PAIRS)
				none = xasprintf("the budget left time for %d pair%s of runs only",
				    s->n, s->n == 1 ? "" : "s");
			*stopped = "the budget left no time for another";
			break;
		}
		agent_progress(a, 30, "running %s as it is and with its commits folded into "
		    "one (pair %d)", a->spec->stages[o->stage].name, s->n + 1);
		t0 = now_ns();
		none = fold_pair(a, o->stage, c_as, c_fo, out, s);
		pair_ms = fmax(pair_ms, now_ms_since(t0));
		if (none != NULL || (s->n < FOLD_MIN_PAIRS && s->n < most))
			continue;
		stats_compute(s->ratio, s->n, &st);
		if (stats_settled(&st, FOLD_PRECISION, 0)) {
			*stopped = s->n == FOLD_MIN_PAIRS ? "the least it makes, the CI of the "
			    "speed-up then within +-10%" : "the CI of the speed-up within +-10%";
			break;
		}
		if (now_ms_since(start) > FOLD_BUDGET_MS) {
			*stopped = "the 20 s they may take were spent";
			break;
		}
	}
	return none;
}

/* Why the stage cannot be run with its commits folded, before any run; NULL when it can. */
static char *
fold_cannot(const struct spec *sp, const struct dbagent_obs *o, const char *shim)
{
	if (sp->stages[o->stage].run == NULL || shim == NULL)
		return xasprintf("perfd has no way to run %s with its commits folded",
		    sp->stages[o->stage].run == NULL ? "a fetch stage" :
		    dbagent_driver(sp)->name);
	if (access(shim, R_OK) != 0)
		return xasprintf("perfd's preload library %s is not installed", shim);
	if (o->bulk)
		return xasprintf("the stage already commits once or a few times (%s): there "
		    "is nothing to fold", o->pattern);
	return NULL;
}

void
dbfold_measure(struct agent *a, const struct dbagent_obs *o, struct dbfold *f)
{
	const struct spec *sp = a->spec;
	const char *name = dbagent_driver(sp)->shim;
	char *shim = name != NULL ? paths_helper(name) : NULL, *out, *c_as, *c_fo;
	const char *stopped = NULL;
	struct fold_series *s;

	memset(f, 0, sizeof *f);
	if ((f->none = fold_cannot(sp, o, shim)) != NULL) {
		free(shim);
		return;
	}
	out = agent_path(a, FOLD_COUNTS);
	c_as = fold_command(shim, "count", out, sp->stages[o->stage].run);
	c_fo = fold_command(shim, "tx", out, sp->stages[o->stage].run);
	s = xcalloc(1, sizeof *s);
	f->none = fold_pairs(a, o, c_as, c_fo, out, s, &stopped);
	if (f->none == NULL && s->n > 0) {
		fold_keep(f, s);
		f->stopped = xstrdup(stopped);
	}
	free(s);
	free(shim);
	free(out);
	free(c_as);
	free(c_fo);
}

int
dbfold_commits(struct agent *a, int stage, const char *cmd, double *commits, char **why)
{
	const char *name = a->spec->has_database ? dbagent_driver(a->spec)->shim : NULL;
	char *shim = name != NULL ? paths_helper(name) : NULL, *out, *counted;
	struct fold_run r = { 0 };
	int rc = -1;

	/* No database section: perfd does not know the client's library. */
	if (shim == NULL || access(shim, R_OK) != 0) {
		*why = xstrdup("perfd's preload library is not there for this database");
		free(shim);
		return -1;
	}
	out = agent_path(a, FOLD_COUNTS);
	counted = fold_command(shim, "count", out, cmd);
	if (fold_one(a, stage, counted, out, &r, why) == 0) {
		if (r.writes > 0) {
			*commits = r.commits;
			rc = 0;
		} else
			*why = xstrdup("no write passed through the system's libsqlite3");
	}
	free(shim);
	free(out);
	free(counted);
	return rc;
}

void
dbfold_free(struct dbfold *f)
{
	free(f->none);
	f->none = NULL;
	free(f->stopped);
	f->stopped = NULL;
}
