/* sqlshim.c - a preload library: a user's SQLite client run with its commits folded, or other settings. */

/*
 * Run as it is, or with its commits folded into one transaction per
 * connection. The database agents run the user's stage under LD_PRELOAD with this
 * library to measure, on the user's own pipeline, what "commit once"
 * gives (evidence of kind pipeline), instead of scaling a synthetic probe.
 * It interposes three functions of libsqlite3; every client that links
 * the shared library (the sqlite3 shell, Python's sqlite3 module, and so
 * sqlite-utils) calls them, and libsqlite3's own sqlite3_exec() calls
 * sqlite3_step() through its PLT, so statements it runs are seen too. A
 * client with SQLite linked in statically is not seen: the counts it
 * writes say so, and the agent then claims nothing from this run.
 *
 * PERFD_SQLSHIM=count   run as it is, count write statements and commits
 * PERFD_SQLSHIM=tx      the same, with commits folded: the first write
 *                       on a connection in autocommit begins a
 *                       transaction, BEGIN inside one and every COMMIT
 *                       or END are skipped, and the transaction commits
 *                       when the connection closes (or the process
 *                       exits); ROLLBACK is kept as it is
 * PERFD_SQLSHIM_PRAGMAS in either mode, "name=value;name=value": run as
 *                       PRAGMA statements on every connection the client
 *                       opens to the database, right after it opens; the
 *                       client's own PRAGMA setting one of those names is
 *                       skipped, so that the value under test holds
 * PERFD_SQLSHIM_DB      the database those apply to (other files the client
 *                       opens are left as they are); unset: every one
 * PERFD_SQLSHIM_OUT     a file each process appends one line to at exit:
 *                       "writes W commits C folded F set S overridden O":
 *                       write statements run, commits made, COMMITs
 *                       skipped, connections the settings were applied to,
 *                       the client's own PRAGMAs skipped for them
 *
 * The database agents time the stage with a candidate setting this way (and
 * with the current value the same way, since some settings persist in the
 * database file), so that a setting's figure is the user's stage's own.
 *
 * It links nothing: libsqlite3's functions are looked up when first used,
 * so the processes of a stage that never load SQLite (the shell, sed,
 * curl) are not touched.
 */
#include <sqlite3.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum sqlshim_kind { SQLSHIM_BEGIN, SQLSHIM_COMMIT, SQLSHIM_ROLLBACK, SQLSHIM_NOTX, SQLSHIM_OTHER };

/* Connections whose open transaction this library keeps open (a few per process). */
#define SQLSHIM_DBS	64

/* Settings applied at open (the database agents pass a few). */
#define SQLSHIM_PRAGMAS	16

static struct {
	pthread_once_t	 once;
	int		 fold;
	int		 (*step)(sqlite3_stmt *);
	int		 (*close)(sqlite3 *);
	int		 (*close_v2)(sqlite3 *);
	int		 (*exec)(sqlite3 *, const char *, int (*)(void *, int, char **, char **),
			    void *, char **);
	int		 (*autocommit)(sqlite3 *);
	int		 (*readonly)(sqlite3_stmt *);
	const char	*(*sql)(sqlite3_stmt *);
	sqlite3		*(*db_handle)(sqlite3_stmt *);
	int		 (*open)(const char *, sqlite3 **);
	int		 (*open_v2)(const char *, sqlite3 **, int, const char *);
	int		 (*open16)(const void *, sqlite3 **);
	const char	*(*filename)(sqlite3 *, const char *);
	char		*pragma_text;		/* the list, split in place */
	const char	*pragma_name[SQLSHIM_PRAGMAS], *pragma_value[SQLSHIM_PRAGMAS];
	int		 npragmas;
	char		 only[PATH_MAX];	/* the database's folder resolved, '/', its name */
	pthread_mutex_t	 lock;
	sqlite3		*held[SQLSHIM_DBS];
	long		 writes, commits, folded, set, overridden;
} sqlshim = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Set while this library runs a statement of its own: its steps pass through. */
static __thread int sqlshim_inside;

/*
 * libsqlite3's own definition of name. RTLD_NEXT finds it when the
 * program links the library; a module that dlopen()ed it privately
 * (Python's _sqlite3) leaves it out of the global scope, so ask the
 * library itself.
 */
static void *
sqlshim_real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name), *h;

	if (f == NULL && (h = dlopen("libsqlite3.so.0", RTLD_LAZY | RTLD_NOLOAD)) != NULL) {
		f = dlsym(h, name);
		dlclose(h);
	}
	return f;
}

/*
 * path with its folder resolved (symbolic links, "..") into out; the file
 * itself need not exist yet (SQLite creates it at the first write). 0, or
 * -1 when the folder cannot be resolved.
 */
