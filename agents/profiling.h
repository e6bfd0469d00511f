/* profiling.h - the profiling agent's measurements, shared by its two files. */
#ifndef PERFD_PROFILING_H
#define PERFD_PROFILING_H

#include "agentrt.h"
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
	struct findings	*f;
};

int prof_main(struct agent *);
/* profiling-perf.c: sample a CPU-bound bottleneck with perf. */
void prof_perf(struct prof *);
/* profiling-report.c: the markdown report, the chart, runs.csv. */
char *prof_report_md(struct prof *);
char *prof_chart_svg(struct prof *);
char *prof_runs_csv(struct prof *);
cJSON *prof_data_json(struct prof *);

#endif
