/* svg.h - charts as standalone SVG: bars with whiskers, more to come. */
#ifndef PERFD_SVG_H
#define PERFD_SVG_H

struct svg_bar {
	const char	*label;
	double		 value;		/* bar length */
	double		 whisker;	/* whisker end (>= value), or 0 for none */
	const char	*note;		/* text after the bar, e.g. "42.0%" */
};

/*
 * A horizontal bar chart, bars in the order given, with a linear axis
 * from 0 labelled in unit. Returns the SVG text (caller frees).
 */
char *svg_hbar(const char *title, const char *unit, const struct svg_bar *, int n);

struct svg_sweep {
	int		 n;
	const double	*x;		/* > 0, ascending: drawn on a log axis */
	const double	*y, *ylo, *yhi;	/* the main series with its CI */
	const double	*y2;		/* a second series on the right axis, or NULL */
	const int	*failed;	/* points to mark as failed, or NULL */
	double		 band_lo, band_hi;	/* a shaded x range, or 0 */
	double		 mark1, mark2;	/* x positions to mark, or 0 */
	const char	*mark1_label, *mark2_label;
	const char	*xlabel, *ylabel, *y2label;
};

/* A log-x chart: a series with CI bars, a shaded band, marks, a second axis. */
char *svg_sweep(const char *title, const struct svg_sweep *);

/*
 * Lines over points 0..npoints-1 (x labels below), one per series; points
 * where marks[p] is set get a vertical marker with its text.
 */
char *svg_lines(const char *title, const char *ylabel, int nseries,
    const char *const *names, int npoints, const char *const *xlabels,
    const double *const *values, const char *const *marks);

/* One series of svg_loglog(): y at each x, with its CI (lo, hi may be NULL). */
struct svg_logseries {
	const char	*name;
	const double	*y, *lo, *hi;	/* a value not above 0 is left out */
};

/*
 * Lines on log-log axes (a power law is a straight line there): x ticks
 * at the points' own values, y at 1, 2, 5 per decade; each series a line
 * with its CI as a shaded band, named in a legend.
 */
char *svg_loglog(const char *title, const char *xlabel, const char *ylabel, int npoints,
    const double *x, int nseries, const struct svg_logseries *);

/* Escape text for XML (caller frees). */
char *svg_escape(const char *);

/* A "nice" axis step for a range: 1, 2 or 5 times a power of ten. */
double svg_nice_step(double range, int ticks);

#endif
