/* dbagent.h - what the database agents share: the capture, the observed stage, the bound, the probe runs. */
#ifndef PERFD_DBAGENT_H
#define PERFD_DBAGENT_H

#include "agentrt.h"
#include "dbdriver.h"
#include "dbfold.h"
#include "stats.h"

/* The driver for the spec's database kind (the spec parser checked it). */
const struct db_driver *dbagent_driver(const struct spec *);

/*
 * Rows a stage wrote, from the table's row count (read-only) before and
 * after it: a pipeline_measure() callback. A database or table that does
 * not exist yet counts as empty (the stage may create it).
 */
struct dbagent_rows {
	const struct spec	*spec;
	long long		 before;
	double			 rows;
};
void dbagent_count_rows(void *arg, int after);

/* The stage that writes to the database: client.stage, else batch.stage, or -1. */
int dbagent_stage(const struct spec *);

/*
 * The user's database as the pipeline leaves it, captured into the agent's
 * folder under the measurement lock (every read of the user's database
 * holds the lock: a reader's shared lock at the wrong moment makes the
 * pipeline's own commit fail). When the database or its table does not
 * exist — a setup that (re)creates it, a teardown that deletes it — the
 * pipeline runs once, to the database stage, and the capture is taken
 * right after that stage and before the teardown, in the same lock hold.
 * 0, or -1 with *cause ("the pipeline ran once and did not create ...").
 */
int dbagent_capture(struct agent *, struct db_capture *, char **cause);

/* At most this many no-sync rounds (see observe_nosync() in dbagent.c). */
#define DBAGENT_PAIRS_MAX	25

/*
 * One observation of the database stage as the pipeline runs it, shared by
 * the database agents of an investigation (the first to hold the lock makes
 * it, the others read it): its wall and CPU time, the rows it wrote, and
 * from strace what a read-only observer can count — syncs and the time in
 * them, write and socket calls — and so the commit cadence and the client.
 */
struct dbagent_obs {
	int		 stage;
	int		 runs;		/* timed runs; wall and CPU are medians */
	double		 wall_ms, user_ms, sys_ms;
	double		 rows;
	char		*rows_from;
	char		*untraced;	/* why there are no system-call counts, or NULL */
	char		*nosync_stopped;	/* why the no-sync rounds stopped where they did */
	long		 syncs, writes, net;
	double		 sync_ms;	/* wall time in fsync/fdatasync */
	double		 nosync_ms;	/* the stage under eatmydata; 0 when not run */
	double		 own_nosync_ms;	/* the stage without syncs less the probe's
					   time for its pattern, least of each side */
	double		 own_nosync_lo, own_nosync_hi;	/* the CI of the rounds' own
							   figures' median, and it */
	double		 nosync_pairs;	/* how many pairs it took */
	/*
	 * Each round's own run of the stage as the pipeline runs it (a
	 * speed-up is taken round by round: see dbagent_split), and the
	 * round's own-work figure alone, with the two sides it is the
	 * difference of: the stage without syncs less the wrapper, and the
	 * probe's no-sync time scaled to the stage's rows (kept to read, not
	 * used: they show which side moved when a figure is off).
	 */
	double		 pair_stage_ms[DBAGENT_PAIRS_MAX], pair_own_ms[DBAGENT_PAIRS_MAX];
	double		 pair_nosync_ms[DBAGENT_PAIRS_MAX], pair_probe_ms[DBAGENT_PAIRS_MAX];
	double		 capture_rows;	/* in the table the probe's copies start from */
	char		*observer;	/* the agent that observed */
	double		 syncs_per_commit;
	/*
	 * The server's counts over one run of the stage (their difference;
	 * server.commits 0: none), where the kind keeps them.
	 */
	struct db_activity server;
	double		 commits;	/* 0 when unknown */
	double		 cadence;	/* rows per commit, 0 when unknown */
	int		 bulk;		/* one or a few commits */
	char		*pattern;	/* in words */
	char		*evidence;	/* the sentence that says why */
	const struct db_client *client;
	struct dbfold	 fold;		/* the stage with its commits folded into one */
	char		*failure;	/* the observation could not be made */
};

/*
 * Whether db-config measures settings on the stage itself
 * (dbfold_settings) instead of on its probe: perfd's preload library sees
 * the client (its commits could be folded), and the stage is short enough
 * to run a few pairs of times per candidate setting.
 */
#define DBAGENT_ON_STAGE_MAX_MS	5000.0
int dbagent_settings_on_stage(const struct dbagent_obs *);

/*
 * Whether the stage's client sends its rows with COPY, so that a probe
 * playing its pattern uses the kind's COPY too: its words say so (a
 * client whose writes are "copy"), or the server's statement statistics
 * counted COPY for most of the stage's rows; and the kind has one.
 */
int dbagent_writes_copy(const struct spec *, const struct dbagent_obs *);

/*
 * Observe (or read the investigation's observation); when this agent makes
 * it, it captures the database into *cap in the same run and sets
 * *captured (else *cap is untouched: see dbagent_capture()). 0, or -1 with
 * *cause.
 */
