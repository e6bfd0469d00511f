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
};

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
/* Drop the table and close the connection. */
void pgprobe_close(struct pgprobe *);

/* Run sql (no result rows wanted): 0, or -1 with *cause naming what failed. */
int pgprobe_exec(PGconn *, const char *sql, char **cause);

#endif
