/* test-supervisor.c - the supervisor against misbehaving fake agents. */
#include "test.h"
#include "dbdriver.h"

#include "investigation.h"
#include "store.h"
#include "supervisor.h"
#include "util.h"

#include <sqlite3.h>

#include <cjson/cJSON.h>
#include <signal.h>
#include <unistd.h>

struct outcome {
	char		*status;
	char		*report;
	char		*dir;
	char		*id;
	int		 events;
	int		 bad_lines;
	int		 started;	/* agents started before any ended */
	int		 ended;
	int		 concurrent;	/* agents alive at once, seen by a probe */
	struct sup	*sup;
	uv_timer_t	 timer;
	int		 cancel_after_ms;
	int64_t		 pids[INV_AGENTS];
	const char	*store_sql;	/* run on the state database before the submit */
};

static void
on_event(void *arg, const char *id, int64_t seq, const char *line)
{
	struct outcome *o = arg;
	cJSON *e = cJSON_Parse(line);
	const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(e, "state"));
	const char *event = cJSON_GetStringValue(cJSON_GetObjectItem(e, "event"));
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));

	(void)id;
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "%s\n", line);
	o->events++;
	ASSERT_INT((int)cJSON_GetObjectItem(e, "seq")->valuedouble, ==, o->events);
	ASSERT_INT(seq, ==, o->events);
	if (msg != NULL && strstr(msg, "invalid progress line") != NULL)
		o->bad_lines++;
	if (strcmp(event, "agent") == 0 && strcmp(state, "started") == 0) {
		if (o->ended == 0)
			o->started++;
		o->pids[inv_agent_index(cJSON_GetStringValue(cJSON_GetObjectItem(e,
		    "agent")))] = (int64_t)cJSON_GetObjectItem(e, "pid")->valuedouble;
	}
	if (strcmp(event, "agent") == 0 && strcmp(state, "ended") == 0)
		o->ended++;
	cJSON_Delete(e);
}

static void
on_finished(void *arg, const char *id, const char *status, const char *report)
{
	struct outcome *o = arg;

	(void)id;
	o->status = xstrdup(status);
	o->report = report != NULL ? xstrdup(report) : NULL;
}

static void
on_timer(uv_timer_t *t)
{
	struct outcome *o = t->data;
	char *cause = NULL;

	for (int i = 0; i < INV_AGENTS; i++)
		o->concurrent += o->pids[i] > 0 && kill((pid_t)o->pids[i], 0) == 0;
	if (o->cancel_after_ms > 0)
		ASSERT_INT(sup_cancel(o->sup, o->id, &cause), ==, 0);
	uv_close((uv_handle_t *)t, NULL);
}

static const char two_stages[] =
	"version: 1\nname: sup-test\npipeline:\n  stages:\n"
	"    - {name: a, run: 'true'}\n    - {name: b, run: 'true'}\n"
	"agents:\n  timeout: 1s\n";

/* Run one investigation of spec under the fake agent to its end. */
static void
run_inv(const char *spec_text, struct outcome *o, int probe_ms)
{
	char *errors = NULL, *cause = NULL, *real, *fake;
	const char *path = test_write("spec.yaml", spec_text);
	struct sup_hooks hooks = { on_event, on_finished, o };
	uv_loop_t *loop = uv_default_loop();
	struct store *st = store_open(test_tmp(), &cause);
	struct spec *sp = spec_parse_file(path, &db_driver_spec_kinds, &errors);
	char *lock = xasprintf("%s/measure.lock", test_tmp());

	ASSERT(st != NULL && sp != NULL);
	if (o->store_sql != NULL) {
		char *db = path_join(test_tmp(), STORE_FILE);
		sqlite3 *h;

		ASSERT_INT(sqlite3_open(db, &h), ==, SQLITE_OK);
		ASSERT_INT(sqlite3_exec(h, o->store_sql, NULL, NULL, NULL), ==, SQLITE_OK);
		sqlite3_close(h);
		free(db);
	}
	fake = xasprintf("%s/tests/fake-agent", test_build());
	real = xasprintf("%s/perfd-agent", test_build());
	setenv("PERFD_AGENT", fake, 0);
	setenv("FAKE_REAL_AGENT", real, 0);
	setenv("PERFD_LOCK", lock, 1);
	o->sup = sup_new(loop, st, 1, &hooks);
	ASSERT_INT(sup_submit(o->sup, sp, path, test_tmp(), NULL, &o->id, &o->dir, &cause), ==, 0);
	if (probe_ms > 0) {
		uv_timer_init(loop, &o->timer);
		o->timer.data = o;
		uv_timer_start(&o->timer, on_timer, (uint64_t)probe_ms, 0);
	}
	uv_run(loop, UV_RUN_DEFAULT);
	ASSERT(o->status != NULL);
	ASSERT(store_integrity_ok(st));
	sup_free(o->sup);
	store_close(st);
	free(fake);
	free(real);
	free(lock);
}

