/* rank.c - the integration rules: consensus, Amdahl, priority levels. */
#include "rank.h"

#include <math.h>

enum consensus
rank_consensus(int optimize, int leave)
{
	int agree = optimize > leave ? optimize : leave;

	if (optimize > 0 && leave > 0)
		return CONS_CONTRADICTION;
	if (agree >= 3)
		return CONS_CONSENSUS;
	if (agree == 2)
		return CONS_INVESTIGATE;
	if (agree == 1)
		return CONS_SINGLE;
	return CONS_NONE;
}

const char *
rank_consensus_name(enum consensus c)
{
	static const char *const names[] = {
		"no opinion", "single agent", "investigate further", "consensus",
		"contradiction",
	};

	return names[c];
}

double
rank_amdahl(double s, double k)
{
	if (!(k > 0) || !(s >= 0))
		return NAN;
	if (s > 1)
		s = 1;
	return 1.0 / ((1.0 - s) + s / k);
}

int
rank_priority(double e, int best)
{
	const double eps = 1e-9;
	int p;

	if (e > 5 + eps)
		p = 0;
	else if (e >= 2 - eps)
		p = 1;
	else if (e >= 1.2 - eps)
		p = 2;
	else
		p = 3;
	if (p < best)
		p = best;
	return p;
}
