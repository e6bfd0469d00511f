/* dbfold.h - the database stage run on the user's pipeline changed by perfd's preload library. */
#ifndef PERFD_DBFOLD_H
#define PERFD_DBFOLD_H

/*
 * The client's own stage, run through the pipeline as it is and changed by
 * the driver's preload library — its commits folded into one transaction
 * per connection, or settings applied on each connection to the database —
 * in alternated pairs: a figure of kind pipeline for the change, which
 * needs no probe and no bound. All doubles, so that the observation file
 * carries them as numbers.
 */
struct dbfold {
	double	 pairs;			/* 0: no figure, and none says why */
	double	 as_is_ms, changed_ms;	/* the medians of each side */
	double	 speedup, lo, hi;	/* the median of the pairs' ratios, its 95% CI */
	double	 commits, folded_commits;	/* a run's commits, as the library counted */
	double	 writes;		/* a run's write statements */
	double	 rows;			/* each run of either side wrote these */
	double	 overridden;		/* settings: the client's own PRAGMAs of those
					   under test, skipped (most in a run) */
	double	 keep_lo;		/* settings: the gain's CI lower end with the
					   5% error shared among the candidates
					   (-inf: too few pairs); else lo */
	char	*none;			/* why there is no figure, or NULL */
	char	*stopped;		/* why the pairs stopped where they did */
};

struct agent;
struct dbagent_obs;

/* Measure it for the observed stage; the caller holds the lock. */
void dbfold_measure(struct agent *, const struct dbagent_obs *, struct dbfold *);
/*
 * The observed stage with settings `set` ("name=value", NULL-terminated)
 * against it with `now` (the current values of those kept in the database
 * file: a run before may have changed them), each applied on every
 * connection the stage opens to the database: screened in 3 pairs, and
 * when it gains there, on until keep_lo exists at 5% shared among
 * `family` candidates (Bonferroni), and up to 9. The caller holds the lock.
 */
void dbfold_settings(struct agent *, const struct dbagent_obs *, const char *const *now,
    const char *const *set, int family, struct dbfold *);
/*
 * One run of cmd as stage `stage` through the pipeline, with the library
 * counting (it changes nothing): the commits its processes made. 0, or -1
 * with *why (no database section, no library for the driver, the run failed, or no write
 * passed through it: a client with its database built in). The caller
 * holds the lock.
 */
int dbfold_commits(struct agent *, int stage, const char *cmd, double *commits, char **why);
/*
 * The most pairs a series makes on a stage of wall_ms: most, fewer on a
 * long stage, never below need (the pairs its verdict needs; 0: none).
 */
int dbfold_most_pairs(int need, int most, double wall_ms);
void dbfold_free(struct dbfold *);

#endif
