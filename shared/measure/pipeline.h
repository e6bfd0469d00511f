/* pipeline.h - run a spec's stages, setup and teardown: the one way every agent does it. */
#ifndef PERFD_PIPELINE_H
#define PERFD_PIPELINE_H

#include "fetch.h"
#include "run.h"
#include "spec.h"

struct stage_result {
	int			 ok;
	struct run_result	 run;	/* run stages (and fetch: wall, cpu) */
	struct fetch_result	 fetch;	/* fetch stages */
	double			 wall_ms;
	double			 cpu_util;	/* (user + sys) / wall */
	char			*failure;	/* what went wrong, with stderr tail */
};

/*
 * Run stage i once. Its stdout and stderr go to logdir/NAME.stdout and
 * NAME.stderr (replaced each time). cmd_override, when not NULL, runs
 * instead of the stage's own command (batch sweeps).
 */
void pipeline_stage(const struct spec *, int i, const char *logdir,
    const char *cmd_override, struct stage_result *);
void pipeline_result_free(struct stage_result *);

/* Run a hook command (setup, teardown), untimed; 0 or -1 with *failure. */
int pipeline_hook(const struct spec *, const char *what, const char *cmd,
    const char *logdir, char **failure);

/*
 * Bring the pipeline to the point just before stage `upto`: setup, then
 * the stages before it, untimed. 0, or -1 with *failure.
 */
int pipeline_prepare(const struct spec *, int upto, const char *logdir,
    char **failure);

/*
 * One measurement of stage i as a run makes it: setup and the stages
 * before it (untimed), the stage (cmd_override instead of its command when
 * not NULL), then teardown. around(arg, 0) and around(arg, 1) are called
 * just before and after the timed stage (may be NULL). The caller holds
 * the measurement lock. 0 with *res filled (res->ok may be 0), or -1 with
 * *failure when the pipeline before the stage failed.
 *
 * A stage with a prepare is cheaper to measure again: the first
 * measurement runs setup and the stages before it and leaves the teardown
 * owed; the next ones of the same stage run only its prepare, in this hold
 * of the lock or a later one (pipeline_handover_give()); pipeline_settle()
 * runs the teardown. Whoever releases the lock gives or settles first
 * (agent_unlock() does).
 */
int pipeline_measure(const struct spec *, int i, const char *cmd_override,
    const char *logdir, void (*around)(void *, int), void *arg,
    struct stage_result *res, char **failure);

/* Run the teardown a primed pipeline owes, if any; then nothing is primed. */
void pipeline_settle(void);

/*
 * Handing what the pipeline has made from one hold of the measurement
 * lock to the next, through the file at path (beside the lock): the
 * holder that releases it gives (for a spec without a teardown: the
 * investigation's key and how many leading stages ran as a run makes
 * them since the last setup; else it settles); the next one takes, and
 * the file is gone before it runs anything. A holder from another
 * investigation takes nothing and leaves nothing; a holder that dies
 * leaves nothing. What the prefix started may be stopped in between
 * (agent_unlock() stops what the pipeline left running): when a stage
 * fails after an inherited prepare, it runs again after the whole prefix,
 * and this process takes no handover after that.
 */
void pipeline_handover_take(const struct spec *, const char *path, const char *key);
void pipeline_handover_give(const char *path, const char *key);

/*
 * What this process ran through the pipeline: for its measurements, how
 * often setup and the stages before the timed one ran, and a prepare
 * instead; and the wall time of stages run to be timed, of what ran only
 * to reach them (setup, teardown, the stages before), and of prepares.
 */
struct pipeline_counts {
	long	 prefixes;
	long	 prepares;
	double	 timed_ms, untimed_ms, prepare_ms;
};
void pipeline_get_counts(struct pipeline_counts *);
/* Count ms of a stage timed another way (a fetch stage's parallel transfers). */
void pipeline_add_timed(double ms);

/* The command with every {batch} replaced by size (caller frees). */
char *pipeline_batch_command(const char *cmd, long long size);

#endif
