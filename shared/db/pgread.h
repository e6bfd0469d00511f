/* pgread.h - what a read-only session sees of a user's PostgreSQL server. */
#ifndef PERFD_PGREAD_H
#define PERFD_PGREAD_H

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
	int			 nindexes;
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

/*
 * Read the server's version, the settings called names (NULL-terminated),
 * the table's definition and row count, and the pressure counters. 0, or
 * -1 with *cause ("no table 'public.trades'", "permission denied ...").
 */
int pgread_capture(PGconn *, const char *table, const char *const *names, struct pgread *,
    char **cause);
void pgread_free(struct pgread *);

/* dsn with any password in it replaced by "********" (caller frees); NULL when it does not parse. */
char *pgread_redact(const char *dsn);

#endif
