/* dbfold.c - the database stage run on the user's pipeline changed by perfd's preload library. */
#include "dbfold.h"
#include "dbagent.h"
#include "file.h"
#include "paths.h"
#include "pipeline.h"
#include "stats.h"
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

/*
 * Settings pairs: screened in 3; one that gains there goes on until its
 * gain can be told from none with the 5% error shared among the
 * candidates (keep_lo: at least 6 pairs for one candidate, 8 for five —
 * below that the CI of a median is the whole range, and 3 ratios all
 * above 1 come by chance one time in 8: a setting with no effect was kept
 * that way), and up to 9 while the CI is wider than +-10%.
 */
#define SET_SCREEN		3
#define SET_MAX_PAIRS		9

/* One run of the stage: its time, the rows it wrote, what the library counted. */
struct fold_run {
	double	 ms, rows, writes, commits, set, overridden;
};

/* What a series of pairs compares, and when it stops. */
struct fold_plan {
	const char	*c_as, *c_new;	/* the stage's command, each side */
	int		 settings;	/* 1: settings at open, the changed side first in
					   the first pair (so an odd count ends as it is);
					   0: commits folded */
	int		 least, most;	/* pairs */
	int		 screen;	/* stop after this many when the gain is under 2% (0: never) */
	double		 alpha;		/* settings: the level keep_lo is taken at */
	const char	*doing;		/* for the progress line */
};

/*
 * The stage's command with the library preloaded in mode, and settings
 * ("name=value;...", or NULL) for the database db: assignments the shell
 * exports before the user's own lines, so every program the stage starts
 * carries them (a user's own LD_PRELOAD is kept, after it).
 */
static char *
fold_command(const char *shim, const char *mode, const char *out, const char *settings,
    const char *db, const char *run)
{
	char *qs = run_quote(shim), *qo = run_quote(out), *cmd, *set = NULL;

	if (settings != NULL) {
		char *qp = run_quote(settings), *qd = run_quote(db);

		set = xasprintf("PERFD_SQLSHIM_PRAGMAS=%s PERFD_SQLSHIM_DB=%s\nexport "
		    "PERFD_SQLSHIM_PRAGMAS PERFD_SQLSHIM_DB\n", qp, qd);
		free(qp);
		free(qd);
	}
	cmd = xasprintf("LD_PRELOAD=%s${LD_PRELOAD:+:$LD_PRELOAD} PERFD_SQLSHIM=%s "
	    "PERFD_SQLSHIM_OUT=%s\nexport LD_PRELOAD PERFD_SQLSHIM PERFD_SQLSHIM_OUT\n%s%s",
	    qs, mode, qo, set != NULL ? set : "", run);
	free(set);
	free(qs);
	free(qo);
	return cmd;
}

