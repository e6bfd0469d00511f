/* fit.h - how a measure grows with a parameter: y = c * x^b, fitted on log-log axes. */
#ifndef PERFD_FIT_H
#define PERFD_FIT_H

/*
 * A least-squares line through (ln x, ln y) of every run (repeated runs at
 * one x each count): its slope b is the growth exponent (time grows as
 * N^b), with the 95% CI of the slope from Student's t on the residuals.
 * Points with x or y not above 0 are left out.
 */
struct fit {
	int	 n;		/* points used */
	double	 b, b_lo, b_hi;	/* the exponent and its 95% CI */
	double	 ln_c;		/* the intercept: y = exp(ln_c) * x^b */
	double	 r2;
	/* For predictions: the mean of ln x, its sum of squares, the residuals' sd. */
	double	 mean_lx, sxx, s;
};

/* Fit n points; 0, or -1 when fewer than 3 points or fewer than 2 distinct x remain. */
int fit_power(const double *x, const double *y, int n, struct fit *);

/*
 * The fitted y at x (an estimate outside the measured range: say so), and
 * the 95% CI of that mean in *lo and *hi.
 */
double fit_predict(const struct fit *, double x, double *lo, double *hi);

/*
 * The growth in plain words, by the exponent: "constant" (|b| < 0.15),
 * "shrinking", "sub-linear", "linear" (0.85 to 1.15), "super-linear",
 * "quadratic" (1.85 to 2.15), "worse than quadratic".
 */
const char *fit_class(double b);

/* Student's t for a two-sided 95% interval with df degrees of freedom (df >= 1). */
double fit_t975(int df);

#endif
