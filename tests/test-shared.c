/* test-shared.c - statistics, command runner, lock, findings, files, store. */
#include "test.h"

#include "findings.h"
#include "investigation.h"
#include "lock.h"
#include "pipeline.h"
#include "proto.h"
#include "run.h"
#include "spec.h"
#include "stats.h"
#include "store.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fit.h"

/*
 * Growth fits: a known exponent found within its CI under +-5% noise, the
 * classes in words, a prediction, and too few points refused.
 */
TEST_IMPL(fit_power_growth)
{
	static const double noise[] = { 1.03, 0.97, 1.01, 0.99, 1.05, 0.95, 1.02, 0.98 };
	double x[32], y[32], lo, hi, p;
	struct fit f;
	int n = 0;

	for (int k = 0; k < 4; k++)		/* 4, 8, 16, 32; 8 runs each */
		for (int r = 0; r < 8; r++, n++) {
			x[n] = 4 << k;
			y[n] = 3 * pow(x[n], 1.9) * noise[(r + k) % 8];
		}
	ASSERT(fit_power(x, y, n, &f) == 0);
	ASSERT(f.n == 32 && fabs(f.b - 1.9) < 0.05);
	ASSERT(f.b_lo < 1.9 && f.b_hi > 1.9 && f.b_hi - f.b_lo < 0.1);
	ASSERT_STR(fit_class(f.b), "quadratic");
	p = fit_predict(&f, 64, &lo, &hi);
	ASSERT(fabs(p / (3 * pow(64, 1.9)) - 1) < 0.1 && lo < p && p < hi);
	for (int i = 0; i < n; i++)
		y[i] = 50 * noise[i % 8];	/* constant */
	ASSERT(fit_power(x, y, n, &f) == 0 && fabs(f.b) < 0.05);
	ASSERT_STR(fit_class(f.b), "constant");
	ASSERT_STR(fit_class(1.0), "linear");
	ASSERT_STR(fit_class(0.5), "sub-linear");
	ASSERT_STR(fit_class(1.5), "super-linear");
	ASSERT_STR(fit_class(3.0), "worse than quadratic");
	ASSERT_STR(fit_class(-1.0), "shrinking");
	/* One x, or fewer than 3 usable points: no fit. */
	for (int i = 0; i < n; i++)
		x[i] = 8;
	ASSERT(fit_power(x, y, n, &f) == -1);
	x[0] = 4;
	y[1] = 0;
	ASSERT(fit_power(x, y, 3, &f) == -1);
	ASSERT(fabs(fit_t975(1) - 12.706) < 1e-9 && fabs(fit_t975(1000) - 1.962) < 0.01);
	return 0;
}

TEST_IMPL(stats_basic)
{
	double x[] = { 5, 1, 4, 2, 3 };
	struct stats st;

	stats_compute(x, 5, &st);
	ASSERT_INT(st.n, ==, 5);
	ASSERT_NEAR(st.mean, 3, 1e-12);
	ASSERT_NEAR(st.median, 3, 1e-12);
	ASSERT_NEAR(st.min, 1, 1e-12);
	ASSERT_NEAR(st.max, 5, 1e-12);
	ASSERT_NEAR(st.sd, 1.5811388300841898, 1e-12);	/* sample sd */
	ASSERT_NEAR(st.p95, 4.8, 1e-12);		/* linear interpolation */
	ASSERT_NEAR(st.mad, 1, 1e-12);
	ASSERT_NEAR(st.cv, 1.5811388300841898 / 3, 1e-12);
	ASSERT_INT(st.ci_exact, ==, 0);			/* n < 6: no 95% CI */
	ASSERT(x[0] == 5);				/* input untouched */
	return 0;
}

/* Order-statistic CI ranks: n = 10 gives x(2)..x(9), n = 30 x(10)..x(21). */
TEST_IMPL(stats_median_ci)
{
	double x[30];
	struct stats st;

	for (int i = 0; i < 30; i++)
		x[i] = 29 - i + 1;	/* 30..1, unsorted on purpose */
	stats_compute(x, 10, &st);	/* values 30..21 */
	ASSERT_INT(st.ci_exact, ==, 1);
	ASSERT_NEAR(st.ci_lo, 22, 1e-12);
	ASSERT_NEAR(st.ci_hi, 29, 1e-12);
	stats_compute(x, 30, &st);	/* values 30..1 */
	ASSERT_NEAR(st.ci_lo, 10, 1e-12);
	ASSERT_NEAR(st.ci_hi, 21, 1e-12);
	/* Median 15.5, CI half-width 5.5: settled at +-36%, not at +-35%; a floor of 6 settles it. */
	ASSERT(stats_settled(&st, 0.36, 0));
	ASSERT(!stats_settled(&st, 0.35, 0));
	ASSERT(stats_settled(&st, 0.35, 6));
	/* At 0.05 the lower end is stats_compute()'s; shared by 5 claims (0.01) it is lower. */
	ASSERT_NEAR(stats_median_lower(x, 30, 0.05), 10, 1e-12);
	ASSERT_NEAR(stats_median_lower(x, 30, 0.01), 8, 1e-12);
	/* 6 values bound the median at 0.05 (1/64 < 2.5%), 8 at 0.01 (1/256 < 0.5%), 7 not. */
	ASSERT_INT(stats_median_lower_n(0.05), ==, 6);
	ASSERT_INT(stats_median_lower_n(0.01), ==, 8);
	ASSERT(isinf(stats_median_lower(x, 7, 0.01)));
	ASSERT_NEAR(stats_median_lower(x, 8, 0.01), 23, 1e-12);	/* the least of 30..23 */
	/* Its rank: at 0.01 the least of 9 (one value at or below t rules "above t" out), 8th of 30. */
	ASSERT_INT(stats_median_lower_rank(9, 0.01), ==, 1);
	ASSERT_INT(stats_median_lower_rank(30, 0.01), ==, 8);
	ASSERT_INT(stats_median_lower_rank(7, 0.01), ==, 0);
	return 0;
}

TEST_IMPL(stats_outliers)
{
	double x[] = { 10, 10.2, 9.9, 10.1, 9.8, 10.0, 30 };
	int flags[7];

	ASSERT_INT(stats_outliers(x, 7, flags), ==, 1);
	ASSERT_INT(flags[6], ==, 1);
	ASSERT_INT(flags[0], ==, 0);
	return 0;
}

TEST_IMPL(run_exit_status)
{
	struct run_opts o = { .cmd = "exit 3" };
	struct run_result r;

	ASSERT_INT(run_command(&o, &r), ==, 0);
	ASSERT_INT(r.exit_code, ==, 3);
	ASSERT(!run_ok(&r));
	o.cmd = "kill -9 $$";
	run_command(&o, &r);
	ASSERT_INT(r.signal, ==, 9);
	ASSERT_STR(run_describe(&r, 0), "signal 9 (Killed)");
	o.cmd = "true";
	run_command(&o, &r);
	ASSERT(run_ok(&r));
	return 0;
}

/* A stage past its timeout dies with everything it started. */
TEST_IMPL(run_timeout_kills_group)
{
	char cmd[512], *pidfile = xasprintf("%s/child.pid", test_tmp()), *cause = NULL;
	struct run_opts o = { .cmd = cmd, .timeout_ms = 300 };
	struct run_result r;
	char *text;
	pid_t grandchild;

	snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; wait", pidfile);
	ASSERT_INT(run_command(&o, &r), ==, 0);
	ASSERT(r.timed_out);
	ASSERT(r.wall_ns >= 300000000u && r.wall_ns < 2000000000u);
	text = file_read(pidfile, 100, NULL, &cause);
	ASSERT(text != NULL);
	grandchild = (pid_t)atol(text);
	usleep(100000);
	ASSERT(!test_pid_running(grandchild));
	ASSERT(strncmp(run_describe(&r, 300), "timeout after", 13) == 0);
	free(text);
	free(pidfile);
	return 0;
}

