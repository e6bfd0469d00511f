/* pgprobe.h - synthetic rows written into a table on a scratch PostgreSQL cluster. */
#ifndef PERFD_PGPROBE_H
#define PERFD_PGPROBE_H

#include <libpq-fe.h>

/*
 * The probe's side of a PostgreSQL experiment: a table made again on the
 * scratch cluster (never the user's server) from the statements read off
 * the user's (pgread's ddl), and rows shaped by its columns written into
 * it as a client would: one INSERT per row (as SQL text, or prepared),
 * committed every so many rows or each on its own, or many rows per
 * INSERT. A column with a default or an identity is left to it; a column
 * of a type perfd cannot make values for is NULL when it may be, else the
 * table is refused with its name and type.
 */
struct pgprobe {
	PGconn	*conn;
	char	*table;		/* as the server names it: "public.trades" */
	int	 ncols;
	char	**cols;		/* quoted names */
	char	*kinds;		/* per column: i integer, h smallint, r real, t text, b bool,
				   d date, s timestamp, u uuid, n NULL */
	char	*insert_sql;	/* INSERT INTO t (cols) VALUES ($1, ...) */
	long long next;		/* the synthetic row counter */
	/*
	 * A load procedure (see pgprobe_build_after, pgprobe_stage_unlogged):
	 * the table the rows end in when table is a staging table (else
	 * NULL), and what runs after each load, timed with it.
	 */
	char	*target;
	char	*after_move, *after_build;
	char	*before_build;	/* the drop, again before each load after the first */
	int	 built;		/* the last load built the indexes */
};

/* The unlogged table a staged load writes into first. */
#define PGPROBE_STAGING	"perfd_staging"

/*
 * Make the table (drop it first when there) from ddl on the connection
 * conn (taken over: pgprobe_close() finishes it) and learn its columns:
 * 0, or -1 with *cause (the server's words).
 */
int pgprobe_open(struct pgprobe *, PGconn *conn, const char *table, const char *ddl,
    char **cause);
/* Seconds for rows INSERTs committed every commit_every (0: each its own), or -1 with *cause. */
double pgprobe_insert(struct pgprobe *, int rows, int commit_every, int prepared, char **cause);
/* Seconds for rows in INSERTs of per_stmt rows each, in one transaction, or -1 with *cause. */
double pgprobe_insert_multi(struct pgprobe *, int rows, int per_stmt, char **cause);
/* Seconds for rows sent with one COPY FROM STDIN (one statement, autocommit), or -1 with *cause. */
double pgprobe_copy(struct pgprobe *, int rows, char **cause);
/*
 * Seconds for rows as prepared INSERTs in libpq's pipeline mode (sent
 * without waiting for each result), in one transaction, or -1 with *cause.
 */
double pgprobe_pipeline(struct pgprobe *, int rows, char **cause);
/*
 * Load procedures, set before a load and timed with each load from then
 * on. build_after: run drop now (the secondary indexes), and create
 * after each load. stage_unlogged: each load writes into an unlogged
 * staging table of the probe's columns, whose rows move into the table
 * in one statement after it. 0, or -1 with *cause.
 */
int pgprobe_build_after(struct pgprobe *, const char *drop, const char *create, char **cause);
int pgprobe_stage_unlogged(struct pgprobe *, char **cause);
/* Drop the table (and a staging table) and close the connection. */
void pgprobe_close(struct pgprobe *);

/* Run sql (no result rows wanted): 0, or -1 with *cause naming what failed. */
int pgprobe_exec(PGconn *, const char *sql, char **cause);

#endif
