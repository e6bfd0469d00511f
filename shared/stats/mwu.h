/* mwu.h - the Mann-Whitney U test, two-sided. */
#ifndef PERFD_MWU_H
#define PERFD_MWU_H

struct mwu {
	double	 u;		/* U of the first sample */
	double	 p;		/* two-sided p-value */
	int	 exact;		/* 1: exact distribution; 0: normal approximation */
};

/*
 * Exact when both samples have at most 20 values and there are no ties
 * (the distribution of U by recurrence); otherwise the normal
 * approximation with tie correction and continuity correction.
 */
void mwu_test(const double *a, int na, const double *b, int nb, struct mwu *out);

/* The fewest values per side for a two-sided p below 0.05 to be possible. */
#define MWU_MIN_N 4

#endif