TEST_IMPL(run_wall_time)
{
	struct run_opts o = { .cmd = "sleep 0.2" };
	struct run_result r;

	run_command(&o, &r);
	ASSERT(run_ok(&r));
	/* Behaviour, not speed: at least the sleep, and nowhere near a timeout. */
	ASSERT(r.wall_ns >= 200000000u);
	ASSERT(r.wall_ns < 5000000000u);
	ASSERT(r.user_s + r.sys_s < 0.2);
	return 0;
}

/* Peak RSS comes from wait4 and covers the command's children. */
TEST_IMPL(run_peak_rss)
{
	char cmd[256];
	struct run_opts o = { .cmd = cmd };
	struct run_result r;

	/* head -c into a shell variable would be slow; dd with a 64 MiB block is not. */
	snprintf(cmd, sizeof cmd, "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null");
	run_command(&o, &r);
	ASSERT(run_ok(&r));
	ASSERT_INT(r.maxrss_kb, >=, 64 * 1024 * 9 / 10);
	ASSERT_INT(r.maxrss_kb, <=, 64 * 1024 * 13 / 10);
	return 0;
}

TEST_IMPL(run_io_bytes)
{
	char cmd[512];
	struct run_opts o = { .cmd = cmd, .cwd = test_tmp() };
	struct run_result r;

	snprintf(cmd, sizeof cmd, "dd if=/dev/zero of=out.bin bs=1M count=3 2>/dev/null");
	run_command(&o, &r);
	ASSERT(run_ok(&r));
	ASSERT_INT(r.wchar, >=, 3 * 1024 * 1024);
	return 0;
}

TEST_IMPL(run_missing_cwd)
{
	struct run_opts o = { .cmd = "true", .cwd = "/nonexistent/folder" };
	struct run_result r;

	run_command(&o, &r);
	ASSERT(!run_ok(&r));
	ASSERT_INT(r.exit_code, ==, 126);
	return 0;
}

