/* db-sqlite.c - the SQLite implementation of the database driver. */
#include "dbdriver.h"
#include "sqlprobe.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const sqlite_settings[] = {
	"journal_mode", "synchronous", "page_size", "cache_size", "mmap_size",
	"temp_store", "wal_autocheckpoint", "locking_mode", "auto_vacuum",
};
#define NSETTINGS ((int)PERFD_ARRAY_LEN(sqlite_settings))

struct db_scratch {
	struct probe	 p;
	char		*path;
};

static int
sq_check(const struct spec *sp, int busy_ms, char **cause)
{
	return probe_check(sp->db_path, sp->db_table, busy_ms, cause);
}

static long long
sq_count(const struct spec *sp, char **cause)
{
	return probe_count(sp->db_path, sp->db_table, cause);
}

/* Numeric pragma results as the names the rules use. */
static char *
normalise(const char *name, const char *v)
{
	static const char *const sync[] = { "off", "normal", "full", "extra" };
	static const char *const temp[] = { "default", "file", "memory" };
	static const char *const vac[] = { "none", "full", "incremental" };
	int i = atoi(v);

	if (strcmp(name, "synchronous") == 0 && i >= 0 && i < 4)
		return xstrdup(sync[i]);
	if (strcmp(name, "temp_store") == 0 && i >= 0 && i < 3)
		return xstrdup(temp[i]);
	if (strcmp(name, "auto_vacuum") == 0 && i >= 0 && i < 3)
		return xstrdup(vac[i]);
	return xstrdup(v);
}

static int
sq_read(const struct spec *sp, char **values, int *stored, char **objects, char **cause)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	struct buf b = { 0 };

	if (sqlite3_open_v2(sp->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", sp->db_path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	for (int i = 0; i < NSETTINGS; i++) {
		char *sql = xasprintf("PRAGMA %s", sqlite_settings[i]);

		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			values[i] = normalise(sqlite_settings[i],
			    (const char *)sqlite3_column_text(st, 0));
		else
			values[i] = xstrdup("?");
		/* These three live in the file; the rest are per connection. */
		stored[i] = strcmp(sqlite_settings[i], "journal_mode") == 0 ||
		    strcmp(sqlite_settings[i], "page_size") == 0 ||
		    strcmp(sqlite_settings[i], "auto_vacuum") == 0;
		sqlite3_finalize(st);
		free(sql);
	}
	buf_add(&b, "", 0);
	if (sqlite3_prepare_v2(db, "SELECT type, name, coalesce(sql, '(automatic)') FROM "
	    "sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') ORDER BY "
	    "type, name", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, sp->db_table, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			buf_printf(&b, "- %s `%s`: `%s`\n", sqlite3_column_text(st, 0),
			    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
		sqlite3_finalize(st);
	}
	*objects = b.p;
	sqlite3_close(db);
	return 0;
}

static char *
sq_apply_text(const char *setting, const char *value)
{
	return xasprintf("PRAGMA %s = %s;", setting, value);
}

static struct db_scratch *
sq_scratch(const struct spec *sp, const char *path, char **cause)
{
	struct db_scratch *s = xcalloc(1, sizeof *s);

	if (probe_open(&s->p, sp->db_path, path, sp->db_table, cause) != 0) {
		free(s);
		return NULL;
	}
	s->path = xstrdup(path);
	return s;
}

static int
sq_set(struct db_scratch *s, const char *setting, const char *value, char **cause)
{
	char *sql = xasprintf("PRAGMA %s = %s", setting, value);
	int rc = 0;

	if (sqlite3_exec(s->p.db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", sql, sqlite3_errmsg(s->p.db));
		rc = -1;
	}
	free(sql);
	return rc;
}

static double
sq_insert(struct db_scratch *s, int rows, int commit_every, int prepared, char **cause)
{
	return probe_insert(&s->p, rows, commit_every, prepared, cause);
}

static double
sq_insert_multi(struct db_scratch *s, int rows, int per_stmt, char **cause)
{
	return probe_insert_multi(&s->p, rows, per_stmt, cause);
}

static void
sq_close(struct db_scratch *s)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };

	if (s == NULL)
		return;
	probe_close(&s->p);
	for (size_t i = 0; i < PERFD_ARRAY_LEN(ext); i++) {
		char *f = xasprintf("%s%s", s->path, ext[i]);

		unlink(f);
		free(f);
	}
	free(s->path);
	free(s);
}

/*
 * With a rollback journal a commit syncs about 4 times (journal, its
 * header, the database, the folder: 1,200 syncs for 300 per-row commits in
 * the tests); under WAL once with synchronous=FULL, and not at all with
 * NORMAL, which the caller cannot tell from syncs.
 */
static double
sq_syncs_per_commit(const struct spec *sp)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	double per = 4;

	if (sqlite3_open_v2(sp->db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0)
			per = 1;
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return per;
}

static const char sqlite_sketch[] =
	"```c\n"
	"sqlite3_stmt *st;\n"
	"sqlite3_prepare_v2(db, \"INSERT INTO t (a, b) VALUES (?, ?)\", -1, &st, NULL);\n"
	"sqlite3_exec(db, \"BEGIN\", NULL, NULL, NULL);\n"
	"for (each row) {\n"
	"        sqlite3_bind_int64(st, 1, row.a);\n"
	"        sqlite3_bind_text(st, 2, row.b, -1, SQLITE_TRANSIENT);\n"
	"        sqlite3_step(st);\n"
	"        sqlite3_reset(st);\n"
	"        /* every N rows: COMMIT; BEGIN (see the batch-size agent for N) */\n"
	"}\n"
	"sqlite3_exec(db, \"COMMIT\", NULL, NULL, NULL);\n"
	"sqlite3_finalize(st);\n"
	"```\n"
	"In Python: `with con: con.executemany(\"INSERT INTO t VALUES (?, ?)\", rows)` "
	"— one prepared statement, one transaction.\n";

static const struct db_driver sqlite_driver = {
	.kind = "sqlite",
	.rules = "sqlite.yaml",
	.settings = sqlite_settings,
	.nsettings = NSETTINGS,
	.check = sq_check,
	.count = sq_count,
	.read = sq_read,
	.apply_text = sq_apply_text,
	.scratch = sq_scratch,
	.set = sq_set,
	.insert = sq_insert,
	.insert_multi = sq_insert_multi,
	.close = sq_close,
	.sketch = sqlite_sketch,
	.syncs_per_commit = sq_syncs_per_commit,
};

/* The kinds perfd knows: add a driver here and a rules file beside sqlite.yaml. */
static const struct db_driver *const drivers[] = { &sqlite_driver };

const struct db_driver *
db_driver(const char *kind)
{
	for (size_t i = 0; i < PERFD_ARRAY_LEN(drivers); i++)
		if (kind != NULL && strcmp(drivers[i]->kind, kind) == 0)
			return drivers[i];
	return NULL;
}

const char *
db_driver_kinds(void)
{
	static char list[256];

	if (list[0] == '\0')
		for (size_t i = 0; i < PERFD_ARRAY_LEN(drivers); i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			    i ? ", " : "", drivers[i]->kind);
	return list;
}
