/* sqlprobe.h - insert workloads on a scratch copy of the user's SQLite database. */
#ifndef PERFD_SQLPROBE_H
#define PERFD_SQLPROBE_H

#include <sqlite3.h>

/*
 * The user's database is only ever opened read-only (SQLITE_OPEN_READONLY);
 * experiments run on a copy made with the online backup API in the agent's
 * own folder.
 */
struct probe {
	sqlite3		*db;		/* the scratch copy */
	char		*path;
	char		*table;
	int		 ncols;
	char		**cols;		/* column names, without the rowid alias */
	char		**types;	/* declared types */
	char		*aff;		/* their affinities: i, r, t, b */
	char		*insert_sql;	/* INSERT INTO t (cols) VALUES (?, ...) */
	long long	 next;		/* synthetic row counter */
};

/*
 * Open the user's database read-only (waiting up to busy_ms while it is
 * locked), leaving nothing beside it: immutable when it has no -wal file.
 * NULL with *cause (and *absent set, when not NULL, if there is no file).
 */
sqlite3 *sqlprobe_open_user(const char *path, int busy_ms, int *absent, char **cause);

/* sqlprobe_check() and sqlprobe_count() when the file or the table does not exist. */
#define SQLPROBE_ABSENT	(-2)

/*
 * Open user_db read-only (waiting up to busy_ms while it is locked) and
 * check it holds table; 0, SQLPROBE_ABSENT (no file, no such table), or -1
 * with *cause: not SQLite, locked, unreadable.
 */
int sqlprobe_check(const char *user_db, const char *table, int busy_ms, char **cause);

/* Copy user_db into scratch (replaced) with the backup API and open it. */
int sqlprobe_open(struct probe *, const char *user_db, const char *scratch,
    const char *table, char **cause);
void sqlprobe_close(struct probe *);

/*
 * Insert rows synthetic rows shaped by the table's columns, committing
 * every `commit_every` rows (0: autocommit, one transaction per row), with
 * a prepared statement or SQL text. Returns the seconds it took, or -1
 * with *cause.
 */
double sqlprobe_insert(struct probe *, int rows, int commit_every, int prepared,
    char **cause);

/*
 * Insert rows as multi-row INSERT ... VALUES (...), (...) statements of
 * per_stmt rows each, prepared, all in one transaction. Seconds, or -1.
 */
double sqlprobe_insert_multi(struct probe *, int rows, int per_stmt, char **cause);

/* Rows in the table of a database opened read-only; SQLPROBE_ABSENT, or -1 with *cause. */
long long sqlprobe_count(const char *db, const char *table, char **cause);

#endif
