/* pgread.h - what a read-only session sees of a user's PostgreSQL server. */
#ifndef PERFD_PGREAD_H
#define PERFD_PGREAD_H

#include "dbdriver.h"

#include <libpq-fe.h>

/*
 * The user's server is only ever read: the session perfd opens on it has
 * default_transaction_read_only=on (set in the connection's options, so
 * it holds from the first statement), and reads only catalogs and
 * statistics views. The password, when there is one, is passed apart from
 * the connection string, which is never shown with one (pgread_redact()).
 */

/* One row of pg_settings. */
struct pgread_setting {
	char	*name, *value, *unit;
	char	*source;	/* default, configuration file, override, ... */
	int	 restart;	/* changing it needs a server restart (context postmaster) */
};

struct pgread {
	int			 version;	/* server_version_num: 150018 */
	struct pgread_setting	*settings;
	int			 nsettings;
	char			*table;		/* the table as the server names it */
	char			*definition;	/* columns, constraints, indexes, triggers: markdown */
	char			*ddl;		/* the statements that make it again elsewhere */
	char			*fks;		/* its foreign keys (left out of ddl), markdown, or NULL */
	int			 nindexes;
	/*
	 * Its secondary indexes a load may go without (not unique, behind no
	 * constraint): how many, "DROP INDEX a, b;" and their CREATE INDEX
	 * statements; NULL when none.
	 */
	int			 nsecondary;
	char			*secondary_drop, *secondary_create;
	long long		 rows;
	/* Pressure counters since the statistics were last reset. */
	double			 checkpoints_timed, checkpoints_req, wal_buffers_full;
};

/*
 * Connect read-only to dsn (a libpq connection string or URI), password
 * NULL or apart. NULL with *cause (the server's own message, without the
 * password) when it cannot.
 */
PGconn *pgread_connect(const char *dsn, const char *password, char **cause);

/* pgread_capture() and pgread_count() when there is no such table. */
#define PGREAD_ABSENT	(-2)

/*
 * Read the server's version, the settings called names (NULL-terminated),
 * the table's definition and row count, and the pressure counters. 0,
 * PGREAD_ABSENT, or -1 with *cause ("permission denied ...").
 */
int pgread_capture(PGconn *, const char *table, const char *const *names, struct pgread *,
    char **cause);
void pgread_free(struct pgread *);

/*
 * The server's counts so far, as of the last time its sessions reported
 * them: transactions committed and rows written in the session's database
 * (pg_stat_database), checkpoints and WAL (pg_stat_bgwriter or, from 17,
 * pg_stat_checkpointer; pg_stat_wal), autovacuum runs on table, and, when
 * pg_stat_statements is installed in that database and loaded, the
 * INSERT and COPY statements whose text names the table. 0, or -1 with
 * *cause.
 */
int pgread_activity(PGconn *, const char *table, struct db_activity *, char **cause);

/* The rows in table now: PGREAD_ABSENT, or -1 with *cause. */
long long pgread_count(PGconn *, const char *table, char **cause);

/* dsn with any password in it replaced by "********" (caller frees); NULL when it does not parse. */
char *pgread_redact(const char *dsn);
/* dsn without its password, the rest as libpq reads it (caller frees); NULL when it does not parse. */
char *pgread_without_password(const char *dsn);

#endif
