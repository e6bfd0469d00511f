/* dbdriver.h - what the database agents need from a database kind. */
#ifndef PERFD_DBDRIVER_H
#define PERFD_DBDRIVER_H

#include "spec.h"

/*
 * The agents (db-config, client-library, batch-size) speak to the database
 * only through this table; a kind (SQLite today, PostgreSQL next) is one
 * implementation of it plus a rules file, and no agent changes. The
 * user's database is only ever read, and read in one place: capture(),
 * which the agents call under the measurement lock at a moment the
 * pipeline has left the database as it leaves it. Experiments run on
 * scratch copies made from that capture, never from the user's database.
 */
struct db_scratch;
struct db_server;

/*
 * A server's own counts, read-only, as activity() reads them; the agents
 * take their difference around one run of the stage (other sessions on
 * the server count too, and the report says so).
 */
struct db_activity {
	double	commits;	/* transactions committed in the user's database */
	double	rows;		/* rows inserted, updated or deleted there */
	double	checkpoints_req, checkpoints_timed;	/* the whole server's */
	double	wal_buffers_full, wal_bytes;
	double	table_vacuums;	/* autovacuum and autoanalyze runs on the table */
	/*
	 * Statements that name the table, by the server's statement
	 * statistics (pg_stat_statements): stmt_known 0 when it keeps none.
	 */
	int	stmt_known;
	double	insert_calls, insert_rows, copy_calls, copy_rows;
	int	own;		/* transactions the read itself commits, which
				   count in commits once its session ends */
};

/* capture() and count() when the database, or the table in it, does not exist (yet). */
#define DB_ABSENT	(-2)

/* What one read of the user's database saw. */
struct db_capture {
	char		**values;	/* the driver's settings, normalised */
	int		 *stored;	/* 1: the value lives in the database */
	char		**sources;	/* where each value comes from, as the server
					   says it ("configuration file"), or NULL */
	char		 *objects;	/* the table's indexes and triggers, markdown */
	double		  syncs_per_commit;	/* in its mode; 0 when unknown */
	long long	  rows;		/* in the table */
	char		 *copy;		/* the driver's copy, in the agent's folder */
	struct db_server *server;	/* where scratch copies live when that is a
					   server the driver runs, or NULL */
};

/*
 * A client program the pipeline may use to write, told apart by words in
 * its stage's command or script, with advice in its own terms: a user of
 * a command-line loader gets a flag or a line of its language, not C.
 */
struct db_client {
	const char	*id;
	const char	*name;		/* "Python's sqlite3 module" */
	const char	*match;		/* words that identify it, '|' between */
	const char	*tx_how;	/* many rows per transaction, in its terms */
	const char	*writes;	/* what its rows are sent as, so what tx_how
					   reaches: "text", "prepared", "multi" or
					   "copy" (a kind with insert_copy) */
	const char	*set_how;	/* a per-connection setting; %s: the statement;
					   NULL: the client offers no way */
	int		 tx_explicit;	/* it sends BEGIN and COMMIT around each of
					   its transactions (1), or relies on
					   autocommit for single statements (0) */
};

struct db_driver {
	const char		*kind;
	const char		*name;		/* as a report says it: "SQLite" */
	const char		*rules;		/* file in agents/rules/ */
	const char *const	*settings;	/* the settings capture() reads, in order */
	int			 nsettings;

	/*
	 * The spec's database section as this kind takes it (a file path, a
	 * connection string): 0, or -1 with the key at fault and the message
	 * (spec_kinds.check; *why is the caller's to free).
	 */
	int		(*check)(const struct spec *, const char **key, char **why);
	/* Move a password out of the section into spec.db_secret (NULL: the kind has none). */
	void		(*keep_secret)(struct spec *);
	/* The user's database as a report names it, never with a secret (caller frees). */
	char		*(*label)(const struct spec *);