static int
sqlshim_resolve(const char *path, char *out, size_t len)
{
	char d[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];

	if (strlen(path) >= sizeof d)
		return -1;
	strcpy(d, path);
	strcpy(b, path);
	if (realpath(dirname(d), dir) == NULL)
		return -1;
	return snprintf(out, len, "%s/%s", dir, basename(b)) < (int)len ? 0 : -1;
}

/* PERFD_SQLSHIM_PRAGMAS split into names and values, in place. */
static void
sqlshim_pragmas(void)
{
	const char *list = getenv("PERFD_SQLSHIM_PRAGMAS"), *db = getenv("PERFD_SQLSHIM_DB");
	char *save = NULL, *kv;

	if (list == NULL || (sqlshim.pragma_text = strdup(list)) == NULL)
		return;
	for (kv = strtok_r(sqlshim.pragma_text, ";", &save); kv != NULL &&
	    sqlshim.npragmas < SQLSHIM_PRAGMAS; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		sqlshim.pragma_name[sqlshim.npragmas] = kv;
		sqlshim.pragma_value[sqlshim.npragmas++] = eq + 1;
	}
	if (db != NULL && sqlshim_resolve(db, sqlshim.only, sizeof sqlshim.only) != 0)
		sqlshim.npragmas = 0;	/* no database to match: apply nothing */
}

static void
sqlshim_init(void)
{
	const char *mode = getenv("PERFD_SQLSHIM");

	sqlshim.fold = mode != NULL && strcmp(mode, "tx") == 0;
	sqlshim_pragmas();
	*(void **)&sqlshim.open = sqlshim_real("sqlite3_open");
	*(void **)&sqlshim.open_v2 = sqlshim_real("sqlite3_open_v2");
	*(void **)&sqlshim.open16 = sqlshim_real("sqlite3_open16");
	*(void **)&sqlshim.filename = sqlshim_real("sqlite3_db_filename");
	*(void **)&sqlshim.step = sqlshim_real("sqlite3_step");
	*(void **)&sqlshim.close = sqlshim_real("sqlite3_close");
	*(void **)&sqlshim.close_v2 = sqlshim_real("sqlite3_close_v2");
	*(void **)&sqlshim.exec = sqlshim_real("sqlite3_exec");
	*(void **)&sqlshim.autocommit = sqlshim_real("sqlite3_get_autocommit");
	*(void **)&sqlshim.readonly = sqlshim_real("sqlite3_stmt_readonly");
	*(void **)&sqlshim.sql = sqlshim_real("sqlite3_sql");
	*(void **)&sqlshim.db_handle = sqlshim_real("sqlite3_db_handle");
}

/* All of libsqlite3 that is used was found (else everything passes through). */
static int
sqlshim_ready(void)
{
	pthread_once(&sqlshim.once, sqlshim_init);
	return sqlshim.step != NULL && sqlshim.close != NULL && sqlshim.close_v2 != NULL &&
	    sqlshim.exec != NULL && sqlshim.autocommit != NULL && sqlshim.readonly != NULL &&
	    sqlshim.sql != NULL && sqlshim.db_handle != NULL && sqlshim.open != NULL &&
	    sqlshim.open_v2 != NULL && sqlshim.open16 != NULL && sqlshim.filename != NULL;
}

/* Past blanks and comments. */
static const char *
sqlshim_skip(const char *s)
{
	for (;;) {
		s += strspn(s, " \t\r\n;");
		if (s[0] == '-' && s[1] == '-')
			s += strcspn(s, "\n");
		else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e != NULL ? e + 2 : s + strlen(s);
		} else
			return s;
	}
}

/* The statement's first keyword, past blanks and comments. */
static enum sqlshim_kind
sqlshim_classify(const char *s)
{
	static const struct {
		const char		*word;
		enum sqlshim_kind	 kind;
	} words[] = {
		{ "BEGIN", SQLSHIM_BEGIN }, { "COMMIT", SQLSHIM_COMMIT },
		{ "END", SQLSHIM_COMMIT }, { "ROLLBACK", SQLSHIM_ROLLBACK },
		{ "PRAGMA", SQLSHIM_NOTX }, { "VACUUM", SQLSHIM_NOTX },
		{ "ATTACH", SQLSHIM_NOTX }, { "DETACH", SQLSHIM_NOTX },
		{ "SAVEPOINT", SQLSHIM_NOTX }, { "RELEASE", SQLSHIM_NOTX },
	};
	size_t n;

	if (s == NULL)
		return SQLSHIM_OTHER;
	s = sqlshim_skip(s);
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i].word) == n && strncasecmp(s, words[i].word, n) == 0)
			return words[i].kind;
	return SQLSHIM_OTHER;
}