int dbagent_observe(struct agent *, struct db_capture *cap, int *captured,
    struct dbagent_obs *, char **cause);
void dbagent_obs_free(struct dbagent_obs *);

/*
 * Run stage (cmd instead of its command) once under strace -f -c -w, setup
 * and the stages before it untimed: syncs and the wall time in them, write
 * and socket calls. The caller holds the lock. 0, or -1 with *why.
 */
struct dbagent_trace {
	long	 syncs, writes, net;
	double	 sync_ms;
};
int dbagent_trace(struct agent *, int stage, const char *cmd, struct dbagent_trace *, char **why);

/*
 * A probe figure bounded by the stage it applies to (Amdahl inside the
 * stage): the observed stage is split into the client's own work, which no
 * database change shortens, and the database's part, the rest. A change is
 * predicted to speed the database's part up by the probe's gain (its rate
 * for the new pattern against the observed one's). The client's own work is, in order of preference:
 *  - the stage run with its syncs turned off (eatmydata) less the probe's
 *    time for the same pattern without syncs, in rounds that also time the
 *    stage as it is: with the syncs gone, the database's part is small and
 *    the difference is mostly the client's work. The speed-up is then the
 *    median of each round's own (its stage time over its own work plus its
 *    database part after the change) and its range the CI of that median:
 *    a ratio of figures taken seconds apart, so that a machine whose disk
 *    or CPU drifts between the observation and the rounds (syncs 10 times
 *    slower for a second, seen here) moves both sides of a round alike;
 *  - the stage less the probe's time for the observed pattern, trusted only
 *    when it is not a sliver of the stage (two estimates of nearly the whole
 *    stage differ by more than the client's own work), and it counts as the
 *    client's whatever the client's commits cost beyond the probe's;
 *  - the stage's whole user CPU time, an upper bound.
 */
enum dbagent_own {
	DBAGENT_OWN_PROBE, DBAGENT_OWN_NOSYNC, DBAGENT_OWN_CPU
};

struct dbagent_split {
	double		 stage_ms, db_ms, own_ms;
	double		 own_lo, own_hi;	/* the range of the own-work estimate */
	int		 pairs;			/* no-sync pairs behind it */
	const char	*stopped;		/* why they stopped there (the observation's) */
	double		 pair_stage_ms[DBAGENT_PAIRS_MAX];	/* each round's run of the stage */
	double		 observed_ms;	/* the stage in the observation, before the rounds */
	double		 rows;
	double		 now_rate;	/* the probe's, for the observed pattern */
	enum dbagent_own	 own_from;
	int		 own_unresolved;	/* zero in its range: the upper end taken */
};
void dbagent_split(const struct dbagent_obs *, double now_rows_s, struct dbagent_split *);
/*
 * The range of the stage's speed-up: the probe's rate range for the new
 * pattern with the own work's range (most own work with the lowest rate).
 */
void dbagent_split_range(const struct dbagent_split *, double new_lo, double new_hi, double *lo,
    double *hi);
/* The stage's speed-up when the database's part runs at new_rows_s. */
double dbagent_split_speedup(const struct dbagent_split *, double new_rows_s);
/* The bound in words, for a recommendation and a report (caller frees). */
char *dbagent_split_text(const struct dbagent_split *, double new_rows_s);

/*
 * Publish a findings with every stage abstaining for `why`, status
 * `status` (failed for bad input, skipped when not applicable); the
 * process exit status.
 */
int dbagent_abstain(struct agent *, const char *status, const char *report_name,
    const char *title, const char *why);

/*
 * A probe load: `rows` synthetic inserts committed every `commit_every`
 * (0: each row on its own), prepared or as SQL text; or, with per_stmt,
 * multi-row statements of that many rows, prepared, in one transaction.
 */
struct dbagent_load {
	int	 rows;
	int	 commit_every;
	int	 prepared;
	int	 per_stmt;
	int	 how;		/* DBAGENT_INSERT, or a kind's own bulk path */
};
#define DBAGENT_INSERT		0
#define DBAGENT_COPY		1	/* driver->insert_copy */
#define DBAGENT_PIPELINE	2	/* driver->insert_pipeline */

/*
 * Rows/s of a load on a fresh scratch copy of the capture with `settings`
 * applied first (NULL-terminated "name=value" strings); reps counted runs
 * after one warm-up, each under the lock. 0 with *st, or -1 with *cause.
 */
int dbagent_measure(struct agent *, const struct db_capture *, const char *const *settings,
    const struct dbagent_load *, int reps, struct stats *st, char **cause);

/*
 * The same for two setting lists in alternation (base, cand, base, cand,
 * ...), so drift of the machine hits both alike: rows/s of each, and the
 * per-pair ratio cand/base. Up to reps pairs: from 3 on, they stop when
 * the ratio's CI is within +-5% of it. 0, or -1 with *cause.
 */
int dbagent_measure_pair(struct agent *, const struct db_capture *, const char *const *base,
    const char *const *cand, const struct dbagent_load *, int reps, struct stats *sb,
    struct stats *sc, struct stats *ratio, char **cause);

#endif