TEST_IMPL(lock_exclusive)
{
	char *path = xasprintf("%s/measure.lock", test_tmp());
	int fd = lock_acquire(path), status;
	pid_t pid;

	ASSERT(fd >= 0);
	pid = fork();
	if (pid == 0)
		_exit(lock_try(path) < 0 && errno == EWOULDBLOCK ? 0 : 1);
	waitpid(pid, &status, 0);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	lock_release(fd);
	pid = fork();
	if (pid == 0)
		_exit(lock_try(path) >= 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(path);
	return 0;
}

TEST_IMPL(findings_roundtrip)
{
	struct findings *f = findings_new("batch-size", "ok"), *g;
	struct recommendation *r;
	char *cause = NULL, *path;

	f->headline = xstrdup("batch 1000 is the knee");
	findings_vote(f, "ingest", "optimize", "throughput x%.1f at 1000", 3.5);
	r = findings_recommend(f, "batch-1000", "ingest", "Use batches of 1000");
	r->local_speedup = 3.5;
	r->ci_lo = 3.1;
	r->ci_hi = 3.9;
	r->kind = EVIDENCE_PROBE;
	findings_warn(f, "noisy run %d", 3);
	f->time = (struct findings_time){ .known = 1, .wall_ms = 900, .wait_ms = 100,
	    .held_ms = 700, .timed_ms = 300, .untimed_ms = 200, .prepare_ms = 50,
	    .prefixes = 4, .prepares = 41 };
	ASSERT_INT(findings_write(f, test_tmp(), &cause), ==, 0);
	path = path_join(test_tmp(), INV_FINDINGS_FILE);
	g = findings_read(path, NULL, &cause);
	ASSERT(g != NULL);
	ASSERT_STR(g->agent, "batch-size");
	ASSERT_STR(g->votes[0].reason, "throughput x3.5 at 1000");
	ASSERT_INT(g->nrecs, ==, 1);
	ASSERT_NEAR(g->recs[0].local_speedup, 3.5, 1e-12);
	ASSERT_NEAR(g->recs[0].ci_hi, 3.9, 1e-12);
	ASSERT_INT(g->recs[0].kind, ==, EVIDENCE_PROBE);
	ASSERT_STR(g->warnings[0], "noisy run 3");
	ASSERT_INT(g->time.known, ==, 1);
	ASSERT_NEAR(g->time.wall_ms, 900, 1e-9);
	ASSERT_NEAR(g->time.held_ms, 700, 1e-9);
	ASSERT_NEAR(g->time.prepare_ms, 50, 1e-9);
	ASSERT_INT(g->time.prefixes, ==, 4);
	ASSERT_INT(g->time.prepares, ==, 41);
	findings_free(f);
	findings_free(g);
	free(path);
	return 0;
}

/* The lines a pipeline's commands appended to log.txt, joined by spaces. */
static char *
pipeline_log(void)
{
	char *path = path_join(test_tmp(), "log.txt"), *cause = NULL;
	char *text = file_read(path, 1 << 16, NULL, &cause);

	free(path);
	free(cause);
	if (text == NULL)
		return xstrdup("");
	for (char *p = text; *p != '\0'; p++)
		if (*p == '\n')
			*p = p[1] == '\0' ? '\0' : ' ';
	return text;
}

/*
 * A stage with a prepare: the first measurement runs setup and the stage
 * before it and owes the teardown; the next ones run the prepare only;
 * pipeline_settle() pays the teardown. A stage without one runs the whole
 * prefix and the teardown every time.
 */
TEST_IMPL(pipeline_prepare_reruns)
{
	const char *path = test_write("p.yaml", "version: 1\nname: p\npipeline:\n"
	    "  setup: 'echo s >>log.txt'\n  teardown: 'echo t >>log.txt'\n  stages:\n"
	    "    - {name: a, run: 'echo a >>log.txt'}\n"
	    "    - {name: b, run: 'echo b >>log.txt', prepare: 'echo p >>log.txt'}\n"
	    "    - {name: c, run: 'echo c >>log.txt'}\n");
	char *errors = NULL, *failure = NULL, *log;
	struct spec *sp = spec_parse_file(path, NULL, &errors);
	struct stage_result r;
	struct pipeline_counts before, after;

	ASSERT(sp != NULL);
	free(sp->workdir);
	sp->workdir = xstrdup(test_tmp());
	pipeline_get_counts(&before);
	for (int i = 0; i < 3; i++) {
		ASSERT_INT(pipeline_measure(sp, 1, NULL, test_tmp(), NULL, NULL, &r, &failure), ==, 0);
		ASSERT(r.ok);
		pipeline_result_free(&r);
	}
	log = pipeline_log();
	ASSERT_STR(log, "s a b p b p b");
	free(log);
	pipeline_settle();
	log = pipeline_log();
	ASSERT_STR(log, "s a b p b p b t");
	free(log);
	pipeline_get_counts(&after);
	ASSERT_INT(after.prefixes - before.prefixes, ==, 1);
	ASSERT_INT(after.prepares - before.prepares, ==, 2);
	/* Stage c has no prepare: the whole prefix and the teardown, each time. */
	for (int i = 0; i < 2; i++) {
		ASSERT_INT(pipeline_measure(sp, 2, NULL, test_tmp(), NULL, NULL, &r, &failure), ==, 0);
		pipeline_result_free(&r);
	}
	log = pipeline_log();
	ASSERT_STR(log, "s a b p b p b t s a b c t s a b c t");
	free(log);
	spec_free(sp);
	return 0;
}

/* Measure stage i once; the log after it, then the log cleared. */
static char *
measure_logged(struct spec *sp, int i)
{
	char *failure = NULL, *log, *path = path_join(test_tmp(), "log.txt");
	struct stage_result r;

	if (pipeline_measure(sp, i, NULL, test_tmp(), NULL, NULL, &r, &failure) != 0)
		free(failure);
	pipeline_result_free(&r);
	log = pipeline_log();
	unlink(path);
	free(path);
	return log;
}

/*
 * What a hold of the lock made passes to the next one of the same
 * investigation: a prepare instead of the prefix. Not to another
 * investigation's, not when the spec has a teardown; and a stage that
 * fails after an inherited prepare runs again after the whole prefix.
 */
TEST_IMPL(pipeline_handover)
{
	const char *path = test_write("h.yaml", "version: 1\nname: h\npipeline:\n"
	    "  setup: 'touch up; echo s >>log.txt'\n  stages:\n"
	    "    - {name: a, run: 'echo a >>log.txt'}\n"
	    "    - {name: b, run: 'test -f up && echo b >>log.txt', prepare: 'echo p >>log.txt'}\n");
	char *errors = NULL, *log, *file = path_join(test_tmp(), "lock.primed");
	char *up = path_join(test_tmp(), "up");
	struct spec *sp = spec_parse_file(path, NULL, &errors);
	static const struct {
		const char *key, *log;
	} holds[] = {
		{ NULL, "s a b" },	/* the first hold: the prefix */
		{ "K", "p b" },		/* the same investigation's next */
		{ "other", "s a b" },	/* another investigation's */
		{ "K", "p b" },
	};

	ASSERT(sp != NULL);
	free(sp->workdir);
	sp->workdir = xstrdup(test_tmp());
	for (size_t h = 0; h < PERFD_ARRAY_LEN(holds); h++) {
		if (holds[h].key != NULL)
			pipeline_handover_take(sp, file, holds[h].key);
		ASSERT(access(file, F_OK) != 0);	/* taken: gone */
		log = measure_logged(sp, 1);
		ASSERT_STR(log, holds[h].log);
		free(log);
		pipeline_handover_give(file, "K");
		ASSERT(access(file, F_OK) == 0);
	}
	/* What the prefix started is gone (as agent_unlock() stops it): the stage fails. */
	unlink(up);
	pipeline_handover_take(sp, file, "K");
	log = measure_logged(sp, 1);
	ASSERT_STR(log, "p s a b");
	free(log);
	/* This process takes no handover after that. */
	pipeline_handover_give(file, "K");
	pipeline_handover_take(sp, file, "K");
	log = measure_logged(sp, 1);
	ASSERT_STR(log, "s a b");
	free(log);
	pipeline_settle();
	/* With a teardown, the hold settles and gives nothing. */
	free(sp->teardown);
	sp->teardown = xstrdup("echo t >>log.txt");
	pipeline_handover_give(file, "K");
	ASSERT(access(file, F_OK) != 0);
	free(file);
	free(up);
	spec_free(sp);
	return 0;
}

TEST_IMPL(findings_invalid)
{
	static const struct {
		const char *json, *why;
	} cases[] = {
		{ "[]", "not a JSON object" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\"}", "findings: missing 'status'" },
		{ "{\"schema\":\"other/2\",\"agent\":\"x\",\"status\":\"ok\"}",
		  "schema 'other/2' is not perfd.findings/1" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"great\"}",
		  "status 'great' is not ok, partial, failed or skipped" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[{\"stage\":\"a\",\"vote\":\"maybe\",\"reason\":\"r\"}],"
		  "\"recommendations\":[]}", "votes[0]: vote 'maybe' is not optimize, leave or abstain" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":0,\"evidence_kind\":\"probe\",\"effort\":\"low\"}]}",
		  "recommendations[0]: 'local_speedup' must be a number > 0" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":2,\"measured\":true,\"effort\":\"low\"}]}",
		  "recommendations[0]: missing 'evidence_kind'" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":2,\"evidence_kind\":\"guess\",\"effort\":\"low\"}]}",
		  "recommendations[0]: evidence_kind 'guess' is not pipeline, probe or estimate" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":2,\"evidence_kind\":\"estimate\","
		  "\"measured\":true,\"effort\":\"low\"}]}",
		  "recommendations[0]: 'measured' must be true for pipeline and probe evidence, "
		  "false for an estimate" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":2,\"evidence_kind\":\"probe\"}]}",
		  "recommendations[0]: missing 'effort'" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":2,\"evidence_kind\":\"probe\","
		  "\"effort\":\"low\",\"local_speedup_ci\":[3,1]}]}",
		  "recommendations[0]: 'local_speedup_ci' must be null or [lo, hi] with 0 < lo <= hi" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[{\"id\":\"i\",\"title\":\"t\","
		  "\"stage\":\"a\",\"local_speedup\":2,\"evidence_kind\":\"probe\","
		  "\"effort\":\"low\",\"local_speedup_ci\":\"wide\"}]}",
		  "recommendations[0]: 'local_speedup_ci' must be null or [lo, hi] with 0 < lo <= hi" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[],\"warnings\":[\"w\",7]}",
		  "warnings[1]: must be a string" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[],\"time\":{\"wall_ms\":-1}}",
		  "time.wall_ms: must be a number >= 0" },
		{ "{\"schema\":\"perfd.findings/1\",\"agent\":\"x\",\"status\":\"ok\","
		  "\"votes\":[],\"recommendations\":[],\"time\":7}",
		  "'time' must be an object" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cause = NULL;

		ASSERT(findings_parse(cases[i].json, NULL, &cause) == NULL);
		ASSERT_STR(cause, cases[i].why);
		free(cause);
	}
	{
		/* With the spec: a vote or recommendation for a stage it lacks. */
		const char *path = test_write("f.yaml", "version: 1\nname: x\npipeline:\n"
		    "  stages:\n    - {name: a, run: 'true'}\n");
		char *errors = NULL, *cause = NULL;
		struct spec *sp = spec_parse_file(path, NULL, &errors);

		ASSERT(sp != NULL);
		ASSERT(findings_parse("{\"schema\":\"perfd.findings/1\",\"agent\":\"x\","
		    "\"status\":\"ok\",\"votes\":[{\"stage\":\"b\",\"vote\":\"leave\","
		    "\"reason\":\"r\"}],\"recommendations\":[]}", sp, &cause) == NULL);
		ASSERT_STR(cause, "votes[0]: stage 'b' is not a stage of the spec");
		free(cause);
		ASSERT(findings_parse("{\"schema\":\"perfd.findings/1\",\"agent\":\"x\","
		    "\"status\":\"ok\",\"votes\":[],\"recommendations\":[{\"id\":\"i\","
		    "\"title\":\"t\",\"stage\":\"b\",\"local_speedup\":2,\"evidence_kind\":"
		    "\"probe\",\"effort\":\"low\"}]}", sp, &cause) == NULL);
		ASSERT_STR(cause, "recommendations[0]: stage 'b' is not a stage of the spec");
		free(cause);
		spec_free(sp);
	}
	return 0;
}

TEST_IMPL(atomic_write_replaces)
{
	char *path = path_join(test_tmp(), "r.md"), *cause = NULL, *text;

	ASSERT_INT(file_write_atomic(path, "old", 3, &cause), ==, 0);
	ASSERT_INT(file_write_atomic(path, "new text", 8, &cause), ==, 0);
	text = file_read(path, 100, NULL, &cause);
	ASSERT_STR(text, "new text");
	free(text);
	/* No temporary file is left beside it. */
	{
		DIR *d = opendir(test_tmp());
		struct dirent *e;
		int files = 0;

		while ((e = readdir(d)) != NULL)
			files += e->d_name[0] != '.';
		closedir(d);
		ASSERT_INT(files, ==, 1);
	}
	ASSERT(file_write_atomic("/nonexistent/dir/x", "a", 1, &cause) != 0);
	ASSERT(strstr(cause, "/nonexistent/dir/x.tmp.") != NULL);
	free(cause);
	/* Without the fsyncs, the same replacement. */
	ASSERT_INT(file_write_untorn(path, "newer", 5, &cause), ==, 0);
	text = file_read(path, 100, NULL, &cause);
	ASSERT_STR(text, "newer");
	free(text);
	ASSERT(file_write_untorn("/nonexistent/dir/x", "a", 1, &cause) != 0);
	free(cause);
	free(path);
	return 0;
}

static int nlines, ntoolong;
static char last[64];

static void
on_line(void *arg, char *line)
{
	(void)arg;
	nlines++;
	snprintf(last, sizeof last, "%s", line);
}

static void
on_toolong(void *arg)
{
	(void)arg;
	ntoolong++;
}

/* Valid UTF-8 passes; stray, overlong and surrogate bytes are written \xNN. */
TEST_IMPL(utf8_escape_invalid)
{
	char *a = utf8_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	char *b = utf8_escape("p\xff\xfeng \xc0\xaf \xed\xa0\x80 \xe2\x82");

	ASSERT_STR(a, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	ASSERT_STR(b, "p\\xFF\\xFEng \\xC0\\xAF \\xED\\xA0\\x80 \\xE2\\x82");
	free(a);
	free(b);
	return 0;
}

/* A long output keeps its two ends and a line saying what was cut. */
TEST_IMPL(file_keep_ends_cuts_middle)
{
	char path[] = "/tmp/perfd-test-keep-XXXXXX", *text, *cause = NULL;
	int fd = mkstemp(path);
	size_t len;

	ASSERT(fd >= 0);
	for (int i = 0; i < 1000; i++)
		ASSERT(write(fd, i < 500 ? "a" : "b", 1) == 1);
	close(fd);
	ASSERT_INT(file_keep_ends(path, 2000), ==, 0);	/* short: kept whole */
	ASSERT_INT(file_keep_ends(path, 100), ==, 1);
	text = file_read(path, 4096, &len, &cause);
	ASSERT(text != NULL);
	ASSERT(strncmp(text, "aaaa", 4) == 0 && text[99] == 'a');
	ASSERT(strstr(text, "[perfd: 800 bytes cut here; the first and last 100 bytes "
	    "are kept]\n") != NULL);
	ASSERT(text[len - 1] == 'b' && text[len - 100] == 'b' && text[len - 101] == '\n');
	free(text);
	unlink(path);
	return 0;
}

TEST_IMPL(linebuf_split)
{
	struct linebuf lb = { .max = 100 };

	proto_line_feed(&lb, "ab", 2, on_line, on_toolong, NULL);
	ASSERT_INT(nlines, ==, 0);
	proto_line_feed(&lb, "c\nde\nf", 6, on_line, on_toolong, NULL);
	ASSERT_INT(nlines, ==, 2);
	ASSERT_STR(last, "de");
	proto_line_feed(&lb, "\n", 1, on_line, on_toolong, NULL);
	ASSERT_STR(last, "f");
	proto_line_free(&lb);
	return 0;
}

static struct linebuf *pausing;

static void
on_line_pause(void *arg, char *line)
{
	on_line(arg, line);
	proto_line_pause(pausing);
}

/* A pause holds the rest unread; resuming splits it, a line at a time here. */
TEST_IMPL(linebuf_pause_resume)
{
	struct linebuf lb = { .max = 100 };

	pausing = &lb;
	nlines = 0;
	proto_line_feed(&lb, "a\nb\nc", 5, on_line_pause, on_toolong, NULL);
	ASSERT_INT(nlines, ==, 1);
	ASSERT_STR(last, "a");
	proto_line_feed(&lb, "\nd\n", 3, on_line_pause, on_toolong, NULL);
	ASSERT_INT(nlines, ==, 1);
	proto_line_resume(&lb, on_line_pause, on_toolong, NULL);
	ASSERT_INT(nlines, ==, 2);
	ASSERT_STR(last, "b");
	proto_line_resume(&lb, on_line_pause, on_toolong, NULL);
	ASSERT_STR(last, "c");
	proto_line_resume(&lb, on_line, on_toolong, NULL);
	ASSERT_INT(nlines, ==, 4);
	ASSERT_STR(last, "d");
	ASSERT_INT(lb.held.len, ==, 0);
	proto_line_free(&lb);
	return 0;
}

/* A line over the cap is dropped whole, and the stream goes on after it. */
TEST_IMPL(linebuf_toolong)
{
	struct linebuf lb = { .max = 10 };

	proto_line_feed(&lb, "0123456789abc", 13, on_line, on_toolong, NULL);
	ASSERT_INT(ntoolong, ==, 1);
	proto_line_feed(&lb, "defgh", 5, on_line, on_toolong, NULL);
	proto_line_feed(&lb, "ij\nok\n", 6, on_line, on_toolong, NULL);
	ASSERT_INT(ntoolong, ==, 1);
	ASSERT_INT(nlines, ==, 1);
	ASSERT_STR(last, "ok");
	proto_line_free(&lb);
	return 0;
}

static int nreplayed;

static void
count_event(void *arg, int64_t seq, const char *body)
{
	(void)arg;
	(void)seq;
	(void)body;
	nreplayed++;
}

TEST_IMPL(store_events_and_status)
{
	char *cause = NULL;
	struct store *s = store_open(test_tmp(), &cause);
	cJSON *inv;

	ASSERT(s != NULL);
	ASSERT_INT(store_add_investigation(s, "id1", "n", "/x.yaml", "{}", "h", "/d",
	    getpid()), ==, 0);
	ASSERT(store_add_investigation(s, "id1", "n", "/x.yaml", "{}", "h", "/d", 1) != 0);
	store_begin(s);
	for (int i = 1; i <= 5; i++)
		ASSERT_INT(store_add_event(s, "id1", i, 0, NULL, "log", "{}"), ==, 0);
	store_commit(s);
	ASSERT_INT(store_last_seq(s, "id1"), ==, 5);
	ASSERT_INT(store_each_event(s, "id1", 2, 100, count_event, NULL), ==, 3);
	ASSERT_INT(nreplayed, ==, 3);
	ASSERT_INT(store_each_event(s, "id1", 0, 2, count_event, NULL), ==, 2);
	store_set_status(s, "id1", "running", NULL);
	store_agent_started(s, "id1", "profiling", 123);
	store_agent_ended(s, "id1", "profiling", "failed", 1, 0, "exit 1");
	store_set_status(s, "id1", "done", NULL);
	store_set_report(s, "id1", "/d/MASTER_INTEGRATION_REPORT.md");
	inv = store_get(s, "id1");
	ASSERT(inv != NULL);
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(inv, "status")), "done");
	ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(inv, "ended_ms")));
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(inv, "agents"), 0), "reason")), "exit 1");
	cJSON_Delete(inv);
	ASSERT(store_get(s, "nope") == NULL);
	/* runs.csv import: counted successful runs only, numeric columns only. */
	{
		const char *csv = test_write("runs.csv",
		    "run,warmup,stage,kind,ok,wall_ms,peak_rss_kb,dns_ms\n"
		    "1,1,a,run,1,9.5,100,\n"
		    "1,0,a,run,1,1.5,200,\n"
		    "2,0,a,run,0,2.5,200,\n"
		    "2,0,b,fetch,1,3.5,0,0.25\n");

		ASSERT_INT(store_import_runs(s, "id1", "profiling", csv), ==, 2);
	}
	ASSERT(store_integrity_ok(s));
	store_close(s);
	return 0;
}