/* Whether db is the database the settings apply to. */
static int
sqlshim_target(sqlite3 *db)
{
	const char *f;
	char path[PATH_MAX];

	if (sqlshim.npragmas == 0)
		return 0;
	if (sqlshim.only[0] == '\0')
		return 1;
	f = sqlshim.filename(db, "main");
	return f != NULL && f[0] != '\0' && sqlshim_resolve(f, path, sizeof path) == 0 &&
	    strcmp(path, sqlshim.only) == 0;
}

/*
 * Which setting under test sql (a PRAGMA) sets, or -1: "PRAGMA
 * [schema.]name = value" or "PRAGMA [schema.]name(value)". Reading one
 * ("PRAGMA name") is left alone.
 */
static int
sqlshim_forced(const char *sql)
{
	const char *s = sqlshim_skip(sql) + strlen("PRAGMA"), *dot;
	size_t n;

	s = sqlshim_skip(s);
	n = strcspn(s, " \t\r\n=(;");
	if ((dot = memchr(s, '.', n)) != NULL) {
		n -= (size_t)(dot + 1 - s);
		s = dot + 1;
	}
	for (int i = 0; i < sqlshim.npragmas; i++)
		if (strlen(sqlshim.pragma_name[i]) == n &&
		    strncasecmp(s, sqlshim.pragma_name[i], n) == 0) {
			const char *t = sqlshim_skip(s + n);

			return *t == '=' || *t == '(' ? i : -1;
		}
	return -1;
}

/* db's slot in the held list, or -1 (NULL: the first free slot). The caller holds the lock. */
static int
sqlshim_slot(sqlite3 *db)
{
	for (int i = 0; i < SQLSHIM_DBS; i++)
		if (sqlshim.held[i] == db)
			return i;
	return -1;
}

/* Remember (on 1) or forget (on 0) that db's transaction is held open here; whether it was. */
static int
sqlshim_hold(sqlite3 *db, int on)
{
	int at, was;

	pthread_mutex_lock(&sqlshim.lock);
	was = (at = sqlshim_slot(db)) >= 0;
	if (!was && on)
		at = sqlshim_slot(NULL);
	if (at >= 0)
		sqlshim.held[at] = on ? db : NULL;
	pthread_mutex_unlock(&sqlshim.lock);
	return was;
}

/* Run a statement of this library's own on db. */
static int
sqlshim_exec(sqlite3 *db, const char *sql)
{
	int rc;

	sqlshim_inside = 1;
	rc = sqlshim.exec(db, sql, NULL, NULL, NULL);
	sqlshim_inside = 0;
	return rc;
}

/* Run setting i of the list on db; 1 when it took. */
static int
sqlshim_apply(sqlite3 *db, int i)
{
	char sql[256];

	snprintf(sql, sizeof sql, "PRAGMA %s = %s", sqlshim.pragma_name[i],
	    sqlshim.pragma_value[i]);
	return sqlshim_exec(db, sql) == SQLITE_OK;
}

/* Commit the transaction held open on db, if any: the one commit the fold leaves. */
static void
sqlshim_settle(sqlite3 *db)
{
	if (sqlshim_hold(db, 0) && !sqlshim.autocommit(db) &&
	    sqlshim_exec(db, "COMMIT") == SQLITE_OK)
		__atomic_add_fetch(&sqlshim.commits, 1, __ATOMIC_RELAXED);
}

/* A step under the fold: what to do instead of, or before, the real step. */
static int
sqlshim_fold(sqlite3_stmt *st, sqlite3 *db, enum sqlshim_kind k, int in_tx, int *skip)
{
	*skip = 0;
	switch (k) {
	case SQLSHIM_BEGIN:
		/* The client's own BEGIN opens the one transaction; later ones fold into it. */
		if (in_tx)
			*skip = 1;
		sqlshim_hold(db, 1);
		break;
	case SQLSHIM_COMMIT:
		if (in_tx) {
			*skip = 1;
			__atomic_add_fetch(&sqlshim.folded, 1, __ATOMIC_RELAXED);
		}
		break;
	case SQLSHIM_NOTX:
		/* These cannot run inside a transaction: a user would commit before them. */
		sqlshim_settle(db);
		break;
	case SQLSHIM_ROLLBACK:
		break;
	case SQLSHIM_OTHER:
		if (!in_tx && !sqlshim.readonly(st)) {
			if (sqlshim_exec(db, "BEGIN") != SQLITE_OK)
				return -1;
			sqlshim_hold(db, 1);
		}
		break;
	}
	return 0;
}

