/* stats.h - descriptive statistics for repeated measurements. */
#ifndef PERFD_STATS_H
#define PERFD_STATS_H

struct stats {
	int	 n;
	double	 mean, sd, min, max;
	double	 median, p95, p99;
	double	 cv;		/* sd / mean */
	double	 mad;		/* median absolute deviation (unscaled) */
	/*
	 * 95% confidence interval of the median from order statistics: the
	 * widest symmetric pair of ranks whose binomial(n, 1/2) coverage is
	 * at least 95%. Distribution-free; undefined below n = 6, where it
	 * is the whole range and ci_exact is 0.
	 */
	double	 ci_lo, ci_hi;
	int	 ci_exact;
};

/* Compute over n values (n >= 1); x is not modified. */
void stats_compute(const double *x, int n, struct stats *out);
/*
 * Whether the median's 95% CI is within +-rel of the median (or +-floor,
 * when larger): the stopping rule of every adaptive series.
 */
int stats_settled(const struct stats *, double rel, double floor);

/* Percentile p in [0, 100] of sorted values, linear interpolation. */
double stats_percentile_sorted(const double *sorted, int n, double p);

/*
 * Outliers by modified z-score (Iglewicz and Hoaglin): 0.6745 (x - median)
 * / MAD beyond 3.5. Writes 1/0 flags into out[n]; returns the count.
 */
int stats_outliers(const double *x, int n, int *out);

void stats_sort(double *x, int n);

#endif