static int nrecovered;

static void
on_recover(void *arg, const char *id, const int64_t *pids, int npids)
{
	(void)arg;
	ASSERT_STR(id, "dead");
	ASSERT_INT(npids, ==, 1);
	ASSERT_INT(pids[0], ==, 4242);
	nrecovered++;
}

/* Investigations of a dead owner become interrupted; a live owner's stay. */
TEST_IMPL(store_recover)
{
	char *cause = NULL;
	struct store *s = store_open(test_tmp(), &cause);
	pid_t dead = fork();
	cJSON *inv;

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	store_add_investigation(s, "dead", "n", NULL, "{}", "h", "/d", dead);
	store_set_status(s, "dead", "running", NULL);
	store_agent_started(s, "dead", "profiling", 4242);
	store_add_investigation(s, "alive", "n", NULL, "{}", "h", "/d", getppid());
	store_set_status(s, "alive", "running", NULL);
	ASSERT_INT(store_recover(s, on_recover, NULL), ==, 1);
	ASSERT_INT(nrecovered, ==, 1);
	inv = store_get(s, "dead");
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(inv, "status")), "interrupted");
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(inv, "agents"), 0), "status")), "interrupted");
	cJSON_Delete(inv);
	inv = store_get(s, "alive");
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(inv, "status")), "running");
	cJSON_Delete(inv);
	store_close(s);
	return 0;
}