int
sqlite3_step(sqlite3_stmt *st)
{
	enum sqlshim_kind k;
	sqlite3 *db;
	int skip = 0, in_tx, rc, forced;

	if (!sqlshim_ready())
		return SQLITE_MISUSE;
	if (sqlshim_inside || st == NULL)
		return sqlshim.step(st);
	db = sqlshim.db_handle(st);
	k = sqlshim_classify(sqlshim.sql(st));
	in_tx = !sqlshim.autocommit(db);
	if (k == SQLSHIM_NOTX && sqlshim.npragmas > 0 &&
	    (forced = sqlshim_forced(sqlshim.sql(st))) >= 0 && sqlshim_target(db)) {
		/*
		 * The value under test holds. Skipping the step is not enough:
		 * SQLite applies some settings (synchronous) when it prepares
		 * the statement, so the value under test is set again.
		 */
		__atomic_add_fetch(&sqlshim.overridden, 1, __ATOMIC_RELAXED);
		sqlshim_apply(db, forced);
		return SQLITE_DONE;
	}
	if (sqlshim.fold && sqlshim_fold(st, db, k, in_tx, &skip) != 0)
		return sqlshim.step(st);
	if (skip)
		return SQLITE_DONE;
	rc = sqlshim.step(st);
	/* What the stage as it runs commits: each COMMIT, and each write in autocommit. */
	if (k == SQLSHIM_OTHER && !sqlshim.readonly(st) && (rc == SQLITE_DONE || rc == SQLITE_ROW)) {
		__atomic_add_fetch(&sqlshim.writes, 1, __ATOMIC_RELAXED);
		if (!in_tx && !sqlshim.fold)
			__atomic_add_fetch(&sqlshim.commits, 1, __ATOMIC_RELAXED);
	} else if (k == SQLSHIM_COMMIT && rc == SQLITE_DONE && in_tx)
		__atomic_add_fetch(&sqlshim.commits, 1, __ATOMIC_RELAXED);
	return rc;
}

/*
 * Right after the client opens the database: the settings under test, in
 * their order (a synchronous level that requires WAL comes after the
 * journal mode). A connection where one fails is not counted as set, so
 * the agent claims nothing from a run where the setting did not hold.
 */
static int
sqlshim_opened(int rc, sqlite3 **dbp)
{
	sqlite3 *db = dbp != NULL ? *dbp : NULL;
	int ok = 1;

	if (rc != SQLITE_OK || db == NULL || !sqlshim_target(db))
		return rc;
	for (int i = 0; i < sqlshim.npragmas; i++)
		ok &= sqlshim_apply(db, i);
	if (ok)
		__atomic_add_fetch(&sqlshim.set, 1, __ATOMIC_RELAXED);
	return rc;
}

int
sqlite3_open(const char *name, sqlite3 **db)
{
	if (!sqlshim_ready())
		return SQLITE_MISUSE;
	return sqlshim_opened(sqlshim.open(name, db), db);
}

int
sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs)
{
	if (!sqlshim_ready())
		return SQLITE_MISUSE;
	return sqlshim_opened(sqlshim.open_v2(name, db, flags, vfs), db);
}

int
sqlite3_open16(const void *name, sqlite3 **db)
{
	if (!sqlshim_ready())
		return SQLITE_MISUSE;
	return sqlshim_opened(sqlshim.open16(name, db), db);
}

/* Before a connection closes: its held transaction commits. 0 when libsqlite3 is not found. */
static int
sqlshim_closing(sqlite3 *db)
{
	if (!sqlshim_ready())
		return 0;
	if (db != NULL)
		sqlshim_settle(db);
	return 1;
}

int
sqlite3_close(sqlite3 *db)
{
	return sqlshim_closing(db) ? sqlshim.close(db) : SQLITE_MISUSE;
}

int
sqlite3_close_v2(sqlite3 *db)
{
	return sqlshim_closing(db) ? sqlshim.close_v2(db) : SQLITE_MISUSE;
}

/*
 * At exit: commit what is still held (a client that exits without
 * closing, as a user's one COMMIT before exit would have), then append
 * the counts. One short write() with O_APPEND: the lines of a stage's
 * processes do not interleave.
 */
static void __attribute__((destructor))
sqlshim_exit(void)
{
	const char *out = getenv("PERFD_SQLSHIM_OUT");
	char line[160];
	int fd, n;

	if (sqlshim.step == NULL)
		return;		/* SQLite was never used here */
	for (int i = 0; i < SQLSHIM_DBS; i++)
		if (sqlshim.held[i] != NULL)
			sqlshim_settle(sqlshim.held[i]);
	if (out == NULL || (sqlshim.writes == 0 && sqlshim.commits == 0 && sqlshim.set == 0))
		return;
	n = snprintf(line, sizeof line, "writes %ld commits %ld folded %ld set %ld overridden %ld\n",
	    sqlshim.writes, sqlshim.commits, sqlshim.folded, sqlshim.set, sqlshim.overridden);
	if ((fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		if (write(fd, line, (size_t)n) != n)
			(void)0;	/* a lost line reads as a client not seen */
		close(fd);
	}
}
