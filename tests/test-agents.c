/* test-agents.c - the agents' share of a budget's lock time, and the database agents' split of a stage. */
#include "test.h"

#include "dbagent.h"
#include "dbfold.h"
#include "dbdriver.h"
#include "paths.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/*
 * The budget's time in the lock: profiling two parts, each other agent that
 * measures for the spec one; what an agent that is done did not use goes
 * to those still measuring, by part.
 */
TEST_IMPL(agent_lock_pool)
{
	const char *path = test_write("pool.yaml", "version: 1\nname: pool\npipeline:\n"
	    "  stages:\n    - {name: load, run: 'true'}\n"
	    "database: {kind: sqlite, path: x.db, table: t}\nclient: {stage: load}\n"
	    "batch: {stage: load, command: 'true {batch}', current: 1, sizes: [1, 2]}\n");
	char *errors = NULL, *dir = path_join(test_tmp(), "client-library");
	char *findings = path_join(dir, "findings.json");
	struct spec *sp = spec_parse_file(path, &db_driver_spec_kinds, &errors);
	struct agent prof = { .name = "profiling", .spec = sp, .inv_dir = (char *)test_tmp() };
	struct agent batch = { .name = "batch-size", .spec = sp, .inv_dir = (char *)test_tmp() };

	ASSERT(sp != NULL);
	/* Five parts: profiling 2, db-config, client-library and batch-size 1 each. */
	ASSERT(fabs(agent_lock_allowance(&prof, 1000) - 400) < 1e-9);
	ASSERT(fabs(agent_lock_allowance(&batch, 1000) - 200) < 1e-9);
	/* client-library is done after 100 ms: the 900 left go to the four parts still measuring. */
	ASSERT(mkdir(dir, 0700) == 0);
	ASSERT(test_write("client-library/findings.json", "{\"time\": {\"lock_held_ms\": 100}}") != NULL);
	ASSERT(fabs(agent_lock_allowance(&prof, 1000) - 450) < 1e-9);
	ASSERT(fabs(agent_lock_allowance(&batch, 1000) - 225) < 1e-9);
	/* A findings file still being written (no time in it) counts as not done. */
	ASSERT(test_write("client-library/findings.json", "{") != NULL);
	ASSERT(fabs(agent_lock_allowance(&prof, 1000) - 400) < 1e-9);
	unlink(findings);
	rmdir(dir);
	free(findings);
	free(dir);
	free(errors);
	spec_free(sp);
	return 0;
}

/*
 * A long stage caps a series' pairs, but never below the pairs a settings
 * series needs to tell its gain from none: capped at 3, a x2.8 setting on
 * a 2.1 s stage was never kept (the stage was 1.9 s on one machine, 2.1 s
 * on another).
 */
TEST_IMPL(dbfold_most_pairs_long_stage)
{
	int need = stats_median_lower_n(0.05 / 5);

	ASSERT(need == 8);
	ASSERT(dbfold_most_pairs(need, 9, 1900) == 9);
	ASSERT(dbfold_most_pairs(need, 9, 2100) == need);
	ASSERT(stats_median_lower_rank(dbfold_most_pairs(need, 9, 2100), 0.05 / 5) >= 1);
	/* The fold needs no verdict: a long stage's three pairs. */
	ASSERT(dbfold_most_pairs(0, 15, 2100) == 3);
	ASSERT(dbfold_most_pairs(0, 15, 1900) == 15);
	return 0;
}
