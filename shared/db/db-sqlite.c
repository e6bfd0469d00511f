/* db-sqlite.c - the SQLite implementation of the database driver. */
#include "dbdriver.h"
#include "sqlprobe.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* journal_mode first: syncs_per_commit() reads it from values[0]. */
static const char *const sqlite_settings[] = {
	"journal_mode", "synchronous", "page_size", "cache_size", "mmap_size",
	"temp_store", "wal_autocheckpoint", "locking_mode", "auto_vacuum",
};
#define NSETTINGS ((int)PERFD_ARRAY_LEN(sqlite_settings))

struct db_scratch {
	struct probe	 p;
	char		*path;
};

static long long
sq_count(const struct spec *sp, char **cause)
{
	long long n = sqlprobe_count(sp->db_path, sp->db_table, cause);

	return n == SQLPROBE_ABSENT ? DB_ABSENT : n;
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
read_settings(const struct spec *sp, char **values, int *stored, char **objects,
    char **cause)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	struct buf b = { 0 };

	if ((db = sqlprobe_open_user(sp->db_path, 5000, NULL, cause)) == NULL)
		return -1;
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

/* A file, named by database.path; a server's address is not one. */
static int
sq_check(const struct spec *sp, const char **key, char **why)
{
	if (sp->db_dsn != NULL) {
		*key = "dsn";
		*why = xstrdup("database.dsn: kind 'sqlite' takes a file (database.path, "
		    "relative to workdir), not a connection string");
		return -1;
	}
	if (sp->db_path == NULL) {
		*key = NULL;
		*why = xstrdup("database: missing required key 'path'");
		return -1;
	}
	if (sp->db_table != NULL && strchr(sp->db_table, '.') != NULL) {
		*key = "table";
		*why = xasprintf("database.table: kind 'sqlite' takes the table's own name, "
		    "without a schema before it ('%s')", sp->db_table);
		return -1;
	}
	/* Only the scheme is echoed: a URL may carry a password. */
	if (strstr(sp->db_path, "://") != NULL) {
		*key = "path";
		*why = xasprintf("database.path: a %.*s:// URL is a server's address; kind "
		    "'sqlite' takes a file (relative to workdir), and a server needs a kind "
		    "that connects to one (supported: %s)", (int)strcspn(sp->db_path, ":"),
		    sp->db_path, db_driver_kinds());
		return -1;
	}
	return 0;
}

/* The file's path relative to the workdir when it lies under it. */
static char *
sq_label(const struct spec *sp)
{
	size_t n = strlen(sp->workdir);

	if (strncmp(sp->db_path, sp->workdir, n) == 0 && sp->db_path[n] == '/')
		return xstrdup(sp->db_path + n + 1);
	return xstrdup(sp->db_path);
}

static char *
sq_apply_once(const struct spec *sp, const char *statement)
{
	return xasprintf("sqlite3 \"%s\" \"%s\"", sp->db_path, statement);
}

static char *
sq_apply_text(const char *setting, const char *value)
{
	return xasprintf("PRAGMA %s = %s;", setting, value);
}

/*
 * With a rollback journal a commit syncs about 4 times (journal, its
 * header, the database, the folder: 1,200 syncs for 300 per-row commits in
 * the tests); under WAL once with synchronous=FULL, and not at all with
 * NORMAL, which the caller cannot tell from syncs.
 */
static double
syncs_per_commit(const char *journal_mode)
{
	return strcmp(journal_mode, "wal") == 0 ? 1 : 4;
}

/* A database file and the journal files SQLite may leave beside it. */
static void
remove_files(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < PERFD_ARRAY_LEN(ext); i++) {
		char *f = xasprintf("%s%s", path, ext[i]);

		unlink(f);
		free(f);
	}
}

static void
sq_release(struct db_capture *c)
{
	for (int i = 0; c->values != NULL && i < NSETTINGS; i++)
		free(c->values[i]);
	free(c->values);
	free(c->stored);
	free(c->objects);
	if (c->copy != NULL)
		remove_files(c->copy);
	free(c->copy);
	memset(c, 0, sizeof *c);
}

static int
sq_capture(const struct spec *sp, const char *dir, struct db_capture *c, char **cause)
{
	struct probe p;
	int rc;

	memset(c, 0, sizeof *c);
	rc = sqlprobe_check(sp->db_path, sp->db_table, 5000, cause);
	if (rc != 0)
		return rc == SQLPROBE_ABSENT ? DB_ABSENT : -1;
	c->values = xcalloc(NSETTINGS, sizeof *c->values);
	c->stored = xcalloc(NSETTINGS, sizeof *c->stored);
	if (read_settings(sp, c->values, c->stored, &c->objects, cause) != 0) {
		sq_release(c);
		return -1;
	}
	c->syncs_per_commit = syncs_per_commit(c->values[0]);
	c->rows = sqlprobe_count(sp->db_path, sp->db_table, cause);
	c->copy = path_join(dir, "captured.db");
	/* The backup API gives a consistent copy even of a database in WAL mode. */
	if (sqlprobe_open(&p, sp->db_path, c->copy, sp->db_table, cause) != 0) {
		sq_release(c);
		return -1;
	}
	sqlprobe_close(&p);
	return 0;
}

