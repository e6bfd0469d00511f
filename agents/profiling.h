/* profiling.h - the profiling agent's measurements, shared by its two files. */
#ifndef PERFD_PROFILING_H
#define PERFD_PROFILING_H

#include "agentrt.h"
#include "fit.h"
#include "flame.h"
#include "pipeline.h"
#include "stats.h"

/* Shares under this are not worth optimising: the stage gets "leave". */
#define PROF_NEGLIGIBLE_SHARE	0.05
/* CPU utilisation bounds of the classes. */
#define PROF_CPU_BOUND		0.8
#define PROF_WAITING		0.3
/* Medians under this are mostly process start-up. */
#define PROF_TINY_MS		5.0
/* Empty shell runs for the start-up calibration. */
#define PROF_CALIBRATION_RUNS	30
/*
 * repetitions: auto. At least PROF_AUTO_MIN counted runs (the fewest that
 * give a 95% CI of a median), at most PROF_AUTO_MAX; in between, stop once
 * the figures have settled twice in a row (prof_settled() in profiling.c).
 */
#define PROF_AUTO_MIN		6
#define PROF_AUTO_MAX		30
#define PROF_AUTO_SHARE		0.03	/* every stage share's CI, half-width */

struct prof_sample {
	int		 ok;
	int		 exit_code;	/* -1: killed by a signal, or timed out */
	double		 wall_ms;	/* shell start subtracted (run stages) */
	double		 raw_ms;
	double		 user_s, sys_s, util;
	long		 rss_kb;
	int64_t		 read_bytes, write_bytes;
	struct fetch_result fetch;
};

struct prof_conc {
	int		 n;		/* transfers at once */
	int		 runs;
	double		 throughput;	/* bytes/s, median over runs */
	double		 speedup, speedup_lo, speedup_hi;
	int		 from_runs;	/* the stage's own runs (one transfer each) */
	char		*error;
};

struct prof_stage {
	const char	*name;
	int		 fetch;
	struct prof_sample *s;		/* one per run, warmups first */
	int		 n;		/* successful counted runs */
	struct stats	 wall;
	struct stats	 share;		/* per-run share of the total */
	double		 util;		/* median CPU utilisation */
	long		 rss_kb;	/* median peak RSS */
	double		 read_bytes, write_bytes;	/* medians */
	const char	*klass;		/* cpu-bound, waiting, mixed */
	int		 outliers;
	struct prof_conc *conc;
	int		 nconc;
};

struct prof_failure {
	int		 run;		/* 1-based; warmups negative */
	char		*stage;
	char		*text;
};

/* One cell of the matrix: its spec, its counted runs, its figures. */
struct prof_mcell {
	struct spec	*spec;		/* NULL when it could not be made (failure says why) */
	char		*label;		/* "tasks=8 jobs=1" */
	double		*wall, *rss, *bytes;	/* [run * nstages + stage], counted runs */
	double		*util, *read;	/* CPU utilisation, bytes read: the same */
	int		 n;		/* complete counted runs */
	int		 failed;	/* runs that failed (two: the cell is dropped) */
	char		*failure;	/* the last failure, or NULL */
	double		*median, *share;	/* per stage */
	double		*share_lo, *share_hi;	/* the CI of each run's share's median */
	const char	**klass;	/* per stage, by its median utilisation */
	double		*read_median;	/* per stage */
	struct stats	 total;		/* of the runs' totals */
	int		 bottleneck;	/* the largest share, or -1 */
	double		 throughput;	/* jobs/s (matrix.concurrency) or rows/s; 0: none */
};

/* A stage's growth with one parameter. */
struct prof_growth {
	struct fit	 time, rss, bytes;
	int		 ok_time, ok_rss, ok_bytes;
};

/* The cells along one numeric parameter, the others held, and what they show. */
struct prof_slice {
	int		*cells;		/* by the parameter's value; n 0: no slice */
	int		 n;
	struct prof_growth *g;		/* per stage */
	int		 cross;		/* where another stage's share first passes the
					   first cell's bottleneck (index in cells), or -1 */
	int		 cross_stage;
	double		 next_x;	/* the step after the last: estimates only */
	double		*next_ms, *next_lo, *next_hi;	/* per stage, from the fits */
};

struct prof_matrix {
	const struct matrix *m;
	int		 ncells, nstages, reps;	/* with auto, reps is the most */
	int		 auto_reps;
	char		*rounds_why;	/* why the counted rounds stopped where they did */
	uint32_t	 seed;
	int		 conc;		/* the concurrency parameter, or -1 */
	struct prof_mcell *cell;
	struct prof_slice *slice;	/* per parameter */
	char		*stopped;	/* why rounds were cut short, or NULL */
};

struct prof {
	struct agent	*a;
	int		 reps, warmup;	/* with auto, reps is the runs made */
	int		 auto_reps;
	char		*stopped;	/* why the counted runs stopped where they did */
	int		 nstages;
	struct prof_stage *st;
	double		*totals;	/* per counted run, complete runs only */
	int		 ntotals;
	struct stats	 total;
	double		 shell_ms;
	int		 bottleneck;	/* stage index, -1 if none */
	int		 too_fast;	/* the whole run is under PROF_TINY_MS */
	struct prof_failure *fail;
	int		 nfail;
	double		 load_before, load_after, load_max;
	int		 cores;
	char		*kernel, *cpu_model, *git_commit, *spec_hash;
	char		*started, *ended;
	char		*perf_note;	/* why there is no flame graph */
	int		 have_flame;
	long		 perf_samples;
	struct flame_self top[10];	/* self time, largest first */
	int		 ntop;
	struct prof_matrix *mx;		/* the spec's matrix, or NULL */
	struct findings	*f;
};

int prof_main(struct agent *);
/* A file of the agent's folder, whole or not at all: 0, or -1 after saying why. */
int prof_write(struct prof *, const char *name, const char *text);
/* Whether a check held now and at the last check (*before becomes now): one is a lucky streak. */
int prof_twice(int now, int *before);
/* A stage's class by its CPU utilisation: cpu-bound, waiting, mixed. */
const char *prof_class(double util);
/* profiling-perf.c: sample a CPU-bound bottleneck with perf. */
void prof_perf(struct prof *);
/* profiling-report.c: the markdown report, the chart, runs.csv. */
char *prof_report_md(struct prof *);
char *prof_chart_svg(struct prof *);
char *prof_runs_csv(struct prof *);
cJSON *prof_data_json(struct prof *);

/*
 * profiling-matrix.c: the pipeline at every cell of the spec's matrix
 * (NULL from new when there is none), measured round by round in a
 * seeded shuffled order, then growth fits along each parameter.
 */
struct prof_matrix *prof_matrix_new(struct prof *);
void prof_matrix_measure(struct prof *);
void prof_matrix_analyse(struct prof *);
void prof_matrix_free(struct prof_matrix *);
/* profiling-matrix-report.c: MATRIX.md, matrix.csv, a chart per parameter, JSON. */
char *prof_matrix_md(struct prof *);
/* What PROFILING_REPORT.md says of it: where each bottleneck moves, what grows fast. */
char *prof_matrix_summary(struct prof *);
char *prof_matrix_csv(struct prof *);
char *prof_matrix_svg(struct prof *, int param);
cJSON *prof_matrix_json(struct prof *);

#endif
