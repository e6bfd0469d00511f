/* integration.h - the integration agent's model, shared by its files. */
#ifndef PERFD_INTEGRATION_H
#define PERFD_INTEGRATION_H

#include "agentrt.h"
#include "rank.h"
#include "stats.h"

/* A change under this end to end (5%) is not worth a stage's "optimize". */
#define INTEG_WORTH		1.05
/* Runs of a tie-breaker experiment. */
#define INTEG_TIEBREAK_MIN	10

struct report_in {
	const char		*agent;
	struct findings		*f;	/* NULL: no usable report */
	char			*why;	/* why there is none */
	int			 done;
};

struct tiebreak {
	int		 ran;
	char		*how;		/* what was measured */
	char		*outcome;	/* the figures */
	const char	*supports;	/* optimize or leave */
};

struct stage_view {
	const char	*name;
	int		 has_share;
	double		 share, share_lo, share_hi;
	double		 median_ms, p95_ms, cpu_util;
	double		 rss_kb;
	const char	*vote[INV_INVESTIGATORS];
	const char	*reason[INV_INVESTIGATORS];
	int		 optimize, leave, abstain;
	enum consensus	 cons;
	const char	*verdict;	/* optimize, leave, investigate, none */
	char		*resolution;	/* how a contradiction was settled */
	struct tiebreak	 tb;
};

struct ranked {
	const struct recommendation *r;
	const char	*agent;
	int		 stage;		/* index, -1 when unknown */
	int		 ranked;
	double		 e2e, e2e_lo, e2e_hi;
	int		 priority;	/* 0..3 */
	char		*unranked_why;
};

struct integ {
	struct agent		*a;
	struct report_in	 in[INV_INVESTIGATORS];
	struct stage_view	*st;
	int			 nstages;
	cJSON			*prof;		/* profiling's data, or NULL */
	double			 total_ms;	/* end-to-end median, 0 unknown */
	int			 bottleneck;	/* stage index or -1 */
	struct ranked		*recs;
	int			 nrecs;
	double			 outlook_ms;	/* top changes on distinct stages */
	double			 pipeline_bound;	/* total / slowest stage */
	char			*written;
};

/* integration-analysis.c */
void integ_analyse(struct integ *);
/* integration-report.c */
char *integ_report_md(struct integ *);
cJSON *integ_report_json(struct integ *);

#endif