/* Sum the lines the stage's processes appended ("writes W commits C folded F set S overridden O"). */
static void
fold_counts(const char *path, struct fold_run *r)
{
	char *why = NULL, *text = file_read(path, 1 << 20, NULL, &why), *line, *save = NULL;

	free(why);	/* no file: no process of the stage used SQLite */
	r->writes = r->commits = r->set = r->overridden = 0;
	for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		long w, c, f, st = 0, o = 0;

		if (sscanf(line, "writes %ld commits %ld folded %ld set %ld overridden %ld", &w,
		    &c, &f, &st, &o) >= 3) {
			r->writes += (double)w;
			r->commits += (double)c;
			r->set += (double)st;
			r->overridden += (double)o;
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

/* Whether the first pair can stand for the change; NULL, or why not (caller frees). */
static char *
fold_usable(const struct spec *sp, const struct fold_plan *p, const struct fold_run *as,
    const struct fold_run *fo)
{
	if (p->settings && fo->set == 0)
		return xasprintf("the settings could not be applied to %s on any connection "
		    "the stage opened", sp->db_path);
	if (p->settings && as->writes == 0 && fo->writes == 0)
		return xasprintf("no write of %s's passed through the system's libsqlite3 (a "
		    "client with SQLite built into it?): perfd cannot run it with other "
		    "settings", sp->client_stage != NULL ? sp->client_stage : "the stage");
	if (p->settings)
		goto rows;
	if (as->writes == 0)
		return xasprintf("no write of %s's passed through the system's libsqlite3 (a "
		    "client with SQLite built into it?): perfd cannot run it with one "
		    "transaction", sp->client_stage != NULL ? sp->client_stage : "the stage");
	if (as->commits <= 2)
		return xasprintf("the stage commits %.0f time%s a run: there is nothing to fold",
		    as->commits, as->commits == 1 ? "" : "s");
rows:
	if (fabs(fo->rows - as->rows) > 0.5)
		return xasprintf("%s the stage wrote %.0f rows instead of %.0f, so the run is "
		    "not the same work", p->settings ? "with the settings" : "with its commits "
		    "folded", fo->rows, as->rows);
	return NULL;
}

/* The alternated pairs of runs: each side's time and their ratio, the first pair's counts. */
struct fold_series {
	double		 as[FOLD_MAX_PAIRS], fo[FOLD_MAX_PAIRS], ratio[FOLD_MAX_PAIRS];
	int		 n;
	int		 last_new;	/* the last run was the changed side */
	struct fold_run	 first_as, first_fo;
	double		 overridden;	/* the client's own settings skipped, most in a run */
};

/* The series' figures into *f. */
static void
fold_keep(struct dbfold *f, const struct fold_series *s, double alpha)
{
	struct stats st;

	f->pairs = s->n;
	stats_compute(s->as, s->n, &st);
	f->as_is_ms = st.median;
	stats_compute(s->fo, s->n, &st);
	f->changed_ms = st.median;
	stats_compute(s->ratio, s->n, &st);
	f->speedup = st.median;
	f->lo = st.ci_lo;
	f->hi = st.ci_hi;
	f->commits = s->first_as.commits;
	f->folded_commits = s->first_fo.commits;
	f->writes = s->first_as.writes;
	f->rows = s->first_as.rows;
	f->overridden = s->overridden;
	f->keep_lo = alpha > 0 ? stats_median_lower(s->ratio, s->n, alpha) : f->lo;
}

/* One pair, the order swapped on odd pairs: NULL, or why it stands for nothing (caller frees). */
static char *
fold_pair(struct agent *a, int stage, const struct fold_plan *p, const char *out,
    struct fold_series *s)
{
	struct fold_run ra, rf;
	char *why = NULL, *none;
	int swap = (s->n + p->settings) % 2;

	s->last_new = 1;	/* a failure may come after the changed side ran */
	if (fold_one(a, stage, swap ? p->c_new : p->c_as, out, swap ? &rf : &ra, &why) != 0 ||
	    fold_one(a, stage, swap ? p->c_as : p->c_new, out, swap ? &ra : &rf, &why) != 0) {
		none = xasprintf("a run of the stage under perfd's preload library failed: %s",
		    why);
		free(why);
		return none;
	}
	s->last_new = !swap;
	if ((none = fold_usable(a->spec, p, &ra, &rf)) != NULL)
		return none;
	s->overridden = fmax(s->overridden, rf.overridden);
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
 * A long stage's figure is fair in a few pairs, but never fewer than a
 * settings series needs before its gain can be told from none (need):
 * capped at 3 there, a x2.8 setting on a 2.1 s stage was never kept.
 */
int
dbfold_most_pairs(int need, int most, double wall_ms)
{
	if (wall_ms <= FOLD_LONG_MS)
		return most;
	return need > FOLD_LONG_PAIRS ? need : FOLD_LONG_PAIRS;
}

/*
 * Whether a settings series can no longer be kept however its remaining
 * pairs come out: keeping needs fewer ratios at or below 1 than the rank
 * of keep_lo at the most pairs it makes (with five candidates, that is
 * none of 9), and it has that many already. A setting with no effect that
 * passed the screen by chance stops at its first pair that gained
 * nothing, instead of running to 9.
 */
static int
fold_futile(const struct fold_plan *p, const struct fold_series *s, int most)
{
	int below = 0;

	if (p->alpha <= 0)
		return 0;
	for (int i = 0; i < s->n; i++)
		below += s->ratio[i] <= 1.0;
	return below >= stats_median_lower_rank(most, p->alpha);
}

/*
 * Alternated pairs, so that drift of the machine (a sync-bound stage moves
 * with the disk) hits both sides alike; the speed-up is the median of the
 * pairs' own ratios. NULL, or why there is no figure (caller frees).
 */
static char *
fold_pairs(struct agent *a, const struct dbagent_obs *o, const struct fold_plan *p,
    const char *out, struct fold_series *s, const char **stopped)
{
	int need = p->alpha > 0 ? p->least : 0;	/* the pairs a kept setting needs */
	int most = dbfold_most_pairs(need, p->most, o->wall_ms);
	int fewest = dbfold_most_pairs(need, p->most, INFINITY);
	uint64_t start = now_ns();
	char *none = NULL;
	double pair_ms = 0;

	*stopped = most < p->most ? "the most it makes for a stage over 2 s" :
	    "the most it makes";
	while (s->n < most && none == NULL) {
		struct stats st;
		uint64_t t0;

		if (s->n > 0 && !agent_fits(a, pair_ms)) {
			agent_cut(a, "%d pair%s of runs %s", s->n, s->n == 1 ? "" : "s",
			    p->doing);
			if (s->n < fewest)
				none = xasprintf("the budget left time for %d pair%s of runs only, "
				    "fewer than the %d a figure needs", s->n, s->n == 1 ? "" : "s",
				    fewest);
			*stopped = "the budget left no time for another";
			break;
		}
		agent_progress(a, 30, "running %s as it is and %s (pair %d)",
		    a->spec->stages[o->stage].name, p->doing, s->n + 1);
		t0 = now_ns();
		none = fold_pair(a, o->stage, p, out, s);
		pair_ms = fmax(pair_ms, now_ms_since(t0));
		if (none != NULL)
			continue;
		stats_compute(s->ratio, s->n, &st);
		if (s->n == p->screen && st.median < 1.02) {
			*stopped = "no gain in the screening pairs";
			break;
		}
		if (fold_futile(p, s, most)) {
			*stopped = "no longer able to clear no gain at the stricter CI";
			break;
		}
		if (s->n < p->least && s->n < most)
			continue;
		if (stats_settled(&st, FOLD_PRECISION, 0)) {
			*stopped = s->n == p->least ? "the least it makes, the CI of the "
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

/*
 * The pairs of plan p into *f (its figures, or why there are none). A
 * settings series whose last run had the changed settings runs the stage
 * once more as it is: a setting kept in the database file (journal_mode)
 * is then as the pipeline leaves it, for the agents that run after and
 * for the user.
 */
static void
fold_plan_run(struct agent *a, const struct dbagent_obs *o, const struct fold_plan *p,
    const char *out, struct dbfold *f)
{
	struct fold_series *s = xcalloc(1, sizeof *s);
	const char *stopped = NULL;

	f->none = fold_pairs(a, o, p, out, s, &stopped);
	if (f->none == NULL && s->n > 0) {
		fold_keep(f, s, p->alpha);
		f->stopped = xstrdup(stopped);
	}
	if (p->settings && s->last_new) {
		struct fold_run r;
		char *why = NULL;

		if (fold_one(a, o->stage, p->c_as, out, &r, &why) != 0) {
			agent_log(a, "warn", "the run that puts the database back as the "
			    "pipeline makes it failed: %s", why);
			free(why);
		}
	}
	free(s);
}

/* Why the stage cannot be run changed (settings: 1), before any run; NULL when it can. */
static char *
fold_cannot(const struct spec *sp, const struct dbagent_obs *o, const char *shim, int settings)
{
	if (sp->stages[o->stage].run == NULL || shim == NULL)
		return xasprintf("perfd has no way to run %s %s",
		    sp->stages[o->stage].run == NULL ? "a fetch stage" :
		    dbagent_driver(sp)->name, settings ? "with other settings" :
		    "with its commits folded");
	if (access(shim, R_OK) != 0)
		return xasprintf("perfd's preload library %s is not installed", shim);
	if (!settings && o->bulk)
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

	memset(f, 0, sizeof *f);
	if ((f->none = fold_cannot(sp, o, shim, 0)) != NULL) {
		free(shim);
		return;
	}
	out = agent_path(a, FOLD_COUNTS);
	c_as = fold_command(shim, "count", out, NULL, NULL, sp->stages[o->stage].run);
	c_fo = fold_command(shim, "tx", out, NULL, NULL, sp->stages[o->stage].run);
	fold_plan_run(a, o, &(struct fold_plan){ .c_as = c_as, .c_new = c_fo, .least =
	    FOLD_MIN_PAIRS, .most = FOLD_MAX_PAIRS, .doing = "with its commits folded into one" },
	    out, f);
	free(shim);
	free(out);
	free(c_as);
	free(c_fo);
}

/* The settings "name=value" as the library takes them ("a=1;b=2"), or NULL for none. */
static char *
fold_settings_text(const char *const *l)
{
	struct buf b = { 0 };

	for (int i = 0; l != NULL && l[i] != NULL; i++)
		buf_printf(&b, "%s%s", i > 0 ? ";" : "", l[i]);
	return b.p;
}

void
dbfold_settings(struct agent *a, const struct dbagent_obs *o, const char *const *now,
    const char *const *set, int family, struct dbfold *f)
{
	const struct spec *sp = a->spec;
	const char *name = dbagent_driver(sp)->shim;
	char *shim = name != NULL ? paths_helper(name) : NULL, *out, *c_as, *c_new;
	char *t_now = fold_settings_text(now), *t_set = fold_settings_text(set);
	struct fold_plan p = { .settings = 1, .screen = SET_SCREEN, .doing = "with other "
	    "settings", .alpha = 0.05 / (family > 0 ? family : 1) };

	p.least = stats_median_lower_n(p.alpha);
	p.most = p.least > SET_MAX_PAIRS ? p.least : SET_MAX_PAIRS;
	memset(f, 0, sizeof *f);
	if ((f->none = fold_cannot(sp, o, shim, 1)) != NULL)
		goto done;
	out = agent_path(a, FOLD_COUNTS);
	p.c_as = c_as = fold_command(shim, "count", out, t_now, sp->db_path,
	    sp->stages[o->stage].run);
	p.c_new = c_new = fold_command(shim, "count", out, t_set, sp->db_path,
	    sp->stages[o->stage].run);
	fold_plan_run(a, o, &p, out, f);
	free(out);
	free(c_as);
	free(c_new);
done:
	free(t_now);
	free(t_set);
	free(shim);
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
	counted = fold_command(shim, "count", out, NULL, NULL, cmd);
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
