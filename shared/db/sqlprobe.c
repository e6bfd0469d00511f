/* sqlprobe.c - insert workloads on a scratch copy of the user's SQLite database. */
#include "sqlprobe.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * "file:PATH?mode=ro&immutable=1", the path percent-encoded (caller frees).
 * Immutable: SQLite neither locks nor looks for a WAL, so nothing is made
 * beside the file.
 */
static char *
immutable_uri(const char *path)
{
	struct buf b = { 0 };

	buf_puts(&b, "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c != '\0'; c++) {
		if (isalnum(*c) || strchr("/._-~", *c) != NULL)
			buf_add(&b, c, 1);
		else
			buf_printf(&b, "%%%02X", *c);
	}
	buf_puts(&b, "?mode=ro&immutable=1");
	return b.p;
}

/* The file's header says WAL mode (its read and write versions are 2). */
static int
wal_mode(const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = fd >= 0 ? pread(fd, h, sizeof h, 0) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)sizeof h && h[18] == 2 && h[19] == 2;
}

sqlite3 *
sqlprobe_open_user(const char *path, int busy_ms, int *absent, char **cause)
{
	sqlite3 *db = NULL;
	struct stat st;
	char *wal, *uri;
	int rc, immutable;

	if (stat(path, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (errno == ENOENT && absent != NULL)
			*absent = 1;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		return NULL;
	}
	/*
	 * A read-only connection to a WAL database makes -wal and -shm files
	 * beside it when they are missing: perfd must leave nothing new beside
	 * the user's files. A WAL database without a -wal file has every
	 * committed page in the main file and no writer (a writer would have
	 * made the -wal), so an immutable read sees all of it; with one, the
	 * files are there already and a plain read-only open reads through
	 * it. Any other database is opened plainly: immutable would ignore a
	 * writer's locks.
	 */
	wal = xasprintf("%s-wal", path);
	immutable = wal_mode(path) && access(wal, F_OK) != 0;
	free(wal);
	uri = immutable ? immutable_uri(path) : NULL;
	rc = sqlite3_open_v2(immutable ? uri : path, &db, SQLITE_OPEN_READONLY |
	    (immutable ? SQLITE_OPEN_URI : 0), NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, busy_ms);
	return db;
}

static int
table_exists(sqlite3 *db, const char *path, const char *table, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
	    " AND name = ?", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path, rc == SQLITE_NOTADB ?
		    "not an SQLite database" : rc == SQLITE_BUSY ?
		    "the database is locked (busy timeout expired)" : sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		*cause = xasprintf("%s: %s", path, rc == SQLITE_NOTADB ?
		    "not an SQLite database" : rc == SQLITE_BUSY ?
		    "the database is locked (busy timeout expired)" : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	rc = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc == 0) {
		*cause = xasprintf("%s: no table '%s'", path, table);
		return SQLPROBE_ABSENT;
	}
	return 0;
}

int
sqlprobe_check(const char *user_db, const char *table, int busy_ms, char **cause)
{
	int absent = 0;
	sqlite3 *db = sqlprobe_open_user(user_db, busy_ms, &absent, cause);
	int rc;

	if (db == NULL)
		return absent ? SQLPROBE_ABSENT : -1;
	rc = table_exists(db, user_db, table, cause);
	sqlite3_close(db);
	return rc;
}

long long
sqlprobe_count(const char *path, const char *table, char **cause)
{
	int absent = 0;
	sqlite3 *db = sqlprobe_open_user(path, 5000, &absent, cause);
	sqlite3_stmt *st;
	char *sql;
	long long n = -1;

	if (db == NULL)
		return absent ? SQLPROBE_ABSENT : -1;
	if (table_exists(db, path, table, cause) == SQLPROBE_ABSENT) {
		sqlite3_close(db);
		return SQLPROBE_ABSENT;
	}
	sql = xasprintf("SELECT count(*) FROM \"%s\"", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		*cause = xasprintf("%s: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sql);
	return n;
}

/* SQLite's type affinity rules, simplified to what the values need. */
static char
affinity(const char *type)
{
	char up[64];
	size_t i;

	for (i = 0; type[i] != '\0' && i + 1 < sizeof up; i++)
		up[i] = (char)(type[i] >= 'a' && type[i] <= 'z' ? type[i] - 32 : type[i]);
	up[i] = '\0';
	if (strstr(up, "INT") != NULL)
		return 'i';
	if (strstr(up, "CHAR") != NULL || strstr(up, "CLOB") != NULL ||
	    strstr(up, "TEXT") != NULL)
		return 't';
	if (strstr(up, "BLOB") != NULL || up[0] == '\0')
		return 'b';
	return 'r';
}

/* The table's columns, leaving out an INTEGER PRIMARY KEY (the rowid). */
static int
load_columns(struct probe *p, char **cause)
{
	sqlite3_stmt *st;
	char *sql = xasprintf("PRAGMA table_info(\"%s\")", p->table);
	struct buf ins = { 0 }, vals = { 0 };

	if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", p->path, sqlite3_errmsg(p->db));
		free(sql);
		return -1;
	}
	free(sql);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *type = (const char *)sqlite3_column_text(st, 2);
		int pk = sqlite3_column_int(st, 5);

		if (pk == 1 && type != NULL && strcasecmp(type, "INTEGER") == 0)
			continue;	/* the rowid alias: let SQLite number the rows */
		p->cols = xrealloc(p->cols, sizeof *p->cols * (size_t)(p->ncols + 1));
		p->types = xrealloc(p->types, sizeof *p->types * (size_t)(p->ncols + 1));
		p->cols[p->ncols] = xstrdup(name);
		p->types[p->ncols] = xstrdup(type != NULL ? type : "");
		p->ncols++;
	}
	sqlite3_finalize(st);
	/* Once here, not per row: the inserts are what is being timed. */
	p->aff = xcalloc((size_t)p->ncols + 1, 1);
	for (int i = 0; i < p->ncols; i++)
		p->aff[i] = affinity(p->types[i]);
	buf_printf(&ins, "INSERT INTO \"%s\" (", p->table);
	for (int i = 0; i < p->ncols; i++) {
		buf_printf(&ins, "%s\"%s\"", i ? ", " : "", p->cols[i]);
		buf_printf(&vals, "%s?", i ? ", " : "");
	}
	buf_printf(&ins, ") VALUES (%s)", vals.p != NULL ? vals.p : "");
	if (p->ncols == 0) {
		buf_free(&ins);
		ins.p = xasprintf("INSERT INTO \"%s\" DEFAULT VALUES", p->table);
	}
	p->insert_sql = ins.p;
	buf_free(&vals);
	return 0;
}

int
sqlprobe_open(struct probe *p, const char *user_db, const char *scratch,
    const char *table, char **cause)
{
	sqlite3 *src = sqlprobe_open_user(user_db, 5000, NULL, cause);
	sqlite3_backup *bk;
	int rc;

	memset(p, 0, sizeof *p);
	if (src == NULL)
		return -1;
	if (table_exists(src, user_db, table, cause) != 0)
		goto fail_src;
	unlink(scratch);
	if (sqlite3_open(scratch, &p->db) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", scratch, sqlite3_errmsg(p->db));
		goto fail_src;
	}
	bk = sqlite3_backup_init(p->db, "main", src, "main");
	if (bk == NULL) {
		*cause = xasprintf("backup of %s: %s", user_db, sqlite3_errmsg(p->db));
		goto fail_src;
	}
	while ((rc = sqlite3_backup_step(bk, 1024)) == SQLITE_OK ||
	    rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(10);
	sqlite3_backup_finish(bk);
	sqlite3_close(src);
	if (rc != SQLITE_DONE) {
		*cause = xasprintf("backup of %s: %s", user_db, sqlite3_errstr(rc));
		goto fail;
	}
	p->path = xstrdup(scratch);
	p->table = xstrdup(table);
	p->next = 1000000000000LL;	/* far from the rows already there */
	if (load_columns(p, cause) != 0)
		goto fail;
	return 0;
fail_src:
	sqlite3_close(src);
fail:
	sqlprobe_close(p);
	return -1;
}

void
sqlprobe_close(struct probe *p)
{
	sqlite3_close(p->db);
	for (int i = 0; i < p->ncols; i++) {
		free(p->cols[i]);
		free(p->types[i]);
	}
	free(p->cols);
	free(p->types);
	free(p->aff);
	free(p->insert_sql);
	free(p->path);
	free(p->table);
	memset(p, 0, sizeof *p);
}

static void
bind_row(struct probe *p, sqlite3_stmt *st, long long n)
{
	for (int i = 0; i < p->ncols; i++) {
		char text[48];

		switch (p->aff[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, n);
			break;
		case 't':
			snprintf(text, sizeof text, "perfd-probe-%lld", n);
			sqlite3_bind_text(st, i + 1, text, -1, SQLITE_TRANSIENT);
			break;
		case 'b':
			sqlite3_bind_int64(st, i + 1, n);
			break;
		default:
			sqlite3_bind_double(st, i + 1, (double)n * 0.5);
		}
	}
}

/* The same row as SQL text (the path without a prepared statement). */
static char *
row_sql(struct probe *p, long long n)
{
	struct buf b = { 0 };
	const char *vals = strstr(p->insert_sql, "VALUES (");

	if (vals == NULL)
		return xstrdup(p->insert_sql);
	buf_add(&b, p->insert_sql, (size_t)(vals - p->insert_sql));
	buf_puts(&b, "VALUES (");
	for (int i = 0; i < p->ncols; i++) {
		char a = p->aff[i];

		buf_puts(&b, i ? ", " : "");
		if (a == 't')
			buf_printf(&b, "'perfd-probe-%lld'", n);
		else if (a == 'r')
			buf_printf(&b, "%.17g", (double)n * 0.5);
		else
			buf_printf(&b, "%lld", n);
	}
	buf_puts(&b, ")");
	return b.p;
}

double
sqlprobe_insert(struct probe *p, int rows, int commit_every, int prepared, char **cause)
{
	sqlite3_stmt *st = NULL;
	uint64_t t0;
	int in_tx = 0, rc = SQLITE_OK;

	if (prepared && sqlite3_prepare_v3(p->db, p->insert_sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", p->path, sqlite3_errmsg(p->db));
		return -1;
	}
	t0 = now_ns();
	for (int i = 0; i < rows && (rc == SQLITE_OK || rc == SQLITE_DONE); i++) {
		long long n = p->next++;

		if (commit_every > 0 && !in_tx) {
			sqlite3_exec(p->db, "BEGIN", NULL, NULL, NULL);
			in_tx = 1;
		}
		if (prepared) {
			bind_row(p, st, n);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
		} else {
			char *sql = row_sql(p, n);

			rc = sqlite3_exec(p->db, sql, NULL, NULL, NULL);
			free(sql);
		}
		if (in_tx && ((i + 1) % commit_every == 0 || i + 1 == rows)) {
			if (rc == SQLITE_OK || rc == SQLITE_DONE)
				rc = sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL);
			in_tx = 0;
		}
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		*cause = xasprintf("insert into %s: %s", p->table, sqlite3_errmsg(p->db));
		if (in_tx)
			sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return (double)(now_ns() - t0) / 1e9;
}

double
sqlprobe_insert_multi(struct probe *p, int rows, int per_stmt, char **cause)
{
	const char *vals = strstr(p->insert_sql, "VALUES (");
	struct buf sql = { 0 }, one = { 0 };
	sqlite3_stmt *st = NULL;
	uint64_t t0;
	int rc = SQLITE_OK, done = 0;

	if (vals == NULL || p->ncols == 0)
		return sqlprobe_insert(p, rows, rows, 1, cause);
	buf_puts(&one, "(");
	for (int i = 0; i < p->ncols; i++)
		buf_puts(&one, i ? ", ?" : "?");
	buf_puts(&one, ")");
	buf_add(&sql, p->insert_sql, (size_t)(vals - p->insert_sql));
	buf_puts(&sql, "VALUES ");
	for (int k = 0; k < per_stmt; k++)
		buf_printf(&sql, "%s%s", k ? ", " : "", one.p);
	if (sqlite3_prepare_v2(p->db, sql.p, -1, &st, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", p->path, sqlite3_errmsg(p->db));
		buf_free(&sql);
		buf_free(&one);
		return -1;
	}
	t0 = now_ns();
	sqlite3_exec(p->db, "BEGIN", NULL, NULL, NULL);
	while (done + per_stmt <= rows && (rc == SQLITE_OK || rc == SQLITE_DONE)) {
		for (int k = 0; k < per_stmt; k++) {
			long long n = p->next++;

			for (int i = 0; i < p->ncols; i++) {
				int at = k * p->ncols + i + 1;
				char text[48];

				switch (p->aff[i]) {
				case 't':
					snprintf(text, sizeof text, "perfd-probe-%lld", n);
					sqlite3_bind_text(st, at, text, -1, SQLITE_TRANSIENT);
					break;
				case 'r':
					sqlite3_bind_double(st, at, (double)n * 0.5);
					break;
				default:
					sqlite3_bind_int64(st, at, n);
				}
			}
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		done += per_stmt;
	}
	if (rc == SQLITE_OK || rc == SQLITE_DONE)
		rc = sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	buf_free(&sql);
	buf_free(&one);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		*cause = xasprintf("insert into %s: %s", p->table, sqlite3_errmsg(p->db));
		sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return (double)(now_ns() - t0) / 1e9;
}
