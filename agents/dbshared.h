/* dbshared.h - what the two database agents share: the target stage, bad input. */
#ifndef PERFD_DBSHARED_H
#define PERFD_DBSHARED_H

#include "agentrt.h"
#include "dbdriver.h"
#include "stats.h"

/* The driver for the spec's database kind (the spec parser checked it). */
const struct db_driver *db_drv(const struct spec *);

/*
 * Rows a stage wrote, from the table's row count (read-only) before and
 * after it: a pipeline_measure() callback. rows keeps the first count.
 */
struct row_count {
	const struct spec	*spec;
	long long		 before;
	double			 rows;
};
void db_count_rows(void *arg, int after);

/*
 * Every read of the user's database holds the measurement lock: the
 * pipeline runs under it and writes there, and a reader's shared lock at
 * the wrong moment makes the pipeline's own commit fail ("database is
 * locked"). The read-only check, under the lock; 0 or -1 with *cause.
 */
int db_check(struct agent *, char **cause);

/* The stage that writes to the database: client.stage, else batch.stage, or -1. */
int db_stage(const struct spec *);

/*
 * Publish a findings with every stage abstaining for `why`, status
 * `status` (failed for bad input, skipped when not applicable); the
 * process exit status.
 */
int db_abstain(struct agent *, const char *status, const char *report_name,
    const char *title, const char *why);

/*
 * Rows/s of `rows` prepared inserts committed every `cadence` rows on a
 * fresh scratch copy with `settings` applied first (NULL-terminated
 * "name=value" strings); reps counted runs after one warm-up, each under
 * the lock. 0 with *st, or -1 with *cause.
 */
int db_measure(struct agent *, const char *const *settings, int rows, int cadence,
    int prepared, int reps, struct stats *st, char **cause);

/*
 * The same for two setting lists in alternation (base, cand, base, cand,
 * ...), so drift of the machine hits both alike: rows/s of each, and the
 * per-pair ratio cand/base. 0, or -1 with *cause.
 */
int db_measure_pair(struct agent *, const char *const *base, const char *const *cand,
    int rows, int cadence, int reps, struct stats *sb, struct stats *sc,
    struct stats *ratio, char **cause);

#endif