	/*
	 * Read the user's database once and copy it into dir: 0, DB_ABSENT
	 * (with *cause) when the database or its table does not exist, or -1
	 * with *cause (not a database, locked, unreadable).
	 */
	int		(*capture)(const struct spec *, const char *dir, struct db_capture *,
			    char **cause);
	void		(*release)(struct db_capture *);	/* and remove the copy */
	/* Rows in the table now; DB_ABSENT, or -1 with *cause. */
	long long	(*count)(const struct spec *, char **cause);
	/* The statement a user runs to set it (caller frees). */
	char		*(*apply_text)(const char *setting, const char *value);
	/*
	 * A per-connection setting as a client's set_how takes it, when that
	 * is not apply_text()'s statement (caller frees); NULL: apply_text.
	 */
	char		*(*session_text)(const char *setting, const char *value);
	/*
	 * What a user does around every load when setting is a way of loading
	 * rather than a setting (a rule may name one: "secondary indexes" =
	 * "built after the load"), in words with its statements (caller
	 * frees); NULL: setting is a setting (apply_text). May be NULL.
	 */
	char		*(*procedure_how)(const struct spec *, const char *setting,
			    const char *value, const struct db_capture *);
	/* A command line that runs that statement once on the user's database (caller frees). */
	char		*(*apply_once)(const struct spec *, const char *statement);
	/*
	 * How a report introduces apply_once()'s line; %s: the database's
	 * label. "Once, right after the pipeline creates `%s` (it is kept in
	 * the database)".
	 */
	const char		*once_how;
	/* What a report says of the settings capture() read, before their table. */
	const char		*settings_intro;

	/* A scratch database made from a capture, and work on it. */
	struct db_scratch *(*scratch)(const struct spec *, const struct db_capture *,
			    const char *path, char **cause);
	int		(*set)(struct db_scratch *, const char *setting,
			    const char *value, char **cause);
	/* Seconds for rows inserts committed every commit_every (0: each). */
	double		(*insert)(struct db_scratch *, int rows, int commit_every,
			    int prepared, char **cause);
	double		(*insert_multi)(struct db_scratch *, int rows, int per_stmt,
			    char **cause);
	/* Seconds for rows in one COPY FROM STDIN; NULL: the kind has none. */
	double		(*insert_copy)(struct db_scratch *, int rows, char **cause);
	/* Seconds for rows sent in the client library's pipeline mode, one transaction; NULL: none. */
	double		(*insert_pipeline)(struct db_scratch *, int rows, char **cause);
	void		(*close)(struct db_scratch *);	/* and remove the copy */

	/* The setting ("name=value") under which a commit skips its syncs. */
	const char		*nosync;
	/*
	 * A shell line that runs quoted (a command, quoted for the shell) with
	 * its commits' syncs skipped, the rest as it is (caller frees); NULL:
	 * the kind has no such way, and no no-sync rounds run (a probe figure's
	 * bound then falls back, and says so).
	 */
	char			*(*nosync_wrap)(const char *quoted);
	const char		*nosync_tool;	/* the program that needs, or NULL */
	/*
	 * How nosync_wrap sets the nosync setting itself on the stage's own
	 * sessions ("PGOPTIONS"), so that the no-sync rounds measure that
	 * candidate on the stage; NULL when it only resembles it (eatmydata).
	 */
	const char		*nosync_on_stage;
	/*
	 * The server's own counts so far (struct db_activity), read-only,
	 * when the kind keeps them (NULL: commits are counted from the
	 * client's syncs): 0, or -1 with *cause.
	 */
	int			(*activity)(const struct spec *, struct db_activity *,
				    char **cause);
	/*
	 * What the statements counted during one run say, one sentence
	 * ("400 INSERT statements on ... for 400 rows"), and what the
	 * server's counters then say of its configuration ("checkpoint
	 * pressure: ..."), in words, of that difference and the captured
	 * settings (caller frees; NULL: nothing to say).
	 */
	char			*(*statements_text)(const struct db_activity *during,
				    const char *table);
	char			*(*pressure_text)(const struct db_activity *during,
				    const struct db_capture *);
	/*
	 * A preload library perfd installs beside perfd-agent, under which the
	 * client's own stage runs with its commits folded into one transaction
	 * (see shared/db/sqlshim.c for what it takes), or NULL.
	 */
	const char		*shim;

	/* The clients it knows; the last one matches anything. */
	const struct db_client	*clients;
	int			 nclients;
};

/* The driver for database.kind, or NULL. */
const struct db_driver *db_driver(const char *kind);
/* The kinds there are drivers for, "a, b" (static). */
const char *db_driver_kinds(void);
/* The registry as the spec parser takes it. */
extern const struct spec_kinds db_driver_spec_kinds;

/*
 * The kinds there are, NULL-terminated: defined in registry.c, one line
 * per kind. A program may link its own registry instead (the tests' double).
 */
extern const struct db_driver *const db_registry[];

/* The kinds (one file each). */
extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_postgresql_driver;

#endif
