/* compare.h - compare two investigations' raw runs: the regression gate. */
#ifndef PERFD_COMPARE_H
#define PERFD_COMPARE_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "mwu.h"
#include "stats.h"

/* One cell of a matrix's counted runs (profiling/matrix.csv). */
struct cellrun {
	char		*label;		/* "tasks=8 jobs=1" */
	double		**wall;		/* per stage: ms per counted run */
	int		*n;
	double		*total;		/* per run */
	int		 ntotal;
};

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
	struct cellrun	*cells;		/* the matrix's cells, when it had one */
	int		 ncells;
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
	const char	*cell;		/* a matrix cell's label, or NULL: the first cell */
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
	struct cmp_row	*cell_rows;	/* the matrices' common cells, stage by stage */
	int		 ncell_rows;
	char		*cells_note;	/* cells one side lacks, or too few runs; or NULL */
};

/*
 * Compare; threshold is a fraction (0.05). -1 with *cause (exit 2) when
 * the stage sets differ or a side has fewer than MWU_MIN_N runs.
 */
int compare_run(const struct runset *base, const struct runset *cand,
    double threshold, int p95, struct comparison *, char **cause);
void compare_free(struct comparison *);
/* One row: medians (or p95s) with CIs, the test, the verdict at c->threshold. */
void compare_row(struct cmp_row *c, const double *a, int na, const double *b, int nb, int p95);

/*
 * compare-matrix.c: two investigations with the same matrix compared cell
 * by cell. load reads a folder's matrix.csv (none: no cells, 0); run
 * adds a row per common cell and stage, and end to end, to the verdicts.
 */
int compare_matrix_load(struct runset *, const char *path, char **cause);
void compare_matrix_free(struct runset *);
void compare_matrix_run(struct comparison *);
void compare_matrix_text(struct buf *, const struct comparison *);
void compare_matrix_markdown(struct buf *, const struct comparison *);
cJSON *compare_matrix_json(const struct comparison *);

char *compare_text(const struct comparison *);
char *compare_markdown(const struct comparison *);
cJSON *compare_json(const struct comparison *);
const char *compare_verdict_name(enum verdict);

#endif
