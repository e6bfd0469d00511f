/* sqlshim.c - a preload library: a user's SQLite client run with its commits folded into one. */

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
 * PERFD_SQLSHIM_OUT     a file each process appends one line to at exit:
 *                       "writes W commits C folded F": write statements
 *                       run, commits made, COMMITs skipped
 *
 * It links nothing: libsqlite3's functions are looked up when first used,
 * so the processes of a stage that never load SQLite (the shell, sed,
 * curl) are not touched.
 */
#include <sqlite3.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum sqlshim_kind { SQLSHIM_BEGIN, SQLSHIM_COMMIT, SQLSHIM_ROLLBACK, SQLSHIM_NOTX, SQLSHIM_OTHER };

/* Connections whose open transaction this library keeps open (a few per process). */
#define SQLSHIM_DBS	64

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
	pthread_mutex_t	 lock;
	sqlite3		*held[SQLSHIM_DBS];
	long		 writes, commits, folded;
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

static void
sqlshim_init(void)
{
	const char *mode = getenv("PERFD_SQLSHIM");

	sqlshim.fold = mode != NULL && strcmp(mode, "tx") == 0;
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
	    sqlshim.sql != NULL && sqlshim.db_handle != NULL;
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
	for (;;) {
		s += strspn(s, " \t\r\n;");
		if (s[0] == '-' && s[1] == '-')
			s += strcspn(s, "\n");
		else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e != NULL ? e + 2 : s + strlen(s);
		} else
			break;
	}
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i].word) == n && strncasecmp(s, words[i].word, n) == 0)
			return words[i].kind;
	return SQLSHIM_OTHER;
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
	int skip = 0, in_tx, rc;

	if (!sqlshim_ready())
		return SQLITE_MISUSE;
	if (sqlshim_inside || st == NULL)
		return sqlshim.step(st);
	db = sqlshim.db_handle(st);
	k = sqlshim_classify(sqlshim.sql(st));
	in_tx = !sqlshim.autocommit(db);
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
	char line[128];
	int fd, n;

	if (sqlshim.step == NULL)
		return;		/* SQLite was never used here */
	for (int i = 0; i < SQLSHIM_DBS; i++)
		if (sqlshim.held[i] != NULL)
			sqlshim_settle(sqlshim.held[i]);
	if (out == NULL || (sqlshim.writes == 0 && sqlshim.commits == 0))
		return;
	n = snprintf(line, sizeof line, "writes %ld commits %ld folded %ld\n", sqlshim.writes,
	    sqlshim.commits, sqlshim.folded);
	if ((fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		if (write(fd, line, (size_t)n) != n)
			(void)0;	/* a lost line reads as a client not seen */
		close(fd);
	}
}
