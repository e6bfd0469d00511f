/* rank.h - the integration rules: consensus, Amdahl, priority levels. */
#ifndef PERFD_RANK_H
#define PERFD_RANK_H

/*
 * Consensus over the agents that answered, for one stage:
 *   an optimize and a leave              -> CONTRADICTION
 *   3 or more agree (the rest abstain)   -> CONSENSUS
 *   2 agree, the others abstain          -> INVESTIGATE (further)
 *   1 votes, the others abstain          -> SINGLE (one agent's opinion)
 *   all abstain, or nobody answered      -> NONE
 */
enum consensus {
	CONS_NONE, CONS_SINGLE, CONS_INVESTIGATE, CONS_CONSENSUS, CONS_CONTRADICTION
};

enum consensus rank_consensus(int optimize, int leave);
const char *rank_consensus_name(enum consensus);

/*
 * Amdahl: the end-to-end speed-up of speeding a stage with share s of the
 * total up k times: 1 / ((1 - s) + s / k).
 */
double rank_amdahl(double share, double k);

/*
 * Priority from the end-to-end speed-up e: P0 e > 5, P1 2 <= e <= 5,
 * P2 1.2 <= e < 2, P3 e < 1.2 (compared at 1e-9, so 2.0 computed as
 * 1.9999999999 is still 2), never better than `best` (the caller caps an
 * estimate, or a probe figure without a bound and a second agent, at P1).
 * Returns 0..3.
 */
int rank_priority(double e2e, int best);

#endif
