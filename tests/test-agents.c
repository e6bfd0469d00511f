/* test-agents.c - the database agents' split of a stage into own work and the database's part. */
#include "test.h"

#include "dbagent.h"

#include <math.h>

/*
 * A stage of 250 ms for 300 rows, user CPU 20 ms, observed with `pairs`
 * no-sync rounds whose own-work figure is own [lo, hi].
 */
static struct dbagent_obs
obs_with_rounds(int pairs, double own, double lo, double hi)
{
	struct dbagent_obs o = { .wall_ms = 250, .user_ms = 20, .rows = 300 };

	o.nosync_pairs = pairs;
	o.nosync_ms = pairs > 0 ? 30 : 0;
	o.own_nosync_ms = own;
	o.own_nosync_lo = lo;
	o.own_nosync_hi = hi;
	for (int i = 0; i < pairs; i++)
		o.pair_stage_ms[i] = 250;
	return o;
}

/* The probe's rate at which the stage less the probe's time is 60 ms. */
#define RATE_A60	(300 * 1000.0 / 190)

TEST_IMPL(dbagent_split_rounds)
{
	struct dbagent_obs o = obs_with_rounds(7, 4.3, 3.9, 5.0);
	struct dbagent_split s;

	dbagent_split(&o, RATE_A60, &s);
	ASSERT_INT(s.own_from, ==, DBAGENT_OWN_NOSYNC);
	ASSERT_NEAR(s.own_ms, 4.3, 1e-9);
	ASSERT_NEAR(s.db_ms, 250 - 4.3, 1e-9);
	ASSERT_INT(s.pairs, ==, 7);
	return 0;
}

/*
 * Rounds whose own work is below what they resolve: the stage's user CPU,
 * the upper bound the report names, and not the stage less the probe with
 * syncs (60 ms here), a difference of two figures each nearly the stage.
 */
TEST_IMPL(dbagent_split_unresolved_rounds)
{
	struct dbagent_obs o = obs_with_rounds(7, 0.4, 0.1, 0.7);
	struct dbagent_split s;

	dbagent_split(&o, RATE_A60, &s);
	ASSERT_INT(s.own_from, ==, DBAGENT_OWN_CPU);
	ASSERT_NEAR(s.own_ms, 20, 1e-9);
	return 0;
}

/* Without rounds (no eatmydata): the stage less the probe, when it is no sliver. */
TEST_IMPL(dbagent_split_no_rounds)
{
	struct dbagent_obs o = obs_with_rounds(0, 0, 0, 0);
	struct dbagent_split s;

	dbagent_split(&o, RATE_A60, &s);
	ASSERT_INT(s.own_from, ==, DBAGENT_OWN_PROBE);
	ASSERT_NEAR(s.own_ms, 60, 1e-6);
	/* A sliver of the stage (4 ms of 250): the CPU bound instead. */
	dbagent_split(&o, 300 * 1000.0 / 246, &s);
	ASSERT_INT(s.own_from, ==, DBAGENT_OWN_CPU);
	ASSERT_NEAR(s.own_ms, 20, 1e-6);
	return 0;
}

/* A stage whose own runs spread over more than x2 says so in its bound. */
TEST_IMPL(dbagent_split_spread_said)
{
	struct dbagent_obs o = obs_with_rounds(7, 4.3, 3.9, 5.0);
	struct dbagent_split s;
	char *t;

	dbagent_split(&o, RATE_A60, &s);
	t = dbagent_split_text(&s, RATE_A60 * 40);
	ASSERT(strstr(t, "across its runs") == NULL);
	free(t);
	o.pair_stage_ms[2] = 100;
	o.pair_stage_ms[5] = 2500;
	dbagent_split(&o, RATE_A60, &s);
	t = dbagent_split_text(&s, RATE_A60 * 40);
	ASSERT(strstr(t, "the stage itself took from 100.0 to 2500.0 ms across its runs") != NULL);
	free(t);
	/* One round during a storm, against the observation before it. */
	o = obs_with_rounds(1, 12.6, 12.6, 12.6);
	o.wall_ms = 2964;
	o.pair_stage_ms[0] = 5666;
	dbagent_split(&o, RATE_A60, &s);
	t = dbagent_split_text(&s, RATE_A60 * 40);
	ASSERT(strstr(t, "across its runs") == NULL);
	o.wall_ms = 250;
	dbagent_split(&o, RATE_A60, &s);
	free(t);
	t = dbagent_split_text(&s, RATE_A60 * 40);
	ASSERT(strstr(t, "from 250.0 to 5666.0 ms across its runs") != NULL);
	free(t);
	return 0;
}