/* The supervisor's status.json for an agent: its status, and reason. */
static char *
agent_status(struct outcome *o, const char *agent, char **reason)
{
	char *path = xasprintf("%s/%s/status.json", o->dir, agent), *cause = NULL;
	char *text = file_read(path, 1 << 20, NULL, &cause), *status;
	cJSON *j;

	ASSERT(text != NULL);
	j = cJSON_Parse(text);
	status = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(j, "status")));
	if (reason != NULL) {
		const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(j, "reason"));

		*reason = r != NULL ? xstrdup(r) : NULL;
	}
	cJSON_Delete(j);
	free(text);
	free(path);
	return status;
}

static void
expect_agent(struct outcome *o, const char *agent, const char *status,
    const char *reason_part)
{
	char *reason = NULL, *got = agent_status(o, agent, &reason);

	ASSERT_STR(got, status);
	if (reason_part != NULL) {
		if (reason == NULL || strstr(reason, reason_part) == NULL)
			fprintf(stderr, "reason: %s\n", reason ? reason : "(none)");
		ASSERT(reason != NULL && strstr(reason, reason_part) != NULL);
	}
	free(got);
	free(reason);
}

TEST_IMPL(sup_all_ok)
{
	struct outcome o = { 0 };

	run_inv(two_stages, &o, 0);
	ASSERT_STR(o.status, "done");
	ASSERT(o.report != NULL && access(o.report, F_OK) == 0);
	for (int i = 0; i < INV_AGENTS; i++)
		expect_agent(&o, inv_agents[i].name, "ok", NULL);
	ASSERT_INT(o.ended, ==, INV_AGENTS);
	return 0;
}

TEST_IMPL(sup_spawns_all_at_once)
{
	struct outcome o = { 0 };

	for (int i = 0; i < INV_INVESTIGATORS; i++) {
		char key[64];

		snprintf(key, sizeof key, "FAKE_%s", i == 0 ? "PROFILING" : i == 1 ?
		    "DB_CONFIG" : i == 2 ? "CLIENT_LIBRARY" : "BATCH_SIZE");
		setenv(key, "hang", 1);
	}
	run_inv(two_stages, &o, 300);
	ASSERT_INT(o.started, ==, INV_AGENTS);
	ASSERT_INT(o.concurrent, ==, INV_AGENTS);
	for (int i = 0; i < INV_AGENTS; i++)
		for (int j = i + 1; j < INV_AGENTS; j++)
			ASSERT(o.pids[i] != o.pids[j]);
	return 0;
}

/* A crashed agent never stops the investigation. */
TEST_IMPL(sup_agent_crash)
{
	struct outcome o = { 0 };

	setenv("FAKE_DB_CONFIG", "crash", 1);
	run_inv(two_stages, &o, 0);
	ASSERT_STR(o.status, "done");
	expect_agent(&o, "db-config", "killed", "signal 6");
	expect_agent(&o, "profiling", "ok", NULL);
	return 0;
}

TEST_IMPL(sup_agent_timeout)
{
	struct outcome o = { 0 };

	char *pidfile = path_join(test_tmp(), "child.pid"), *text, *cause = NULL;
	pid_t child;

	setenv("FAKE_BATCH_SIZE", "child", 1);
	setenv("FAKE_CHILD_PIDFILE", pidfile, 1);
	run_inv(two_stages, &o, 0);
	unsetenv("FAKE_CHILD_PIDFILE");
	ASSERT_STR(o.status, "done");
	expect_agent(&o, "batch-size", "timeout", "agents.timeout");
	/* The grandchild it started (this one, not any sleep on the machine) went with its group. */
	text = file_read(pidfile, 64, NULL, &cause);
	ASSERT(text != NULL);
	child = (pid_t)strtol(text, NULL, 10);
	ASSERT(child > 0);
	ASSERT(!test_pid_running(child));
	free(text);
	free(pidfile);
	return 0;
}

TEST_IMPL(sup_agent_stubborn)
{
	struct outcome o = { 0 };

	setenv("FAKE_PROFILING", "stubborn", 1);
	run_inv(two_stages, &o, 0);
	expect_agent(&o, "profiling", "timeout", NULL);
	ASSERT_STR(o.status, "done");
	return 0;
}

TEST_IMPL(sup_agent_garbage)
{
	struct outcome o = { 0 };

	setenv("FAKE_CLIENT_LIBRARY", "garbage", 1);
	run_inv(two_stages, &o, 0);
	ASSERT_INT(o.bad_lines, ==, 5);
	expect_agent(&o, "client-library", "ok", NULL);
	ASSERT_STR(o.status, "done");
	return 0;
}

TEST_IMPL(sup_agent_noreport)
{
	struct outcome o = { 0 };

	setenv("FAKE_PROFILING", "noreport", 1);
	run_inv(two_stages, &o, 0);
	expect_agent(&o, "profiling", "failed", "without writing findings.json");
	ASSERT_STR(o.status, "done");
	return 0;
}

TEST_IMPL(sup_agent_badjson)
{
	struct outcome o = { 0 };

	setenv("FAKE_PROFILING", "badjson", 1);
	run_inv(two_stages, &o, 0);
	expect_agent(&o, "profiling", "failed", "invalid findings.json");
	return 0;
}

