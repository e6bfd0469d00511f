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

/* Escape text for XML (caller frees). */
char *svg_escape(const char *);

/* A "nice" axis step for a range: 1, 2 or 5 times a power of ten. */
double svg_nice_step(double range, int ticks);

#endif
