/* findings.h - the findings every agent writes (schema perfd.findings/1). */
#ifndef PERFD_FINDINGS_H
#define PERFD_FINDINGS_H

#include "investigation.h"

#include <cjson/cJSON.h>

#define FINDINGS_SCHEMA	"perfd.findings/1"

struct vote {
	char	*stage;
	char	*vote;		/* optimize, leave, abstain */
	char	*reason;
};

/*
 * What kind of evidence a figure is. Only PIPELINE says what the user gets:
 * the user's own commands re-run with the change. PROBE is perfd's own
 * synthetic workload (a figure about the user's stage only once bounded by
 * the part of the stage the change can touch); ESTIMATE is not measured.
 */
enum evidence {
	EVIDENCE_ESTIMATE, EVIDENCE_PROBE, EVIDENCE_PIPELINE
};

struct recommendation {
	char		*id;
	char		*title;
	char		*stage;
	double		 local_speedup;	/* on that stage; > 0 */
	double		 ci_lo, ci_hi;	/* 0 when unknown */
	enum evidence	 kind;
	char		*bound;		/* probe: how the figure was bounded, or NULL */
	char		*effort;	/* low, medium, high */
	char		*evidence;
	char		*apply;		/* how to apply it */
};

/* "pipeline", "probe", "estimate"; and back (-1 when none). */
const char *findings_kind_name(enum evidence);
int findings_kind(const char *);
/* How a report says it: "measured on the pipeline", ... */
const char *findings_kind_phrase(enum evidence);

/*
 * Where an agent's time went, in ms: its whole run, waiting for and holding
 * the measurement lock, and of the holding what ran stages to time them,
 * what ran only to reach them (setup, teardown, the stages before), and
 * stages' prepares instead. The rest of the holding is probes and traces.
 */
struct findings_time {
	int	 known;		/* 0: the findings carry none */
	double	 wall_ms, wait_ms, held_ms;
	double	 timed_ms, untimed_ms, prepare_ms;
	long	 prefixes, prepares;	/* runs of setup and the stages before; of prepares */
};

struct findings {
	char			*agent;
	char			*status;	/* ok, partial, failed, skipped */
	char			*headline;	/* one sentence */
	char			*report;	/* the report's file name, or NULL */
	struct vote		*votes;
	int			 nvotes;
	struct recommendation	*recs;
	int			 nrecs;
	char			**warnings;
	int			 nwarnings;
	cJSON			*data;		/* agent-specific figures, or NULL */
	struct findings_time	 time;
};

struct findings *findings_new(const char *agent, const char *status);
void findings_free(struct findings *);
void findings_vote(struct findings *, const char *stage, const char *vote,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct recommendation *findings_recommend(struct findings *, const char *id,
    const char *stage, const char *title);
void findings_warn(struct findings *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Serialise; write atomically into dir/findings.json. */
char *findings_to_json(const struct findings *);
int findings_write(const struct findings *, const char *dir, char **cause);

/*
 * Read and validate against the schema — and, with sp, that every vote and
 * recommendation names one of its stages; NULL with *cause when invalid.
 */
struct spec;
struct findings *findings_read(const char *path, const struct spec *sp, char **cause);
struct findings *findings_parse(const char *text, const struct spec *sp, char **cause);

int findings_valid_vote(const char *);
int findings_valid_status(const char *);

/* The statuses an agent reports, in this order: ok, partial, failed, skipped. */
#define FINDINGS_NSTATUS 4
extern const char *const findings_statuses[FINDINGS_NSTATUS];
/* The static spelling of a valid status, or NULL. */
const char *findings_status(const char *);

#endif