static struct db_scratch *
sq_scratch(const struct spec *sp, const struct db_capture *c, const char *path,
    char **cause)
{
	struct db_scratch *s = xcalloc(1, sizeof *s);

	if (sqlprobe_open(&s->p, c->copy, path, sp->db_table, cause) != 0) {
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
	return sqlprobe_insert(&s->p, rows, commit_every, prepared, cause);
}

static double
sq_insert_multi(struct db_scratch *s, int rows, int per_stmt, char **cause)
{
	return sqlprobe_insert_multi(&s->p, rows, per_stmt, cause);
}

static void
sq_close(struct db_scratch *s)
{
	if (s == NULL)
		return;
	sqlprobe_close(&s->p);
	remove_files(s->path);
	free(s->path);
	free(s);
}

/* fsync and fdatasync do nothing under eatmydata (a preload library). */
static char *
sq_nosync_wrap(const char *quoted)
{
	return xasprintf("eatmydata /bin/sh -c %s", quoted);
}

/*
 * The clients told apart, with advice that works as written in each: a
 * sqlite3 shell commits every statement unless told BEGIN; its .import is
 * one transaction of prepared inserts (so it comes before the shell that
 * sends SQL text); Python's module opens a transaction before an INSERT
 * and keeps it until commit() (a BEGIN and a COMMIT per transaction,
 * each compiled anew: tx_explicit); sqlite-utils commits each --batch-size
 * chunk and caps the chunk at 999 variables (999 / columns rows).
 */
static const struct db_client sqlite_clients[] = {
	{ "sqlite-utils", "sqlite-utils", "sqlite-utils",
	  "pass a larger `--batch-size` (sqlite-utils commits once per batch, and caps "
	  "a batch at 999 ÷ the number of columns rows)",
	  "multi", NULL, 1 },
	{ "python", "Python's sqlite3 module", "python|python3|.py",
	  "insert every row before one `con.commit()` — `with con: "
	  "con.executemany(\"INSERT INTO t VALUES (?, ?, ...)\", rows)` — instead of "
	  "committing each row",
	  "prepared", "run `con.execute(\"%s\")` right after `sqlite3.connect(...)`", 1 },
	{ "sqlite3-import", "the sqlite3 shell's .import", ".import",
	  "send `BEGIN;` before the first `.import` and `COMMIT;` after the last, so "
	  "the chunks load in one transaction (what perfd measured); loading the whole "
	  "file with one `.import` is one transaction too and also skips the split "
	  "into chunks (not measured)",
	  "prepared", "start the shell as `sqlite3 -cmd \"%s\" {db}`", 1 },
	{ "sqlite3-shell", "the sqlite3 shell", "sqlite3",
	  "wrap the statements in one transaction: `BEGIN;` before the first INSERT "
	  "and `COMMIT;` after the last (or load the file with `.import`, one "
	  "transaction)",
	  "text", "start the shell as `sqlite3 -cmd \"%s\" {db}`", 0 },
	{ "unknown", "the client", "",
	  "commit many rows per transaction instead of one per row, with one prepared "
	  "INSERT bound per row",
	  "prepared", "run `%s` on every connection the client opens", 0 },
};

const struct db_driver db_sqlite_driver = {
	.kind = "sqlite",
	.name = "SQLite",
	.rules = "sqlite.yaml",
	.settings = sqlite_settings,
	.nsettings = NSETTINGS,
	.check = sq_check,
	.label = sq_label,
	.capture = sq_capture,
	.release = sq_release,
	.count = sq_count,
	.apply_text = sq_apply_text,
	.apply_once = sq_apply_once,
	.once_how = "Once, right after the pipeline creates `%s` (it is kept in the database)",
	.settings_intro = "Read through a read-only connection, as the pipeline leaves the "
	    "database. Some settings are stored in the database; the others are per "
	    "connection, and the database cannot tell what the pipeline sets: a connection "
	    "default is what a new connection gets unless the pipeline changes it (declare "
	    "its settings in `database.pragmas`).",
	.scratch = sq_scratch,
	.set = sq_set,
	.insert = sq_insert,
	.insert_multi = sq_insert_multi,
	.close = sq_close,
	.nosync = "synchronous=off",
	.nosync_wrap = sq_nosync_wrap,
	.nosync_tool = "eatmydata",
	.shim = "perfd-sqlshim.so",
	.clients = sqlite_clients,
	.nclients = (int)PERFD_ARRAY_LEN(sqlite_clients),
};
