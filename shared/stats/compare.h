/* compare.h - compare two investigations' raw runs: the regression gate. */
#ifndef PERFD_COMPARE_H
#define PERFD_COMPARE_H

#include <cjson/cJSON.h>

#include "mwu.h"
#include "stats.h"

struct runset {
	char		*label;		/* what the user named: an ID or a folder */
	char		*id;
	char		*name;
	char		*dir;		/* the investigation folder, or NULL */
	int		 nstages;
	char		**stages;
	double		**wall;		/* per stage: ms per counted run */
	int		*n;
	double		*threshold;	/* per stage from the spec, -1 when unset */
	double		*total;		/* per complete run */
	int		 ntotal;
	char		*cpu;		/* from the profiling context, or NULL */
	int		 cores;
	char		*commit;
	double		 when_ms;	/* created, Unix ms (0 unknown) */
	cJSON		*master;	/* MASTER_INTEGRATION_REPORT.json, or NULL */
};

/*
 * Load BASE or CAND: a folder (tmp/perf-optimization/<ID>/) or an ID looked
 * up in the state database in state_dir (NULL: the default). 0, or -1 with
 * *cause.
 */
int compare_runset_load(const char *arg, const char *state_dir, struct runset *, char **cause);
void compare_runset_free(struct runset *);

enum verdict { V_PASS, V_WARN, V_FAIL };

struct cmp_row {
	const char	*stage;		/* NULL: end to end */
	struct stats	 base, cand;
	double		 base_v, cand_v;	/* the compared metric */
	double		 change;	/* (cand - base) / base */
	double		 threshold;	/* fraction */
	struct mwu	 test;
	enum verdict	 verdict;
	const char	*note;
};

struct prediction {
	const char	*stage;
	char		*title;
	double		 local, e2e;	/* predicted speed-ups */
	double		 local_got, e2e_got;	/* achieved */
};

struct comparison {
	int		 p95;		/* the metric: 0 median, 1 p95 */
	struct cmp_row	*rows;
	int		 nrows;		/* stages, then end to end */
	int		 fails, warns;
	char		*machine;	/* why the machines differ, or NULL */
	struct prediction *pred;
	int		 npred;
	const struct runset *base, *cand;
};

/*
 * Compare; threshold is a fraction (0.05). -1 with *cause (exit 2) when
 * the stage sets differ or a side has fewer than MWU_MIN_N runs.
 */
int compare_run(const struct runset *base, const struct runset *cand,
    double threshold, int p95, struct comparison *, char **cause);
void compare_free(struct comparison *);

char *compare_text(const struct comparison *);
char *compare_markdown(const struct comparison *);
cJSON *compare_json(const struct comparison *);
const char *compare_verdict_name(enum verdict);

#endif
