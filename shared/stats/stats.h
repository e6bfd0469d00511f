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

/*
 * The lower end of the median's (1 - alpha) CI from order statistics (the
 * same ranks as stats_compute()'s at alpha 0.05), or -INFINITY when n is
 * too small for any: what a claim of "above" needs when alpha is shared
 * among several claims (Bonferroni: 0.05 / their count).
 */
double stats_median_lower(const double *x, int n, double alpha);
/* The least n for which stats_median_lower() has a bound at alpha. */
int stats_median_lower_n(double alpha);
/*
 * The rank (1-based, 0: none) of the value stats_median_lower() returns
 * for n values at alpha: a claim of "above t" needs fewer than this many
 * values at or below t.
 */
int stats_median_lower_rank(int n, double alpha);

/* Percentile p in [0, 100] of sorted values, linear interpolation. */
double stats_percentile_sorted(const double *sorted, int n, double p);

/*
 * Outliers by modified z-score (Iglewicz and Hoaglin): 0.6745 (x - median)
 * / MAD beyond 3.5. Writes 1/0 flags into out[n]; returns the count.
 */
int stats_outliers(const double *x, int n, int *out);

void stats_sort(double *x, int n);

#endif
