/* stats.c - descriptive statistics for repeated measurements. */
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
stats_sort(double *x, int n)
{
	if (n > 1)
		qsort(x, (size_t)n, sizeof *x, cmp_double);
}

double
stats_percentile_sorted(const double *s, int n, double p)
{
	double rank, frac;
	int lo;

	if (n <= 0)
		return NAN;
	if (n == 1)
		return s[0];
	rank = p / 100.0 * (n - 1);
	lo = (int)floor(rank);
	if (lo >= n - 1)
		return s[n - 1];
	frac = rank - lo;
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

/* P(X <= k) for X ~ binomial(n, 1/2), summed in log space for large n. */
static double
binom_half_cdf(int n, int k)
{
	double sum = 0;

	for (int i = 0; i <= k; i++)
		sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) -
		    n * log(2.0));
	return sum;
}

/* The CI's rank: the largest j with P(X < j) <= alpha / 2, X ~ binomial(n, 1/2). */
static int
median_rank(int n, double alpha)
{
	int j;

	for (j = 0; j + 1 <= n / 2 && binom_half_cdf(n, j) <= alpha / 2; j++)
		;
	return j;
}

static double
median_of(double *tmp, int n)
{
	stats_sort(tmp, n);
	return stats_percentile_sorted(tmp, n, 50);
}

void
stats_compute(const double *x, int n, struct stats *o)
{
	double *s = xmalloc(sizeof *s * (size_t)n), sum = 0, ss = 0;
	int j;

	memset(o, 0, sizeof *o);
	o->n = n;
	if (n <= 0) {
		free(s);
		return;
	}
	memcpy(s, x, sizeof *s * (size_t)n);
	stats_sort(s, n);
	for (int i = 0; i < n; i++)
		sum += s[i];
	o->mean = sum / n;
	for (int i = 0; i < n; i++)
		ss += (s[i] - o->mean) * (s[i] - o->mean);
	o->sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
	o->min = s[0];
	o->max = s[n - 1];
	o->median = stats_percentile_sorted(s, n, 50);
	o->p95 = stats_percentile_sorted(s, n, 95);
	o->p99 = stats_percentile_sorted(s, n, 99);
	o->cv = o->mean != 0 ? o->sd / o->mean : 0;
	/*
	 * The CI ranks: the largest j with P(X < j) <= 2.5%, so that
	 * [x(j), x(n-j+1)] (1-based) covers the median with >= 95%.
	 */
	if ((j = median_rank(n, 0.05)) >= 1) {
		o->ci_lo = s[j - 1];
		o->ci_hi = s[n - j];
		o->ci_exact = 1;
	} else {
		o->ci_lo = s[0];
		o->ci_hi = s[n - 1];
	}
	for (int i = 0; i < n; i++)
		s[i] = fabs(x[i] - o->median);
	o->mad = median_of(s, n);
	free(s);
}

double
stats_median_lower(const double *x, int n, double alpha)
{
	double *s, lo;
	int j = n > 0 ? median_rank(n, alpha) : 0;

	if (j < 1)
		return -INFINITY;
	s = xmalloc(sizeof *s * (size_t)n);
	memcpy(s, x, sizeof *s * (size_t)n);
	stats_sort(s, n);
	lo = s[j - 1];
	free(s);
	return lo;
}

int
stats_median_lower_rank(int n, double alpha)
{
	return n > 0 ? median_rank(n, alpha) : 0;
}

int
stats_median_lower_n(double alpha)
{
	int n = 1;

	while (median_rank(n, alpha) < 1)
		n++;
	return n;
}

int
stats_outliers(const double *x, int n, int *out)
{
	struct stats st;
	int count = 0;

	stats_compute(x, n, &st);
	for (int i = 0; i < n; i++) {
		double z = st.mad > 0 ? 0.6745 * (x[i] - st.median) / st.mad : 0;

		out[i] = fabs(z) > 3.5;
		count += out[i];
	}
	return count;
}

int
stats_settled(const struct stats *s, double rel, double floor)
{
	return s->n > 0 && (s->ci_hi - s->ci_lo) / 2 <= fmax(rel * fabs(s->median), floor);
}
