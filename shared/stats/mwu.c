/* mwu.c - the Mann-Whitney U test, two-sided. */
#include "mwu.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct val {
	double	v;
	int	from_a;
};

static int
cmp_val(const void *x, const void *y)
{
	double a = ((const struct val *)x)->v, b = ((const struct val *)y)->v;

	return (a > b) - (a < b);
}

/*
 * P(U <= u) under the null for sizes m, n: counts of arrangements by the
 * recurrence f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u), over C(m+n, m).
 */
static double
exact_cdf(int m, int n, double u)
{
	int umax = m * n, k = (int)floor(u);
	double *f = xcalloc((size_t)(m + 1) * (size_t)(n + 1) * (size_t)(umax + 1),
	    sizeof *f), total = 0, below = 0;
#define F(i, j, w) f[((size_t)(i) * (size_t)(n + 1) + (size_t)(j)) * (size_t)(umax + 1) + (size_t)(w)]

	for (int i = 0; i <= m; i++)
		for (int j = 0; j <= n; j++)
			for (int w = 0; w <= i * j; w++) {
				if (i == 0 || j == 0) {
					F(i, j, w) = w == 0;
					continue;
				}
				F(i, j, w) = (w >= j ? F(i - 1, j, w - j) : 0) +
				    (w <= i * (j - 1) ? F(i, j - 1, w) : 0);
			}
	for (int w = 0; w <= umax; w++) {
		total += F(m, n, w);
		if (w <= k)
			below += F(m, n, w);
	}
#undef F
	free(f);
	return below / total;
}

void
mwu_test(const double *a, int na, const double *b, int nb, struct mwu *o)
{
	int n = na + nb, ties = 0;
	struct val *v = xcalloc((size_t)n, sizeof *v);
	double r1 = 0, tie_sum = 0, mu, sigma, z;

	for (int i = 0; i < na; i++)
		v[i] = (struct val){ a[i], 1 };
	for (int i = 0; i < nb; i++)
		v[na + i] = (struct val){ b[i], 0 };
	qsort(v, (size_t)n, sizeof *v, cmp_val);
	/* Average ranks for ties. */
	for (int i = 0; i < n; ) {
		int j = i;
		double rank;

		while (j < n && v[j].v == v[i].v)
			j++;
		rank = (i + 1 + j) / 2.0;
		if (j - i > 1) {
			ties = 1;
			tie_sum += pow(j - i, 3) - (j - i);
		}
		for (int k = i; k < j; k++)
			if (v[k].from_a)
				r1 += rank;
		i = j;
	}
	free(v);
	o->u = r1 - na * (na + 1) / 2.0;
	if (na <= 20 && nb <= 20 && !ties) {
		double lo = exact_cdf(na, nb, o->u);
		double hi = 1 - exact_cdf(na, nb, o->u - 1);

		o->exact = 1;
		o->p = fmin(1, 2 * fmin(lo, hi));
		return;
	}
	o->exact = 0;
	mu = na * (double)nb / 2;
	sigma = sqrt(na * (double)nb / 12 * ((n + 1) - tie_sum / ((double)n * (n - 1))));
	if (sigma == 0) {
		o->p = 1;
		return;
	}
	z = (fabs(o->u - mu) - 0.5) / sigma;
	o->p = fmin(1, erfc(fmax(z, 0) / sqrt(2)));
}
