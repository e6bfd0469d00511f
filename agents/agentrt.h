/* agentrt.h - the runtime every agent process uses: arguments, progress, lock. */
#ifndef PERFD_AGENTRT_H
#define PERFD_AGENTRT_H

#include "findings.h"
#include "investigation.h"
#include "spec.h"

#include <stdint.h>

struct agent {
	const char	*name;
	/*
	 * The spec the agent measures: with a matrix, its first cell (every
	 * {name} replaced), and matrix_spec the spec as written, which the
	 * profiling agent measures cell by cell; else matrix_spec is NULL.
	 */
	struct spec	*spec;
	struct spec	*matrix_spec;
	char		*spec_path;	/* the investigation's spec.json */
	char		*dir;		/* this agent's own folder */
	char		*inv_dir;	/* the investigation folder */
	char		*lock_path;
	char		*handover_path;	/* lock_path.primed: pipeline_handover_give() */
	int		 progress_fd;	/* -1: progress goes to stderr */
	int		 lock_fd;
	int		 lock_depth;	/* nested holds: released at the outermost */
	uint64_t	 started_ns;	/* agent_init() */
	uint64_t	 held_since_ns;	/* the outermost hold's start */
	double		 wait_ms, held_ms;	/* for the lock, and in it, so far */
	char		**cuts;		/* what the budget cut short (agent_cut()) */
	int		 ncuts;
};

/*
 * Parse "NAME --spec FILE --out DIR [--progress-fd N]", read the spec,
 * install the SIGTERM handler. Returns 0, or -1 after printing why.
 */
int agent_init(struct agent *, int argc, char **argv);
void agent_done(struct agent *);

/* Progress messages: one JSON line each on the progress pipe. */
void agent_progress(struct agent *, int percent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void agent_log(struct agent *, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void agent_finding(struct agent *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Hold the measurement lock around every timed section. Holds nest: a
 * helper that locks inside a caller's hold does not release the caller's.
 */
void agent_lock(struct agent *);
void agent_unlock(struct agent *);

/* A path inside this agent's folder (caller frees). */
char *agent_path(const struct agent *, const char *name);

/*
 * The spec's budget, from the agents' start (the investigation's): the
 * measuring agents stop starting measurements at AGENT_BUDGET_SHARE of it,
 * and integration keeps the rest to settle ties and write the reports.
 */
#define AGENT_BUDGET_SHARE	0.85
/* Ms this agent has held the measurement lock so far, the hold it is in included. */
double agent_held_ms(const struct agent *);
/*
 * Where this agent's time has gone so far: its wall, the lock's waiting and
 * holding, and what this process ran through the pipeline.
 */
void agent_time(const struct agent *, struct findings_time *);
/*
 * This agent's part of pool ms in the lock: the pool less what the agents
 * that are done held, shared by part among those still measuring
 * (profiling two parts, each other agent that measures for the spec one).
 * An agent that needed less than its part (client-library when the
 * observation already measured its fold) so leaves the rest to the others.
 */
double agent_lock_allowance(const struct agent *, double pool);
/* Ms left before this agent's deadline (INFINITY without a budget). */
double agent_time_left(const struct agent *);
/* Whether a measurement expected to take est_ms still fits (always, without a budget). */
int agent_fits(const struct agent *, double est_ms);
/*
 * The same, and when it does not fit yet, wait — the lock not held — for
 * the other measuring agents to be done, since what they leave of their
 * parts comes to this one: while the budget's wall clock still leaves
 * est_ms. For a measurement an agent can make last (profiling's parallel
 * transfers); two agents waiting on each other would wait out the clock.
 */
int agent_fits_later(const struct agent *, double est_ms);
/*
 * Say what the budget cut short ("profiling: 8 counted runs where auto
 * allows 30"): published as a warning "budget: ..." that the master
 * report lists.
 */
void agent_cut(struct agent *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Write the report (markdown, may be NULL) and findings.json, both
 * atomically, the report first so findings never name a missing report.
 */
int agent_publish(struct agent *, struct findings *, const char *report_name,
    const char *report_text);


#endif
