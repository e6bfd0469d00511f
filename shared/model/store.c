/* store.c - the state database: investigations, agent runs, events, measurements. */
#include "store.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump with a migration when the schema changes. */
#define STORE_SCHEMA_VERSION 1

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS investigations ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, spec_path TEXT,"
	" spec_json TEXT NOT NULL, spec_hash TEXT, dir TEXT NOT NULL,"
	" status TEXT NOT NULL, created_ms INTEGER NOT NULL, started_ms INTEGER,"
	" ended_ms INTEGER, report_path TEXT, error TEXT, owner_pid INTEGER);"
	"CREATE INDEX IF NOT EXISTS investigations_name ON investigations(name, created_ms);"
	"CREATE TABLE IF NOT EXISTS agent_runs ("
	" investigation TEXT NOT NULL REFERENCES investigations(id),"
	" agent TEXT NOT NULL, pid INTEGER, status TEXT NOT NULL,"
	" exit_code INTEGER, term_signal INTEGER, reason TEXT,"
	" started_ms INTEGER, ended_ms INTEGER, PRIMARY KEY (investigation, agent));"
	"CREATE TABLE IF NOT EXISTS events ("
	" investigation TEXT NOT NULL, seq INTEGER NOT NULL, time_ms INTEGER NOT NULL,"
	" agent TEXT, type TEXT NOT NULL, body TEXT NOT NULL,"
	" PRIMARY KEY (investigation, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS measurements ("
	" investigation TEXT NOT NULL, agent TEXT NOT NULL, stage TEXT,"
	" run INTEGER, metric TEXT NOT NULL, value REAL);"
	"CREATE INDEX IF NOT EXISTS measurements_inv ON measurements(investigation, stage);";

enum {
	Q_ADD_INV, Q_STATUS, Q_REPORT, Q_AGENT_START, Q_AGENT_END, Q_EVENT,
	Q_EVENTS, Q_LAST_SEQ, Q_MEASURE, Q_COUNT
};

static const char *const queries[Q_COUNT] = {
	[Q_ADD_INV] = "INSERT INTO investigations (id, name, spec_path, spec_json,"
	    " spec_hash, dir, status, created_ms, owner_pid)"
	    " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
	[Q_STATUS] = "UPDATE investigations SET status = ?2, error = coalesce(?3, error),"
	    " started_ms = CASE WHEN ?2 = 'running' THEN ?4 ELSE started_ms END,"
	    " ended_ms = CASE WHEN ?2 IN ('queued', 'running') THEN ended_ms ELSE ?4 END"
	    " WHERE id = ?1",
	[Q_REPORT] = "UPDATE investigations SET report_path = ?2 WHERE id = ?1",
	[Q_AGENT_START] = "INSERT OR REPLACE INTO agent_runs (investigation, agent, pid,"
	    " status, started_ms) VALUES (?, ?, ?, 'running', ?)",
	[Q_AGENT_END] = "UPDATE agent_runs SET status = ?3, exit_code = ?4,"
	    " term_signal = ?5, reason = ?6, ended_ms = ?7"
	    " WHERE investigation = ?1 AND agent = ?2",
	[Q_EVENT] = "INSERT INTO events (investigation, seq, time_ms, agent, type, body)"
	    " VALUES (?, ?, ?, ?, ?, ?)",
	[Q_EVENTS] = "SELECT seq, body FROM events WHERE investigation = ? AND seq > ?"
	    " ORDER BY seq LIMIT ?",
	[Q_LAST_SEQ] = "SELECT coalesce(max(seq), 0) FROM events WHERE investigation = ?",
	[Q_MEASURE] = "INSERT INTO measurements (investigation, agent, stage, run,"
	    " metric, value) VALUES (?, ?, ?, ?, ?, ?)",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*q[Q_COUNT];
};