#include "rank.h"

TEST_IMPL(rank_rules)
{
	/* The seed rules, as counts of optimize and leave votes. */
	ASSERT_INT(rank_consensus(4, 0), ==, CONS_CONSENSUS);
	ASSERT_INT(rank_consensus(0, 3), ==, CONS_CONSENSUS);
	ASSERT_INT(rank_consensus(2, 0), ==, CONS_INVESTIGATE);
	ASSERT_INT(rank_consensus(1, 0), ==, CONS_SINGLE);
	ASSERT_INT(rank_consensus(0, 0), ==, CONS_NONE);
	ASSERT_INT(rank_consensus(3, 1), ==, CONS_CONTRADICTION);
	ASSERT_INT(rank_consensus(1, 1), ==, CONS_CONTRADICTION);
	/* Amdahl: 10x on 4% of the time is 1.037x; 10x on 90% is 5.26x. */
	ASSERT_NEAR(rank_amdahl(0.04, 10), 1.0 / 0.964, 1e-12);
	ASSERT_NEAR(rank_amdahl(0.9, 10), 1.0 / 0.19, 1e-12);
	ASSERT_NEAR(rank_amdahl(1.0, 3), 3, 1e-12);
	ASSERT_NEAR(rank_amdahl(0, 100), 1, 1e-12);
	/* Boundaries: 5 is P1, just above is P0; 2 is P1; 1.2 is P2. */
	ASSERT_INT(rank_priority(5.0001, 0), ==, 0);
	ASSERT_INT(rank_priority(5.0, 0), ==, 1);
	ASSERT_INT(rank_priority(rank_amdahl(1.0, 5), 0), ==, 1);
	ASSERT_INT(rank_priority(2.0, 0), ==, 1);
	ASSERT_INT(rank_priority(1.9999999999999, 0), ==, 1);
	ASSERT_INT(rank_priority(1.99, 0), ==, 2);
	ASSERT_INT(rank_priority(1.2, 0), ==, 2);
	ASSERT_INT(rank_priority(1.19, 0), ==, 3);
	/* An estimate is never above P1. */
	ASSERT_INT(rank_priority(20, 1), ==, 1);
	ASSERT_INT(rank_priority(1.1, 1), ==, 3);
	ASSERT_INT(rank_priority(20, 0), ==, 0);
	return 0;
}

#include "dbdriver.h"

TEST_IMPL(db_driver_registry)
{
	const struct db_driver *d = db_driver("sqlite");

	ASSERT(d != NULL);
	ASSERT_STR(d->kind, "sqlite");
	ASSERT_STR(d->rules, "sqlite.yaml");
	ASSERT(d->nsettings > 0);
	ASSERT(db_driver("postgres") == NULL);
	ASSERT(db_driver(NULL) == NULL);
	ASSERT_STR(db_driver_kinds(), "sqlite, postgresql");
	{
		char *t = d->apply_text("journal_mode", "wal");

		ASSERT_STR(t, "PRAGMA journal_mode = wal;");
		free(t);
	}
	/* PostgreSQL: the server's settings by ALTER SYSTEM, a restart said where one is needed. */
	d = db_driver("postgresql");
	ASSERT(d != NULL && d->shim == NULL && d->activity != NULL && d->insert_copy != NULL);
	ASSERT_STR(d->rules, "postgresql.yaml");
	{
		char *t = d->apply_text("max_wal_size", "4GB"), *r = d->apply_text("wal_buffers",
		    "16MB"), *s = d->session_text("synchronous_commit", "off");

		ASSERT_STR(t, "ALTER SYSTEM SET max_wal_size = '4GB';");
		ASSERT(strstr(r, "restart the server") != NULL);
		ASSERT_STR(s, "synchronous_commit=off");
		free(t);
		free(r);
		free(s);
	}
	return 0;
}

/*
 * The contract's roster and environment are what docs/agents.md says:
 * each agent's row of its roster table, and each variable, appear there.
 */
TEST_IMPL(investigation_contract)
{
	char *path = path_join(test_src(), "docs/agents.md"), *cause = NULL;
	char *doc = file_read(path, 1 << 20, NULL, &cause);
	const char *values[INV_ENV_COUNT] = { "id", "lock", "spec", NULL };
	char *base[] = { "HOME=/h", "PERFD_LOCK=/stale", "PERFD_LOCKX=keep",
	    "PERFD_INVESTIGATION=outer", "PERFD_DB_PASSWORD=outer-secret", NULL };
	char **env;

	ASSERT(doc != NULL);
	for (int i = 0; i < INV_AGENTS; i++) {
		const struct inv_agent *a = &inv_agents[i];
		char *row = xasprintf("| `%s` | %s | %s%s%s | %s%s%s | %lld s |", a->name,
		    a->role == INV_INVESTIGATOR ? "investigator" : "integrator",
		    a->report ? "`" : "", a->report ? a->report : "`" INV_MASTER_MD "`",
		    a->report ? "`" : "", a->chart ? "`" : "", a->chart ? a->chart : "—",
		    a->chart ? "`" : "", (long long)(a->extra_timeout_ms / 1000));

		if (strstr(doc, row) == NULL)
			fprintf(stderr, "docs/agents.md lacks the row: %s\n", row);
		ASSERT(strstr(doc, row) != NULL);
		ASSERT_INT(inv_agent_index(a->name), ==, i);
		free(row);
	}
	ASSERT_INT(inv_agent_index("nobody"), ==, -1);
	for (int i = 0; i < INV_ENV_COUNT; i++)
		ASSERT(strstr(doc, inv_env_names[i]) != NULL);
	ASSERT_STR(inv_outcome(1, 1), "cancelled");
	ASSERT_STR(inv_outcome(0, 1), "done");
	ASSERT_STR(inv_outcome(0, 0), "failed");
	/* Inherited contract variables go; a longer name that shares a prefix stays. */
	env = inv_env(base, values);
	ASSERT_STR(env[0], "HOME=/h");
	ASSERT_STR(env[1], "PERFD_LOCKX=keep");
	ASSERT_STR(env[2], "PERFD_INVESTIGATION=id");
	ASSERT_STR(env[3], "PERFD_LOCK=lock");
	ASSERT_STR(env[4], "PERFD_SPEC_SOURCE=spec");
	ASSERT_STR(env[5], "PERFD_BASELINE=");
	ASSERT_STR(env[6], "PERFD_DB_PASSWORD=");
	ASSERT(env[7] == NULL);
	inv_env_free(env);
	free(doc);
	free(path);
	return 0;
}

#include "file.h"
#include "path.h"
#include "pgcluster.h"

#include <sys/stat.h>

