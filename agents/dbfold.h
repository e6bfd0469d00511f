/* dbfold.h - the database stage run on the user's pipeline with its commits folded into one. */
#ifndef PERFD_DBFOLD_H
#define PERFD_DBFOLD_H

/*
 * The client's own stage, run through the pipeline as it is and with its
 * commits folded into one transaction per connection (the driver's preload
 * library), in alternated pairs: a figure of kind pipeline for "commit
 * once", which needs no probe and no bound. All doubles, so that the
 * observation file carries them as numbers.
 */
struct dbfold {
	double	 pairs;			/* 0: no figure, and none says why */
	double	 as_is_ms, folded_ms;	/* the medians of each side */
	double	 speedup, lo, hi;	/* the median of the pairs' ratios, its 95% CI */
	double	 commits, folded_commits;	/* a run's commits, as the library counted */
	double	 writes;		/* a run's write statements */
	double	 rows;			/* each run of either side wrote these */
	char	*none;			/* why there is no figure, or NULL */
	char	*stopped;		/* why the pairs stopped where they did */
};

struct agent;
struct dbagent_obs;

/* Measure it for the observed stage; the caller holds the lock. */
void dbfold_measure(struct agent *, const struct dbagent_obs *, struct dbfold *);
/*
 * One run of cmd as stage `stage` through the pipeline, with the library
 * counting (it changes nothing): the commits its processes made. 0, or -1
 * with *why (no database section, no library for the driver, the run failed, or no write
 * passed through it: a client with its database built in). The caller
 * holds the lock.
 */
int dbfold_commits(struct agent *, int stage, const char *cmd, double *commits, char **why);
void dbfold_free(struct dbfold *);

#endif