const char *
store_error(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

struct store *
store_open(const char *dir, char **cause)
{
	struct store *s = xcalloc(1, sizeof *s);
	char *path = path_join(dir, STORE_FILE), *err = NULL;
	int rc;

	if (file_mkdir_p(dir, 0700) != 0) {
		*cause = xasprintf("cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path, s->db ? sqlite3_errmsg(s->db) :
		    sqlite3_errstr(rc));
		goto fail;
	}
	chmod(path, 0600);
	sqlite3_busy_timeout(s->db, 5000);
	/*
	 * WAL lets readers (perfd status while the daemon writes) go on; NORMAL
	 * keeps every commit atomic and durable across a crash of the process,
	 * and only a power loss may lose the last commits.
	 */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema_sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path, err ? err : sqlite3_errmsg(s->db));
		sqlite3_free(err);
		goto fail;
	}
	sqlite3_exec(s->db, "PRAGMA user_version=" "1", NULL, NULL, NULL);
	for (int i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->q[i], NULL) != SQLITE_OK) {
			*cause = xasprintf("%s: %s", path, sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	free(path);
	return s;
fail:
	free(path);
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

int
store_begin(struct store *s)
{
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
store_commit(struct store *s)
{
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
store_rollback(struct store *s)
{
	return sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Step a write statement to completion and reset it; 0 or -1. */
static int
step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_add_investigation(struct store *s, const char *id, const char *name,
    const char *spec_path, const char *spec_json, const char *spec_hash,
    const char *dir, int64_t owner_pid)
{
	sqlite3_stmt *st = s->q[Q_ADD_INV];

	bind_text(st, 1, id);
	bind_text(st, 2, name);
	bind_text(st, 3, spec_path);
	bind_text(st, 4, spec_json);
	bind_text(st, 5, spec_hash);
	bind_text(st, 6, dir);
	sqlite3_bind_int64(st, 7, now_unix_ms());
	sqlite3_bind_int64(st, 8, owner_pid);
	return step_done(st);
}

int
store_set_status(struct store *s, const char *id, const char *status,
    const char *error)
{
	sqlite3_stmt *st = s->q[Q_STATUS];

	bind_text(st, 1, id);
	bind_text(st, 2, status);
	bind_text(st, 3, error);
	sqlite3_bind_int64(st, 4, now_unix_ms());
	return step_done(st);
}

int
store_set_report(struct store *s, const char *id, const char *path)
{
	sqlite3_stmt *st = s->q[Q_REPORT];

	bind_text(st, 1, id);
	bind_text(st, 2, path);
	return step_done(st);
}

int
store_agent_started(struct store *s, const char *id, const char *agent, int64_t pid)
{
	sqlite3_stmt *st = s->q[Q_AGENT_START];

	bind_text(st, 1, id);
	bind_text(st, 2, agent);
	sqlite3_bind_int64(st, 3, pid);
	sqlite3_bind_int64(st, 4, now_unix_ms());
	return step_done(st);
}

int
store_agent_ended(struct store *s, const char *id, const char *agent,
    const char *status, int exit_code, int term_signal, const char *reason)
{
	sqlite3_stmt *st = s->q[Q_AGENT_END];

	bind_text(st, 1, id);
	bind_text(st, 2, agent);
	bind_text(st, 3, status);
	sqlite3_bind_int(st, 4, exit_code);
	sqlite3_bind_int(st, 5, term_signal);
	bind_text(st, 6, reason);
	sqlite3_bind_int64(st, 7, now_unix_ms());
	return step_done(st);
}

int
store_add_event(struct store *s, const char *id, int64_t seq, int64_t time_ms,
    const char *agent, const char *type, const char *body)
{
	sqlite3_stmt *st = s->q[Q_EVENT];

	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, time_ms);
	bind_text(st, 4, agent);
	bind_text(st, 5, type);
	bind_text(st, 6, body);
	return step_done(st);
}

int
store_each_event(struct store *s, const char *id, int64_t after, int limit,
    void (*fn)(void *, int64_t, const char *), void *arg)
{
	sqlite3_stmt *st = s->q[Q_EVENTS];
	int rc, n = 0;

	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fn(arg, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? n : -1;
}

int64_t
store_last_seq(struct store *s, const char *id)
{
	sqlite3_stmt *st = s->q[Q_LAST_SEQ];
	int64_t v = 0;

	bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return v;
}

int
store_add_measurement(struct store *s, const char *id, const char *agent,
    const char *stage, int run, const char *metric, double value)
{
	sqlite3_stmt *st = s->q[Q_MEASURE];

	bind_text(st, 1, id);
	bind_text(st, 2, agent);
	bind_text(st, 3, stage);
	sqlite3_bind_int(st, 4, run);
	bind_text(st, 5, metric);
	sqlite3_bind_double(st, 6, value);
	return step_done(st);
}

int
store_import_runs(struct store *s, const char *id, const char *agent,
    const char *csv_path)
{
	char *cause = NULL, *text = file_read(csv_path, 256 << 20, NULL, &cause);
	char *line, *save = NULL, *head[64], *f[64];
	int nhead, rows = 0, irun, iwarm, istage, iok;

	free(cause);
	if (text == NULL)
		return -1;
	line = strtok_r(text, "\n", &save);
	nhead = line != NULL ? csv_split(line, head, 64) : 0;
	irun = csv_column(head, nhead, "run");
	iwarm = csv_column(head, nhead, "warmup");
	istage = csv_column(head, nhead, "stage");
	iok = csv_column(head, nhead, "ok");
	if (irun < 0 || istage < 0) {
		free(text);
		return -1;
	}
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		int n = csv_split(line, f, 64);

		if (n != nhead || (iwarm >= 0 && strcmp(f[iwarm], "1") == 0) ||
		    (iok >= 0 && strcmp(f[iok], "1") != 0))
			continue;
		for (int i = 0; i < n; i++) {
			char *end;
			double v;

			if (i == irun || i == iwarm || i == istage || i == iok || f[i][0] == '\0')
				continue;
			v = strtod(f[i], &end);
			if (*end != '\0')
				continue;	/* not a number: kind and the like */
			if (store_add_measurement(s, id, agent, f[istage], atoi(f[irun]),
			    head[i], v) != 0) {
				free(text);
				return -1;
			}
		}
		rows++;
	}
	free(text);
	return rows;
}

/* A row as a JSON object, column names as keys, NULLs as null. */
static cJSON *
row_json(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();

	for (int i = 0; i < sqlite3_column_count(st); i++) {
		const char *name = sqlite3_column_name(st, i);

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
		case SQLITE_FLOAT:
			cJSON_AddNumberToObject(o, name, sqlite3_column_double(st, i));
			break;
		case SQLITE_NULL:
			cJSON_AddNullToObject(o, name);
			break;
		default:
			cJSON_AddStringToObject(o, name,
			    (const char *)sqlite3_column_text(st, i));
		}
	}
	return o;
}

#define INV_COLUMNS "id, name, status, dir, spec_path, spec_hash, created_ms," \
	" started_ms, ended_ms, report_path, error"

int
store_least_progress(struct store *s, const char *id)
{
	sqlite3_stmt *st;
	int least = -1;

	/* Each running agent's last progress event (integration, which waits, aside). */
	if (sqlite3_prepare_v2(s->db, "SELECT e.body FROM events e JOIN agent_runs a ON"
	    " a.investigation = e.investigation AND a.agent = e.agent WHERE"
	    " e.investigation = ?1 AND a.status = 'running' AND a.agent <> 'integration'"
	    " AND e.seq = (SELECT max(seq) FROM events WHERE investigation = ?1 AND"
	    " agent = e.agent AND type = 'progress')", -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
		cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "percent");

		if (cJSON_IsNumber(p) && (least < 0 || p->valueint < least))
			least = p->valueint;
		cJSON_Delete(o);
	}
	sqlite3_finalize(st);
	return least;
}

cJSON *
store_get(struct store *s, const char *id)
{
	sqlite3_stmt *st = NULL;
	cJSON *o = NULL, *agents;

	if (sqlite3_prepare_v2(s->db, "SELECT " INV_COLUMNS " FROM investigations"
	    " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		o = row_json(st);
	sqlite3_finalize(st);
	if (o == NULL)
		return NULL;
	agents = cJSON_AddArrayToObject(o, "agents");
	if (sqlite3_prepare_v2(s->db, "SELECT agent, pid, status, exit_code,"
	    " term_signal, reason, started_ms, ended_ms FROM agent_runs"
	    " WHERE investigation = ? ORDER BY rowid", -1, &st, NULL) == SQLITE_OK) {
		bind_text(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddItemToArray(agents, row_json(st));
		sqlite3_finalize(st);
	}
	return o;
}

cJSON *
store_list(struct store *s, int limit)
{
	sqlite3_stmt *st;
	cJSON *a = cJSON_CreateArray();

	if (sqlite3_prepare_v2(s->db, "SELECT " INV_COLUMNS " FROM investigations"
	    " ORDER BY id DESC LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return a;
	sqlite3_bind_int(st, 1, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(a, row_json(st));
	sqlite3_finalize(st);
	return a;
}

cJSON *
store_by_name(struct store *s, const char *name, int limit)
{
	sqlite3_stmt *st;
	cJSON *a = cJSON_CreateArray();

	if (sqlite3_prepare_v2(s->db, "SELECT * FROM (SELECT " INV_COLUMNS
	    " FROM investigations WHERE name = ? AND status = 'done' ORDER BY id DESC"
	    " LIMIT ?) ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return a;
	bind_text(st, 1, name);
	sqlite3_bind_int(st, 2, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(a, row_json(st));
	sqlite3_finalize(st);
	return a;
}

/* Is the owner process still there? (EPERM: alive, someone else's.) */
static int
pid_alive(int64_t pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int
store_recover(struct store *s, void (*fn)(void *, const char *, const int64_t *,
    int), void *arg)
{
	sqlite3_stmt *st, *ag;
	char **ids = NULL;
	int nids = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT id, owner_pid FROM investigations"
	    " WHERE status IN ('queued', 'running')", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t owner = sqlite3_column_int64(st, 1);

		if (owner != getpid() && pid_alive(owner))
			continue;	/* a live perfd run owns it */
		ids = xrealloc(ids, sizeof *ids * (size_t)(nids + 1));
		ids[nids++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db, "SELECT pid FROM agent_runs WHERE"
	    " investigation = ? AND pid IS NOT NULL AND status = 'running'", -1, &ag,
	    NULL) != SQLITE_OK)
		ag = NULL;
	for (int i = 0; i < nids && ag != NULL; i++) {
		int64_t pids[16];
		int npids = 0;

		sqlite3_bind_text(ag, 1, ids[i], -1, SQLITE_TRANSIENT);
		while (sqlite3_step(ag) == SQLITE_ROW && npids < 16)
			pids[npids++] = sqlite3_column_int64(ag, 0);
		sqlite3_reset(ag);
		if (fn != NULL)
			fn(arg, ids[i], pids, npids);
		store_set_status(s, ids[i], "interrupted", "the process running it "
		    "ended without finishing it (crash or kill -9)");
		if (sqlite3_prepare_v2(s->db, "UPDATE agent_runs SET status ="
		    " 'interrupted', ended_ms = ?2 WHERE investigation = ?1 AND"
		    " status = 'running'", -1, &st, NULL) == SQLITE_OK) {
			bind_text(st, 1, ids[i]);
			sqlite3_bind_int64(st, 2, now_unix_ms());
			sqlite3_step(st);
			sqlite3_finalize(st);
		}
	}
	sqlite3_finalize(ag);
	for (int i = 0; i < nids; i++)
		free(ids[i]);
	if (ag == NULL)
		return -1;
	free(ids);
	return nids;
}

int
store_integrity_ok(struct store *s)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}