/* A query's one value from psql on conninfo (caller frees), or NULL. */
static char *
psql_value(const char *conninfo, const char *sql)
{
	char *q = run_quote(conninfo), *qs = run_quote(sql);
	char *cmd = xasprintf("psql %s -XAtc %s 2>&1", q, qs), line[512] = "";
	FILE *p = popen(cmd, "r");

	if (p != NULL && fgets(line, sizeof line, p) == NULL)
		line[0] = '\0';
	if (p != NULL)
		pclose(p);
	line[strcspn(line, "\n")] = '\0';
	free(q);
	free(qs);
	free(cmd);
	return p != NULL ? xstrdup(line) : NULL;
}

/*
 * A scratch cluster: started with the settings given, on a unix socket in
 * its own folder and no TCP port; stopped and removed, its server gone.
 * As root it runs as postgres (the server refuses root).
 */
TEST_IMPL(pgcluster_lifecycle)
{
	const char *const settings[] = { "synchronous_commit=off", "max_wal_size=64MB", NULL };
	struct pgcluster c;
	char *cause = NULL, *ci, *v, *dir;
	pid_t pid;

	if (pgcluster_start(&c, test_tmp(), 15, settings, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		ASSERT(0);
	}
	ASSERT(c.pid > 0 && c.dir != NULL);
	ci = pgcluster_conninfo(&c);
	v = psql_value(ci, "SHOW synchronous_commit");
	ASSERT_STR(v, "off");
	free(v);
	v = psql_value(ci, "SHOW listen_addresses");
	ASSERT_STR(v, "");
	free(v);
	v = psql_value(ci, "SELECT current_user");
	ASSERT_STR(v, "perfd");
	free(v);
	if (geteuid() == 0) {
		struct stat st;
		char *data = path_join(c.dir, "data");

		ASSERT(stat(data, &st) == 0 && st.st_uid != 0);
		free(data);
	}
	pid = c.pid;
	dir = xstrdup(c.dir);
	pgcluster_stop(&c);
	ASSERT(c.pid == 0 && c.dir == NULL);
	ASSERT(kill(pid, 0) != 0);		/* reaped, not a zombie */
	ASSERT(access(dir, F_OK) != 0);		/* removed */
	/* Stopping again, or a cluster that never started, is harmless. */
	pgcluster_stop(&c);
	free(dir);
	free(ci);
	return 0;
}

/*
 * An owner that dies without stopping its cluster (killed, or a test that
 * failed half-way: two clusters were left running so) takes the server with
 * it. The folder is the leftover scan's to remove, here the test's.
 */
TEST_IMPL(pgcluster_dies_with_owner)
{
	struct pgcluster c;
	char *cause = NULL, buf[512] = "";
	int fds[2], status, n;
	pid_t owner, server = 0;

	ASSERT(pipe(fds) == 0);
	if ((owner = fork()) == 0) {
		if (pgcluster_start(&c, test_tmp(), 15, NULL, &cause) != 0)
			_exit(1);
		dprintf(fds[1], "%d %s", (int)c.pid, c.dir);
		_exit(0);		/* without pgcluster_stop() */
	}
	close(fds[1]);
	n = (int)read(fds[0], buf, sizeof buf - 1);
	close(fds[0]);
	ASSERT(waitpid(owner, &status, 0) == owner && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	ASSERT(n > 0 && sscanf(buf, "%d", &server) == 1 && server > 0);
	for (int i = 0; i < 500 && kill(server, 0) == 0; i++)
		usleep(10 * 1000);
	ASSERT(kill(server, 0) != 0);
	ASSERT(file_remove_tree(strchr(buf, ' ') + 1) == 0);
	return 0;
}

/* A major version that is not installed: said, and nothing left behind. */
TEST_IMPL(pgcluster_missing_version)
{
	struct pgcluster c;
	char *cause = NULL;

	ASSERT(pgcluster_start(&c, test_tmp(), 99, NULL, &cause) == -1);
	ASSERT(strstr(cause, "PostgreSQL 99's server is not installed here") != NULL);
	ASSERT(c.dir == NULL && c.pid == 0);
	free(cause);
	return 0;
}

/* rm -rf: everything under the folder goes; what a link points at stays. */
TEST_IMPL(file_remove_tree_links)
{
	char *top = path_join(test_tmp(), "tree"), *keep = path_join(test_tmp(), "keep.txt");
	char *link = path_join(top, "sub/link"), *deeper = path_join(top, "sub/deeper");

	ASSERT(file_mkdir_p(deeper, 0700) == 0);
	ASSERT(test_write("tree/sub/deeper/f.txt", "x") != NULL);
	ASSERT(test_write("tree/g.txt", "y") != NULL);
	ASSERT(test_write("keep.txt", "z") != NULL);
	ASSERT(symlink(keep, link) == 0);
	ASSERT(file_remove_tree(top) == 0);
	ASSERT(access(top, F_OK) != 0);
	ASSERT(access(keep, F_OK) == 0);
	ASSERT(file_remove_tree(top) == 0);	/* nothing there: done */
	free(top);
	free(keep);
	free(link);
	free(deeper);
	return 0;
}

#include "pgread.h"

/* psql as the cluster's superuser; 0 when it succeeded. */
static int
psql_run(const char *conninfo, const char *sql)
{
	char *q = run_quote(conninfo), *qs = run_quote(sql);
	char *cmd = xasprintf("psql %s -Xq -v ON_ERROR_STOP=1 -c %s >/dev/null 2>&1", q, qs);
	int rc = system(cmd);

	free(q);
	free(qs);
	free(cmd);
	return rc;
}

/*
 * What perfd reads of a PostgreSQL server, on a scratch cluster standing in
 * for the user's: settings with their source and whether they need a
 * restart, the table's definition and rows, the pressure counters; the
 * session is read-only, and a whole capture writes nothing.
 */
TEST_IMPL(pgread_capture_readonly)
{
	const char *const settings[] = { "synchronous_commit=off", NULL };
	const char *const names[] = { "synchronous_commit", "wal_buffers", "no_such", NULL };
	struct pgcluster c;
	struct pgread p;
	char *cause = NULL, *ci, *before, *after;
	PGconn *conn;
	PGresult *r;

	ASSERT(pgcluster_start(&c, test_tmp(), 15, settings, &cause) == 0);
	ci = pgcluster_conninfo(&c);
	ASSERT(psql_run(ci, "CREATE TABLE public.trades (id bigint PRIMARY KEY, "
	    "price real NOT NULL DEFAULT 0, side text); CREATE INDEX trades_side ON trades "
	    "(side); CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS "
	    "'BEGIN RETURN NEW; END'; CREATE TRIGGER trades_t BEFORE INSERT ON trades FOR "
	    "EACH ROW EXECUTE FUNCTION t(); INSERT INTO trades SELECT g, 1.5, 'b' FROM "
	    "generate_series(1, 42) g") == 0);
	before = psql_value(ci, "SELECT tup_inserted + tup_updated + tup_deleted FROM "
	    "pg_stat_database WHERE datname = 'postgres'");
	ASSERT((conn = pgread_connect(ci, NULL, &cause)) != NULL);
	ASSERT(pgread_capture(conn, "trades", names, &p, &cause) == 0);
	ASSERT(p.version >= 150000 && p.version < 160000);
	ASSERT(p.nsettings == 2);		/* no_such is left out */
	ASSERT_STR(p.settings[0].value, "off");
	ASSERT_STR(p.settings[0].source, "configuration file");
	ASSERT(!p.settings[0].restart && p.settings[1].restart);
	ASSERT_STR(p.table, "public.trades");
	ASSERT(p.rows == 42 && p.nindexes == 2);
	/* The index a load may go without: not the primary key's. */
	ASSERT(p.nsecondary == 1);
	ASSERT_STR(p.secondary_drop, "DROP INDEX trades_side;");
	ASSERT_STR(p.secondary_create, "CREATE INDEX trades_side ON public.trades USING btree "
	    "(side);");
	ASSERT(strstr(p.definition, "- column `price`: `real NOT NULL DEFAULT 0`") != NULL);
	ASSERT(strstr(p.definition, "- index `trades_side`: `CREATE INDEX") != NULL);
	ASSERT(strstr(p.definition, "- trigger `trades_t`: `CREATE TRIGGER") != NULL);
	ASSERT(strstr(p.definition, "PRIMARY KEY (id)") != NULL);
	/* The session refuses to write. */
	r = PQexec(conn, "INSERT INTO trades VALUES (100, 1, 'x')");
	ASSERT(PQresultStatus(r) == PGRES_FATAL_ERROR);
	ASSERT(strstr(PQresultErrorMessage(r), "read-only transaction") != NULL);
	PQclear(r);
	pgread_free(&p);
	/* A table that is not there, named. */
	ASSERT(pgread_capture(conn, "public.nope", names, &p, &cause) == PGREAD_ABSENT);
	ASSERT(strstr(cause, "no table 'public.nope' on the server") != NULL);
	free(cause);
	cause = NULL;
	PQfinish(conn);
	after = psql_value(ci, "SELECT tup_inserted + tup_updated + tup_deleted FROM "
	    "pg_stat_database WHERE datname = 'postgres'");
	ASSERT_STR(after, before);
	pgcluster_stop(&c);
	/* A server that is not there. */
	ASSERT(pgread_connect(ci, NULL, &cause) == NULL);
	ASSERT(strstr(cause, "cannot connect to the PostgreSQL server") != NULL);
	free(cause);
	free(before);
	free(after);
	free(ci);
	return 0;
}

/* A password in a connection string never shows. */
TEST_IMPL(pgread_redact_password)
{
	char *a = pgread_redact("host=/run/postgresql dbname=market user=loader password=s3cr'et");
	char *b = pgread_redact("postgresql://loader:s3cret@localhost:5433/market");
	char *c = pgread_redact("host=/run/postgresql dbname=market");

	ASSERT(a != NULL && strstr(a, "s3cr") == NULL && strstr(a, "password=********") != NULL);
	ASSERT(strstr(a, "dbname=market") != NULL && strstr(a, "user=loader") != NULL);
	ASSERT(b != NULL && strstr(b, "s3cret") == NULL && strstr(b, "port=5433") != NULL);
	ASSERT(c != NULL && strstr(c, "********") == NULL);
	ASSERT(pgread_redact("host='unterminated") == NULL);
	free(a);
	free(b);
	free(c);
	return 0;
}

#include "proc.h"

#include <signal.h>
#include <sys/wait.h>

/*
 * A child kept (a scratch database server) outlives the reaping that ends
 * every lock hold; once unkept, the next reaping stops it. Children not
 * kept are stopped as before.
 */
TEST_IMPL(proc_keep_spares_child)
{
	pid_t kept = fork(), other;

	if (kept == 0) {
		pause();
		_exit(0);
	}
	ASSERT(kept > 0);
	other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	ASSERT(other > 0);
	ASSERT(proc_keep(kept) == 0);
	ASSERT(proc_reap_children(NULL, NULL) == 1);
	ASSERT(kill(kept, 0) == 0);		/* still running */
	ASSERT(waitpid(other, NULL, WNOHANG) < 0);	/* reaped already */
	proc_unkeep(kept);
	ASSERT(proc_reap_children(NULL, NULL) == 1);
	ASSERT(kill(kept, 0) < 0);
	/* PROC_KEPT at most. */
	for (int i = 0; i < PROC_KEPT; i++)
		ASSERT(proc_keep(100000 + i) == 0);
	ASSERT(proc_keep(99) == -1);
	for (int i = 0; i < PROC_KEPT; i++)
		proc_unkeep(100000 + i);
	return 0;
}

#include "pgprobe.h"

/*
 * The probe's ways of writing rows on a scratch cluster, each landing the
 * rows it says (values made for every type it knows, NULL for one it does
 * not), and a failure of each named with the server's words.
 */
TEST_IMPL(pgprobe_patterns)
{
	const char *ddl = "CREATE TABLE public.t (id bigint PRIMARY KEY, ts timestamptz NOT "
	    "NULL, price real, side text, ok bool, u uuid, j jsonb, d date, s smallint, "
	    "p point, made timestamptz DEFAULT now())";
	struct pgcluster c;
	struct pgprobe p;
	char *cause = NULL, *ci, *v;

	ASSERT(pgcluster_start(&c, test_tmp(), 15, NULL, &cause) == 0);
	ci = pgcluster_conninfo(&c);
	ASSERT(pgprobe_open(&p, PQconnectdb(ci), "public.t", ddl, &cause) == 0);
	ASSERT(p.ncols == 10);			/* made: left to its default */
	ASSERT(pgprobe_insert(&p, 50, 0, 0, &cause) > 0);	/* SQL text, autocommit */
	ASSERT(pgprobe_insert(&p, 50, 10, 1, &cause) > 0);	/* prepared, every 10 */
	ASSERT(pgprobe_insert_multi(&p, 100, 25, &cause) > 0);
	ASSERT(pgprobe_copy(&p, 1000, &cause) > 0);
	ASSERT(pgprobe_pipeline(&p, 1200, &cause) > 0);	/* more than one sync */
	v = psql_value(ci, "SELECT count(*), count(DISTINCT id), count(p), count(made) FROM t");
	ASSERT_STR(v, "2400|2400|0|2400");
	free(v);
	/* The next rows again: each way fails on the primary key, and says so. */
	p.next = 0;
	ASSERT(pgprobe_copy(&p, 10, &cause) < 0);
	ASSERT(strstr(cause, "duplicate key value") != NULL);
	free(cause);
	cause = NULL;
	p.next = 0;
	ASSERT(pgprobe_pipeline(&p, 10, &cause) < 0);
	ASSERT(strstr(cause, "duplicate key value") != NULL);
	free(cause);
	cause = NULL;
	/* The connection is usable after either. */
	p.next = 5000;
	if (pgprobe_insert(&p, 5, 0, 1, &cause) < 0)
		fprintf(stderr, "after: %s\n", cause);
	ASSERT(cause == NULL);
	pgprobe_close(&p);
	v = psql_value(ci, "SELECT to_regclass('public.t') IS NULL");
	ASSERT_STR(v, "t");			/* dropped by close */
	free(v);
	/* A NOT NULL column of a type it cannot fill: refused, named. */
	ASSERT(pgprobe_open(&p, PQconnectdb(ci), "public.t", "CREATE TABLE public.t (a int, "
	    "b point NOT NULL)", &cause) == -1);
	ASSERT(strstr(cause, "column b of type point (NOT NULL, no default)") != NULL);
	free(cause);
	pgprobe_close(&p);
	pgcluster_stop(&c);
	free(ci);
	return 0;
}

/*
 * The two ways of loading db-config measures on the scratch cluster: the
 * secondary indexes dropped before the load and built after it (timed
 * with it), and the rows staged in an unlogged table and moved after;
 * each leaves the table as a plain load does. Then the How the driver
 * gives for each, run as written on a cluster standing in for the user's.
 */
TEST_IMPL(pgprobe_procedures)
{
	const char *ddl = "CREATE TABLE public.t (id bigint PRIMARY KEY, price real, side "
	    "text, made timestamptz DEFAULT now()); CREATE INDEX t_price ON t (price)";
	const struct db_driver *d = &db_postgresql_driver;
	struct pgcluster c;
	struct pgprobe p;
	struct db_capture cap;
	struct spec sp;
	char *cause = NULL, *ci, *v, *how;

	ASSERT(pgcluster_start(&c, test_tmp(), 15, NULL, &cause) == 0);
	ci = pgcluster_conninfo(&c);
	ASSERT(pgprobe_open(&p, PQconnectdb(ci), "public.t", ddl, &cause) == 0);
	ASSERT(pgprobe_build_after(&p, "DROP INDEX t_price;", "CREATE INDEX t_price ON t "
	    "(price);", &cause) == 0);
	v = psql_value(ci, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_price'");
	ASSERT_STR(v, "0");			/* dropped before the load */
	free(v);
	ASSERT(pgprobe_stage_unlogged(&p, &cause) == 0);
	ASSERT(pgprobe_copy(&p, 300, &cause) > 0);
	if (pgprobe_insert(&p, 20, 5, 1, &cause) < 0)
		fprintf(stderr, "insert: %s\n", cause);
	ASSERT(cause == NULL);
	v = psql_value(ci, "SELECT (SELECT count(*) FROM t), (SELECT count(made) FROM t), "
	    "(SELECT count(*) FROM perfd_staging), (SELECT relpersistence FROM pg_class WHERE "
	    "relname = 'perfd_staging'), (SELECT count(*) FROM pg_indexes WHERE indexname = "
	    "'t_price')");
	/* Each load's rows moved (the staging table emptied after), the index built. */
	ASSERT_STR(v, "320|320|0|u|1");
	free(v);
	pgprobe_close(&p);
	v = psql_value(ci, "SELECT to_regclass('t') IS NULL AND to_regclass('perfd_staging') "
	    "IS NULL");
	ASSERT_STR(v, "t");
	free(v);

	/* The How, on a table of the user's with a secondary index. */
	ASSERT(psql_run(ci, ddl) == 0);
	memset(&sp, 0, sizeof sp);
	sp.db_dsn = ci;
	sp.db_table = "public.t";
	ASSERT(d->capture(&sp, test_tmp(), &cap, &cause) == 0);
	ASSERT(d->procedure_how(&sp, "wal_buffers", "16MB", &cap) == NULL);
	how = d->procedure_how(&sp, "secondary indexes", "built after the load", &cap);
	ASSERT(how != NULL && strncmp(how, "before it, `DROP INDEX t_price;`; after it, "
	    "`CREATE INDEX t_price ON public.t USING btree (price);`", 97) == 0);
	free(how);
	ASSERT(psql_run(ci, "DROP INDEX t_price; INSERT INTO t SELECT g FROM "
	    "generate_series(1, 10) g; CREATE INDEX t_price ON public.t USING btree (price);")
	    == 0);
	how = d->procedure_how(&sp, "staging table", "unlogged", &cap);
	ASSERT(how != NULL && strstr(how, "`CREATE UNLOGGED TABLE perfd_staging (LIKE "
	    "public.t INCLUDING DEFAULTS);`") != NULL && strstr(how, "`INSERT INTO public.t "
	    "SELECT * FROM perfd_staging; DROP TABLE perfd_staging;`") != NULL);
	free(how);
	ASSERT(psql_run(ci, "CREATE UNLOGGED TABLE perfd_staging (LIKE public.t INCLUDING "
	    "DEFAULTS); INSERT INTO perfd_staging (id) SELECT g FROM generate_series(11, 15) g; "
	    "INSERT INTO public.t SELECT * FROM perfd_staging; DROP TABLE perfd_staging;") == 0);
	v = psql_value(ci, "SELECT count(*), count(made) FROM t");
	ASSERT_STR(v, "15|15");
	free(v);
	d->release(&cap);
	pgcluster_stop(&c);
	free(ci);
	return 0;
}

#include "expo.h"

/*
 * The exposition format as node_exporter and Prometheus write it, and as
 * OpenMetrics does: types by family (a histogram's _bucket, _sum, _count),
 * labels canonical (sorted, escapes kept), +Inf and NaN, timestamps in ms
 * or in seconds, exemplars and # EOF ignored; a bad line refuses the
 * whole scrape, named by its line.
 */
TEST_IMPL(expo_parse_formats)
{
	const char *prom =
	    "# HELP node_disk_written_bytes_total The total number of bytes written.\n"
	    "# TYPE node_disk_written_bytes_total counter\n"
	    "node_disk_written_bytes_total{device=\"sda\"} 1.2e+09\n"
	    "# TYPE req_seconds histogram\n"
	    "req_seconds_bucket{le=\"0.1\",path=\"/a\"} 3\n"
	    "req_seconds_bucket{path=\"/a\", le=\"+Inf\",} 7 1700000000123\n"
	    "req_seconds_sum{path=\"/a\"} 2.5\n"
	    "req_seconds_count{path=\"/a\"} 7\r\n"
	    "odd{msg=\"a \\\"quoted\\\" \\\\ line\\nbreak\"} NaN\n"
	    "plain -Inf\n";
	const char *om = "# TYPE redis_memory_used_bytes gauge\n"
	    "redis_memory_used_bytes 1.9e9 1700000000.5 # {trace_id=\"x\"} 1\n# EOF\n";
	struct expo x;
	char *cause = NULL, *v;

	ASSERT(expo_parse(prom, strlen(prom), &x, &cause) == 0);
	ASSERT(x.n == 7);
	ASSERT_STR(x.s[0].name, "node_disk_written_bytes_total");
	ASSERT(x.s[0].type == EXPO_COUNTER && x.s[0].value == 1.2e9 && !x.s[0].has_ts);
	ASSERT_STR(x.s[2].labels, "le=\"+Inf\",path=\"/a\"");	/* sorted, trailing comma gone */
	ASSERT(x.s[2].type == EXPO_HISTOGRAM && isinf(x.s[2].value) == 0 && x.s[2].value == 7);
	ASSERT(x.s[2].has_ts && x.s[2].ts_ms == 1700000000123LL);
	ASSERT_STR(x.s[3].family, "req_seconds");
	ASSERT(x.s[4].type == EXPO_HISTOGRAM);
	ASSERT(isnan(x.s[5].value) && x.s[5].type == EXPO_UNTYPED);
	v = expo_label(x.s[5].labels, "msg");
	ASSERT_STR(v, "a \"quoted\" \\ line\nbreak");
	free(v);
	v = expo_label(x.s[1].labels, "le");
	ASSERT_STR(v, "0.1");
	free(v);
	ASSERT(expo_label(x.s[1].labels, "nope") == NULL);
	ASSERT(isinf(x.s[6].value) && x.s[6].value < 0);
	expo_free(&x);
	ASSERT(expo_parse(om, strlen(om), &x, &cause) == 0);
	ASSERT(x.n == 1 && x.s[0].type == EXPO_GAUGE && x.s[0].value == 1.9e9);
	ASSERT(x.s[0].ts_ms == 1700000000500LL);
	expo_free(&x);
	/* Garbage, each refused whole with its line. */
	{
		static const struct { const char *text, *want; } bad[] = {
			{ "<html><body>Not Found</body></html>\n", "line 1: not a metric name" },
			{ "a 1\nb{x=\"1\\t\"} 2\n", "line 2: a bad label value" },
			{ "a{x=\"1\",x=\"2\"} 3\n", "line 1: a label set twice" },
			{ "a{x=\"1\" 3\n", "line 1: labels not closed" },
			{ "a\n", "line 1: no value" },
			{ "a 1 yesterday\n", "line 1: a bad timestamp" },
			{ "a 1 1e300\n", "line 1: a bad timestamp" },	/* fuzzing found it */
			{ "# TYPE a sometimes\n", "line 1: # TYPE with an unknown type" },
		};

		for (size_t i = 0; i < PERFD_ARRAY_LEN(bad); i++) {
			ASSERT(expo_parse(bad[i].text, strlen(bad[i].text), &x, &cause) == -1);
			if (strstr(cause, bad[i].want) == NULL)
				fprintf(stderr, "%s: %s\n", bad[i].text, cause);
			ASSERT(strstr(cause, bad[i].want) != NULL && x.n == 0);
			free(cause);
			cause = NULL;
		}
	}
	ASSERT(expo_parse("a 1\0b 2\n", 8, &x, &cause) == -1);
	free(cause);
	return 0;
}
