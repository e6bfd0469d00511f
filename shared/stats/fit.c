/* fit.c - how a measure grows with a parameter: y = c * x^b, fitted on log-log axes. */
#include "fit.h"

#include <math.h>
#include <string.h>

double
fit_t975(int df)
{
	static const double t[] = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
	    2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
	    2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
	    2.042 };

	if (df < 1)
		return INFINITY;
	if (df <= 30)
		return t[df - 1];
	/* Beyond the table t is close to linear in 1/df: 2.042 at 30, 1.960 at infinity. */
	return 1.960 + (2.042 - 1.960) * 30.0 / df;
}

int
fit_power(const double *x, const double *y, int n, struct fit *f)
{
	double sx = 0, sy = 0, sxy = 0, syy = 0, lx0 = 0, sse;
	int m = 0, distinct = 0;

	memset(f, 0, sizeof *f);
	for (int i = 0; i < n; i++) {
		if (!(x[i] > 0) || !(y[i] > 0))
			continue;
		if (m == 0)
			lx0 = log(x[i]);
		distinct |= log(x[i]) != lx0;
		sx += log(x[i]);
		sy += log(y[i]);
		m++;
	}
	if (m < 3 || !distinct)
		return -1;
	f->n = m;
	f->mean_lx = sx / m;
	sy /= m;
	for (int i = 0; i < n; i++) {
		double dx, dy;

		if (!(x[i] > 0) || !(y[i] > 0))
			continue;
		dx = log(x[i]) - f->mean_lx;
		dy = log(y[i]) - sy;
		f->sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	f->b = sxy / f->sxx;
	f->ln_c = sy - f->b * f->mean_lx;
	sse = fmax(0, syy - f->b * sxy);
	f->r2 = syy > 0 ? 1 - sse / syy : 1;
	f->s = sqrt(sse / (m - 2));
	f->b_lo = f->b - fit_t975(m - 2) * f->s / sqrt(f->sxx);
	f->b_hi = f->b + fit_t975(m - 2) * f->s / sqrt(f->sxx);
	return 0;
}

double
fit_predict(const struct fit *f, double x, double *lo, double *hi)
{
	double lx = log(x), yhat = f->ln_c + f->b * lx;
	double se = f->s * sqrt(1.0 / f->n + (lx - f->mean_lx) * (lx - f->mean_lx) / f->sxx);
	double t = fit_t975(f->n - 2);

	*lo = exp(yhat - t * se);
	*hi = exp(yhat + t * se);
	return exp(yhat);
}

const char *
fit_class(double b)
{
	if (b < -0.15)
		return "shrinking";
	if (b < 0.15)
		return "constant";
	if (b < 0.85)
		return "sub-linear";
	if (b <= 1.15)
		return "linear";
	if (b < 1.85)
		return "super-linear";
	if (b <= 2.15)
		return "quadratic";
	return "worse than quadratic";
}