TEST_IMPL(sup_cancel)
{
	struct outcome o = { .cancel_after_ms = 200 };

	setenv("FAKE_PROFILING", "hang", 1);
	setenv("FAKE_DB_CONFIG", "stubborn", 1);
	setenv("FAKE_INTEGRATION", "hang", 1);
	run_inv(two_stages, &o, 200);
	ASSERT_STR(o.status, "cancelled");
	expect_agent(&o, "profiling", "killed", "cancelled");
	expect_agent(&o, "db-config", "killed", "cancelled");
	expect_agent(&o, "integration", "killed", "cancelled");
	for (int i = 0; i < INV_AGENTS; i++)
		ASSERT(kill((pid_t)o.pids[i], 0) != 0);
	return 0;
}

static int queue_finished;
static char *queued_id;
static struct sup *queue_sup;

static void
queue_finished_cb(void *arg, const char *id, const char *status, const char *report)
{
	struct sup *s = queue_sup;

	(void)arg;
	(void)report;
	queue_finished++;
	/* When the first one ends the second, queued, is still at position 1. */
	if (queue_finished == 1) {
		ASSERT(strcmp(id, queued_id) != 0);
		ASSERT_STR(status, "done");
		ASSERT_INT(sup_position(s, queued_id), ==, 1);
	}
}

/* With max_parallel 1 a second investigation waits its turn. */
TEST_IMPL(sup_queue)
{
	char *errors = NULL, *cause = NULL, *id1, *id2, *dir1, *dir2;
	const char *path = test_write("spec.yaml", two_stages);
	struct sup_hooks hooks = { NULL, queue_finished_cb, NULL };
	uv_loop_t *loop = uv_default_loop();
	struct store *st = store_open(test_tmp(), &cause);
	struct sup *s;

	setenv("PERFD_AGENT", xasprintf("%s/tests/fake-agent", test_build()), 1);
	setenv("FAKE_REAL_AGENT", xasprintf("%s/perfd-agent", test_build()), 1);
	setenv("PERFD_LOCK", xasprintf("%s/lock", test_tmp()), 1);
	s = queue_sup = sup_new(loop, st, 1, &hooks);
	ASSERT_INT(sup_submit(s, spec_parse_file(path, &db_driver_spec_kinds, &errors), path,
	    test_tmp(), NULL, &id1, &dir1, &cause), ==, 0);
	ASSERT_INT(sup_submit(s, spec_parse_file(path, &db_driver_spec_kinds, &errors), path,
	    test_tmp(), NULL, &id2, &dir2, &cause), ==, 0);
	queued_id = id2;
	ASSERT_INT(sup_position(s, id1), ==, 0);
	ASSERT_INT(sup_position(s, id2), ==, 1);
	ASSERT_INT(sup_active(s), ==, 2);
	ASSERT(strcmp(id1, id2) < 0);	/* IDs sort by time */
	uv_run(loop, UV_RUN_DEFAULT);
	ASSERT_INT(queue_finished, ==, 2);
	ASSERT_INT(sup_active(s), ==, 0);
	sup_free(s);
	store_close(st);
	return 0;
}

TEST_IMPL(sup_missing_agent_exe)
{
	struct outcome o = { 0 };

	setenv("PERFD_AGENT", "/nonexistent/perfd-agent", 1);
	run_inv(two_stages, &o, 0);
	for (int i = 0; i < INV_AGENTS; i++)
		expect_agent(&o, inv_agents[i].name, "failed", "could not start: "
		    "/nonexistent/perfd-agent: no such file or directory");
	ASSERT_STR(o.status, "failed");
	return 0;
}

/* Integration gives up on a silent agent and names it in the report. */
TEST_IMPL(integration_waits_and_names_missing)
{
	struct outcome o = { 0 };
	char *path, *text, *cause = NULL;

	setenv("FAKE_BATCH_SIZE", "hang", 1);
	setenv("FAKE_PROFILING", "crash", 1);
	run_inv(two_stages, &o, 0);
	ASSERT_STR(o.status, "done");
	path = path_join(o.dir, "MASTER_INTEGRATION_REPORT.md");
	text = file_read(path, 1 << 20, NULL, &cause);
	ASSERT(text != NULL);
	ASSERT(strstr(text, "2 of 4 agent reports arrived") != NULL);
	ASSERT(strstr(text, "ended (killed) without a report") != NULL);
	ASSERT(strstr(text, "batch-size") != NULL);
	free(text);
	free(path);
	return 0;
}

/*
 * Every event is stored before it is sent: events the state database
 * refuses (here every agent event, by a trigger) are not broadcast, and the
 * numbers of those that are stay without gaps (on_event checks).
 */
TEST_IMPL(sup_unstored_events_not_sent)
{
	struct outcome o = { .store_sql = "CREATE TRIGGER refuse BEFORE INSERT ON events "
	    "WHEN NEW.type = 'agent' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;" };

	run_inv(two_stages, &o, 0);
	ASSERT_STR(o.status, "done");
	ASSERT_INT(o.started, ==, 0);
	ASSERT_INT(o.ended, ==, 0);
	ASSERT(o.events >= 2);	/* the investigation's own: running, finished */
	return 0;
}
