/* db-postgresql.c - the PostgreSQL implementation of the database driver. */
#include "buf.h"
#include "dbdriver.h"
#include "file.h"
#include "path.h"
#include "pgcluster.h"
#include "pgprobe.h"
#include "pgread.h"
#include "util.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The settings read off the user's server, and copied into the scratch
 * cluster's configuration as the server has them, so that an experiment
 * starts where the user's server is. synchronous_commit first: it is the
 * one a session may set for itself (the others are the server's).
 * NULL-terminated, as pgread_capture() takes names.
 */
static const char *const pg_settings[] = {
	"synchronous_commit", "wal_buffers", "max_wal_size", "min_wal_size",
	"checkpoint_timeout", "checkpoint_completion_target", "wal_compression",
	"commit_delay", "commit_siblings", "shared_buffers", "wal_level", "fsync",
	"full_page_writes", "autovacuum",
	/*
	 * Then two ways of loading rather than settings, which db-config's
	 * rules take as settings all the same (read off the table, measured
	 * on the scratch cluster by pg_set(), advised by pg_procedure_how()):
	 * the secondary indexes built after the load instead of during it,
	 * and the rows loaded into an unlogged staging table first.
	 */
#define PG_INDEXES	"secondary indexes"
#define PG_STAGING	"staging table"
	PG_INDEXES, PG_STAGING
};
#define NSETTINGS	((int)PERFD_ARRAY_LEN(pg_settings))
#define NSERVER		(NSETTINGS - 2)	/* the server's own, which pg_settings holds */
#define PG_INDEXES_AFTER	"built after the load"
#define PG_STAGING_UNLOGGED	"unlogged"

/* Settings the server takes only at its start (context postmaster). */
static int
pg_needs_restart(const char *name)
{
	return strcmp(name, "wal_buffers") == 0 || strcmp(name, "shared_buffers") == 0 ||
	    strcmp(name, "wal_level") == 0;
}

/*
 * The scratch cluster a capture's experiments run on: made on the first
 * scratch() (an agent that needs none starts none), kept across them,
 * stopped and removed by release().
 */
struct db_server {
	struct pgcluster c;
	int		 major;
	char		**settings;	/* "name=value" as the user's server has them */
	char		*ddl, *table;
	char		*secondary_drop, *secondary_create;	/* or NULL */
	char		*failed;	/* why it could not start: said to every scratch() */
	int		 restarted;	/* a setting that took a restart was changed */
};

struct db_scratch {
	struct db_server *srv;
	struct pgprobe	 p;
};

static PGconn *
pg_connect(const struct spec *sp, char **cause)
{
	return pgread_connect(sp->db_dsn, sp->db_secret, cause);
}

/* A connection string and a table; the dsn a libpq string or URI, with no path. */
static int
pg_check(const struct spec *sp, const char **key, char **why)
{
	PQconninfoOption *o;
	char *err = NULL;

	if (sp->db_path != NULL) {
		*key = "path";
		*why = xstrdup("database.path: kind 'postgresql' connects to a server: it "
		    "takes database.dsn (a libpq connection string or postgresql:// URI), "
		    "not a file");
		return -1;
	}
	if (sp->db_dsn == NULL) {
		*key = NULL;
		*why = xstrdup("database: missing required key 'dsn' (a libpq connection "
		    "string, \"host=/run/postgresql dbname=market\", or a postgresql:// URI)");
		return -1;
	}
	/* libpq's own message may quote the string, and so a password: never shown. */
	if ((o = PQconninfoParse(sp->db_dsn, &err)) == NULL) {
		PQfreemem(err);
		*key = "dsn";
		*why = xstrdup("database.dsn: libpq cannot read it as a connection string "
		    "(key=value ...) or a postgresql:// URI");
		return -1;
	}
	PQconninfoFree(o);
	if (sp->db_table == NULL) {
		*key = NULL;
		*why = xstrdup("database: missing required key 'table' (schema-qualified, "
		    "or on the search_path)");
		return -1;
	}
	return 0;
}

/* The password goes to db_secret; the dsn keeps the rest, as libpq reads it. */
static void
pg_keep_secret(struct spec *sp)
{
	PQconninfoOption *opts = PQconninfoParse(sp->db_dsn, NULL);
	char *rest;

	if (opts == NULL)
		return;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
			sp->db_secret = xstrdup(o->val);
	PQconninfoFree(opts);
	if (sp->db_secret == NULL)
		return;
	rest = pgread_without_password(sp->db_dsn);
	free(sp->db_dsn);
	sp->db_dsn = rest;
}

/* The server as its connection string says (never a password: pg_keep_secret took it out). */
static char *
pg_label(const struct spec *sp)
{
	char *dsn = pgread_redact(sp->db_dsn);

	return dsn != NULL ? dsn : xstrdup("the server");
}

static long long
pg_count(const struct spec *sp, char **cause)
{
	PGconn *c = pg_connect(sp, cause);
	long long n;

	if (c == NULL)
		return -1;
	n = pgread_count(c, sp->db_table, cause);
	PQfinish(c);
	return n == PGREAD_ABSENT ? DB_ABSENT : n;
}

static char *
pg_apply_text(const char *setting, const char *value)
{
	return xasprintf("ALTER SYSTEM SET %s = '%s';%s", setting, value,
	    pg_needs_restart(setting) ? " -- then restart the server: it takes this "
	    "setting only at its start" : "");
}

/* What a user does around every load for a way of loading (caller frees), or NULL. */
static char *
pg_procedure_how(const struct spec *sp, const char *setting, const char *value,
    const struct db_capture *c)
{
	const struct db_server *s = c->server;

	if (strcmp(setting, PG_INDEXES) == 0 && strcmp(value, PG_INDEXES_AFTER) == 0 &&
	    s != NULL && s->secondary_drop != NULL)
		return xasprintf("before it, `%s`; after it, `%s` (queries on the table go "
		    "without these indexes while the load runs)", s->secondary_drop,
		    s->secondary_create);
	if (strcmp(setting, PG_STAGING) == 0 && strcmp(value, PG_STAGING_UNLOGGED) == 0)
		return xasprintf("load into an unlogged table made like it, `CREATE UNLOGGED "
		    "TABLE perfd_staging (LIKE %s INCLUDING DEFAULTS);`, then move the rows in "
		    "one statement, `INSERT INTO %s SELECT * FROM perfd_staging; DROP TABLE "
		    "perfd_staging;` (an unlogged table is emptied by a crash: load it again "
		    "then)", sp->db_table, sp->db_table);
	return NULL;
}

/* A session's own setting, as PGOPTIONS and the clients' options take it. */
static char *
pg_session_text(const char *setting, const char *value)
{
	return xasprintf("%s=%s", setting, value);
}

static char *
pg_apply_once(const struct spec *sp, const char *statement)
{
	char *dsn = pgread_redact(sp->db_dsn);
	char *s = xasprintf("psql \"%s\" -c \"%.*s\" -c \"SELECT pg_reload_conf()\"",
	    dsn != NULL ? dsn : "", (int)strcspn(statement, ";"), statement);

	free(dsn);
	return s;
}

static void
pg_server_free(struct db_server *s)
{
	if (s == NULL)
		return;
	pgcluster_stop(&s->c);
	for (int i = 0; s->settings != NULL && s->settings[i] != NULL; i++)
		free(s->settings[i]);
	free(s->settings);
	free(s->ddl);
	free(s->table);
	free(s->secondary_drop);
	free(s->secondary_create);
	free(s->failed);
	free(s);
}

static void
pg_release(struct db_capture *c)
{
	for (int i = 0; c->values != NULL && i < NSETTINGS; i++) {
		free(c->values[i]);
		free(c->sources[i]);
	}
	free(c->values);
	free(c->sources);
	free(c->stored);
	free(c->objects);
	if (c->copy != NULL)
		unlink(c->copy);
	free(c->copy);
	pg_server_free(c->server);
	memset(c, 0, sizeof *c);
}

/* The two ways of loading (PG_INDEXES, PG_STAGING) as the table has them now. */
static void
pg_keep_procedures(const struct pgread *r, struct db_capture *c, struct db_server *s)
{
	int i = NSERVER;

	c->values[i] = xstrdup(r->nsecondary > 0 ? "built during the load" : "none");
	c->sources[i] = xasprintf("the table: %d secondary index%s not unique and behind no "
	    "constraint", r->nsecondary, r->nsecondary == 1 ? "" : "es");
	c->stored[i] = 1;
	i++;
	c->values[i] = xstrdup("none");
	c->sources[i] = xstrdup("the stage writes into the table itself");
	c->stored[i] = 1;
	if (r->nsecondary > 0) {
		s->secondary_drop = xstrdup(r->secondary_drop);
		s->secondary_create = xstrdup(r->secondary_create);
	}
}

/* What was read, into the capture and the server its experiments will run on. */
static void
pg_keep(const struct pgread *r, struct db_capture *c)
{
	struct db_server *s = xcalloc(1, sizeof *s);
	int n = 0;

	c->values = xcalloc(NSETTINGS, sizeof *c->values);
	c->sources = xcalloc(NSETTINGS, sizeof *c->sources);
	c->stored = xcalloc(NSETTINGS, sizeof *c->stored);
	s->settings = xcalloc(NSETTINGS + 1, sizeof *s->settings);
	for (int i = 0; i < NSERVER; i++) {
		c->values[i] = xstrdup("?");
		c->sources[i] = xstrdup("not on this server");
		/* A session may set synchronous_commit for itself; the rest are the server's. */
		c->stored[i] = i > 0;
		for (int k = 0; k < r->nsettings; k++)
			if (strcmp(r->settings[k].name, pg_settings[i]) == 0) {
				free(c->values[i]);
				free(c->sources[i]);
				c->values[i] = xstrdup(r->settings[k].value);
				c->sources[i] = xstrdup(r->settings[k].source);
				s->settings[n++] = xasprintf("%s=%s", pg_settings[i],
				    r->settings[k].value);
			}
	}
	pg_keep_procedures(r, c, s);
	c->objects = r->fks == NULL ? xstrdup(r->definition) : xasprintf("%s%s(foreign keys "
	    "are not made on the scratch cluster: the tables they point to are not "
	    "there)\n", r->definition, r->fks);
	c->rows = r->rows;
	s->major = r->version / 10000;
	s->ddl = xstrdup(r->ddl);
	s->table = xstrdup(r->table);
	c->server = s;
}

static int
pg_capture(const struct spec *sp, const char *dir, struct db_capture *c, char **cause)
{
	const char *names[NSERVER + 1];
	PGconn *conn;
	struct pgread r;
	int rc;

	memset(c, 0, sizeof *c);
	if ((conn = pg_connect(sp, cause)) == NULL)
		return -1;
	/* The server's settings only, NULL-terminated as pgread takes them. */
	memcpy(names, pg_settings, sizeof names - sizeof names[0]);
	names[NSERVER] = NULL;
	rc = pgread_capture(conn, sp->db_table, names, &r, cause);
	PQfinish(conn);
	if (rc != 0)
		return rc == PGREAD_ABSENT ? DB_ABSENT : -1;
	pg_keep(&r, c);
	/* The statements the scratch table is made from, for the user to read. */
	c->copy = path_join(dir, "captured-table.sql");
	if (file_write_atomic(c->copy, r.ddl, strlen(r.ddl), cause) != 0) {
		pgread_free(&r);
		pg_release(c);
		return -1;
	}
	pgread_free(&r);
	return 0;
}

/* When the server last loaded its configuration, as a new session sees it (caller frees), or NULL. */
static char *
pg_loaded(struct db_server *s)
{
	char *ci = pgcluster_conninfo(&s->c), *t = NULL;
	PGconn *conn = PQconnectdb(ci);
	PGresult *r = PQexec(conn, "SELECT pg_conf_load_time()::text");

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		t = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(conn);
	free(ci);
	return t;
}

/*
 * Reload the configuration and wait (2 s at most) until a new session has
 * it: pg_reload_conf() only signals the server. A session opened before
 * the server has read the file again runs with the old settings, and
 * takes the new ones at some later command: the side of a pair measured
 * "as it is" right after a candidate ran partly with the candidate (one
 * suite saw synchronous_commit = off gain 1.5%). The server signals every
 * session before a new one can see the new load time, so a session that
 * sends one more command after this has them too.
 */
static int
pg_reload(struct db_server *s, PGconn *conn, char **cause)
{
	char *before = pg_loaded(s), *now = NULL;
	int rc = pgprobe_exec(conn, "SELECT pg_reload_conf()", cause);

	for (int i = 0; rc == 0 && before != NULL && i < 200; i++) {
		free(now);
		if ((now = pg_loaded(s)) != NULL && strcmp(now, before) != 0)
			break;
		usleep(10 * 1000);
	}
	free(before);
	free(now);
	return rc;
}

/* The server's settings back to the user's (ALTER SYSTEM RESET ALL): 0, or -1 with *cause. */
static int
pg_reset(struct db_server *s, char **cause)
{
	char *ci = pgcluster_conninfo(&s->c);
	PGconn *conn = PQconnectdb(ci);
	int rc = pgprobe_exec(conn, "ALTER SYSTEM RESET ALL", cause);

	if (rc == 0)
		rc = pg_reload(s, conn, cause);
	PQfinish(conn);
	free(ci);
	if (rc == 0 && s->restarted) {
		rc = pgcluster_restart(&s->c, cause);
		s->restarted = 0;
	}
	return rc;
}

/* The cluster, started on first need; 0, or -1 with *cause (said again on every call). */
static int
pg_server_up(struct db_server *s, const char *parent, char **cause)
{
	if (s->failed == NULL && s->c.pid <= 0 &&
	    pgcluster_start(&s->c, parent, s->major, (const char *const *)s->settings,
	    &s->failed) != 0 && s->failed == NULL)
		s->failed = xstrdup("the scratch cluster did not start");
	if (s->failed != NULL) {
		*cause = xstrdup(s->failed);
		return -1;
	}
	return 0;
}

static struct db_scratch *
pg_scratch(const struct spec *sp, const struct db_capture *c, const char *path, char **cause)
{
	struct db_server *s = c->server;
	struct db_scratch *x;
	char *parent = path_dirname(path), *ci;
	PGconn *conn;
	int rc;

	(void)sp;
	rc = pg_server_up(s, parent, cause);
	free(parent);
	if (rc != 0 || pg_reset(s, cause) != 0)
		return NULL;
	ci = pgcluster_conninfo(&s->c);
	conn = PQconnectdb(ci);
	free(ci);
	x = xcalloc(1, sizeof *x);
	x->srv = s;
	if (pgprobe_open(&x->p, conn, s->table, s->ddl, cause) != 0) {
		pgprobe_close(&x->p);
		free(x);
		return NULL;
	}
	return x;
}

/* The session's value of name, as SHOW says it (caller frees), or NULL. */
static char *
pg_show(PGconn *conn, const char *name)
{
	PGresult *r = PQexecParams(conn, "SELECT current_setting($1)", 1, NULL,
	    (const char *[]){ name }, NULL, NULL, 0);
	char *v = PQresultStatus(r) == PGRES_TUPLES_OK ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;

	PQclear(r);
	return v;
}

/*
 * A way of loading (PG_INDEXES, PG_STAGING) on the probe's table: 1 when
 * setting is one (0 or -1 with *cause in *rc), else 0. Its other value is
 * the table as it is: nothing to do.
 */
static int
pg_set_procedure(struct db_scratch *x, const char *setting, const char *value, int *rc,
    char **cause)
{
	struct db_server *s = x->srv;

	*rc = 0;
	if (strcmp(setting, PG_INDEXES) == 0) {
		if (strcmp(value, PG_INDEXES_AFTER) == 0 && s->secondary_drop != NULL)
			*rc = pgprobe_build_after(&x->p, s->secondary_drop, s->secondary_create,
			    cause);
		return 1;
	}
	if (strcmp(setting, PG_STAGING) == 0) {
		if (strcmp(value, PG_STAGING_UNLOGGED) == 0)
			*rc = pgprobe_stage_unlogged(&x->p, cause);
		return 1;
	}
	return 0;
}

static int
pg_set(struct db_scratch *x, const char *setting, const char *value, char **cause)
{
	struct db_server *s = x->srv;
	char *sql, *was, *is;
	int rc;

	if (pg_set_procedure(x, setting, value, &rc, cause))
		return rc;
	sql = xasprintf("ALTER SYSTEM SET %s = '%s'", setting, value);
	rc = pgprobe_exec(x->p.conn, sql, cause);
	free(sql);
	if (rc == 0 && pg_needs_restart(setting)) {
		s->restarted = 1;
		rc = pgcluster_restart(&s->c, cause);
		if (rc == 0) {
			char *ci = pgcluster_conninfo(&s->c);

			PQfinish(x->p.conn);
			x->p.conn = PQconnectdb(ci);
			free(ci);
		}
		return rc;
	}
	was = rc == 0 ? pg_show(x->p.conn, setting) : NULL;
	if (rc == 0)
		rc = pg_reload(s, x->p.conn, cause);
	/* This session takes it at its next command: that one, so that the timed ones have it. */
	is = rc == 0 ? pg_show(x->p.conn, setting) : NULL;
	/* SHOW may spell a value its own way (wal_compression = on is "pglz"): changed is enough. */
	if (rc == 0 && (is == NULL || (was != NULL && strcmp(was, is) == 0 &&
	    strcmp(was, value) != 0))) {
		*cause = xasprintf("on the scratch cluster, %s = %s did not take effect (still "
		    "%s)", setting, value, is != NULL ? is : "unknown");
		rc = -1;
	}
	free(was);
	free(is);
	return rc;
}

static double
pg_insert(struct db_scratch *x, int rows, int commit_every, int prepared, char **cause)
{
	return pgprobe_insert(&x->p, rows, commit_every, prepared, cause);
}

static double
pg_insert_multi(struct db_scratch *x, int rows, int per_stmt, char **cause)
{
	return pgprobe_insert_multi(&x->p, rows, per_stmt, cause);
}

static double
pg_insert_copy(struct db_scratch *x, int rows, char **cause)
{
	return pgprobe_copy(&x->p, rows, cause);
}

static double
pg_insert_pipeline(struct db_scratch *x, int rows, char **cause)
{
	return pgprobe_pipeline(&x->p, rows, cause);
}

static void
pg_close(struct db_scratch *x)
{
	if (x == NULL)
		return;
	pgprobe_close(&x->p);
	free(x);
}

/*
 * The server flushes a commit's WAL itself; a session that sets
 * synchronous_commit off does not wait for it. PGOPTIONS reaches every
 * session a libpq client opens, and lasts as long as they do.
 */
static char *
pg_nosync_wrap(const char *quoted)
{
	return xasprintf("PGOPTIONS=\"${PGOPTIONS:+$PGOPTIONS }-c synchronous_commit=off\" "
	    "/bin/sh -c %s", quoted);
}

static int
pg_activity(const struct spec *sp, struct db_activity *a, char **cause)
{
	PGconn *c = pg_connect(sp, cause);
	int rc;

	if (c == NULL)
		return -1;
	rc = pgread_activity(c, sp->db_table, a, cause);
	PQfinish(c);
	return rc;
}

/* The statement shapes pg_stat_statements counted on the table, one sentence. */
static char *
pg_statements_text(const struct db_activity *d, const char *table)
{
	struct buf b = { 0 };

	if (!d->stmt_known)
		return xstrdup("pg_stat_statements is not installed and loaded in that "
		    "database, so statement shapes are not known");
	buf_printf(&b, "pg_stat_statements counted, on %s: ", table);
	if (d->insert_calls < 1 && d->copy_calls < 1)
		buf_puts(&b, "no INSERT or COPY statement naming it");
	if (d->insert_calls >= 1)
		buf_printf(&b, "%.0f INSERT statement%s for %.0f rows (%.1f row%s per "
		    "statement)", d->insert_calls, d->insert_calls == 1 ? "" : "s",
		    d->insert_rows, d->insert_rows / d->insert_calls,
		    d->insert_rows / d->insert_calls < 1.05 ? "" : "s");
	if (d->copy_calls >= 1)
		buf_printf(&b, "%s%.0f COPY for %.0f rows", d->insert_calls >= 1 ? ", " : "",
		    d->copy_calls, d->copy_rows);
	return b.p;
}

/* A captured setting by name, or "?". */
static const char *
pg_captured(const struct db_capture *cap, const char *name)
{
	for (int i = 0; i < NSETTINGS; i++)
		if (cap->values != NULL && strcmp(pg_settings[i], name) == 0 &&
		    cap->values[i] != NULL)
			return cap->values[i];
	return "?";
}

/*
 * Checkpoints requested (by WAL volume, or by hand) beside timed ones,
 * WAL buffers filling, autovacuum on the table: the counters that show a
 * configuration the load strains, with the settings that govern them.
 */
static char *
pg_pressure_text(const struct db_activity *d, const struct db_capture *cap)
{
	struct buf b = { 0 };
	int seen = 0;

	buf_printf(&b, "During one run of the stage the server wrote %.1f MB of WAL "
	    "(max_wal_size = %s); checkpoints completed: %.0f requested, %.0f timed; WAL "
	    "buffers full %.0f times (wal_buffers = %s); autovacuum or autoanalyze on the "
	    "table: %.0f.", d->wal_bytes / 1e6, pg_captured(cap, "max_wal_size"),
	    d->checkpoints_req, d->checkpoints_timed, d->wal_buffers_full,
	    pg_captured(cap, "wal_buffers"), d->table_vacuums);
	if (d->checkpoints_req >= 1 && (seen = 1))
		buf_printf(&b, " **Checkpoint pressure**: the load's WAL filled max_wal_size "
		    "and forced %.0f checkpoint%s before their time; each writes every dirty "
		    "page, and full page images follow it in the WAL. A larger max_wal_size "
		    "is what it asks for.", d->checkpoints_req, d->checkpoints_req == 1 ? "" :
		    "s");
	if (d->wal_buffers_full >= 1 && (seen = 1))
		buf_puts(&b, " **WAL buffers full**: sessions wrote WAL out themselves "
		    "instead of leaving it to the WAL writer; a larger wal_buffers is what "
		    "it asks for.");
	if (d->table_vacuums >= 1 && (seen = 1))
		buf_puts(&b, " **Autovacuum ran on the table** during the load, competing "
		    "with it for I/O.");
	if (!seen)
		buf_puts(&b, " No configuration pressure seen.");
	buf_puts(&b, " (The server's counters, read before and after the stage; other "
	    "sessions on the server count too, and a checkpoint counts once it "
	    "completes.)");
	return b.p;
}

/*
 * The clients told apart, with advice in their own terms: psql sends
 * each statement on its own (autocommit) unless told BEGIN, and \copy or
 * COPY is one statement for all rows; psycopg opens a transaction before
 * the first statement and keeps it until commit(); PGOPTIONS reaches any
 * client built on libpq.
 */
static const struct db_client pg_clients[] = {
	{ "psql-copy", "psql's \\copy", "\\copy|COPY ",
	  "load the rows with one `\\copy` (one transaction) instead of one per chunk",
	  "copy", "start psql as `PGOPTIONS='-c %s' psql ...`", 1 },
	{ "python", "Python's psycopg", "python|python3|.py|psycopg",
	  "insert every row before one `con.commit()` (`cur.executemany(...)` with all "
	  "the rows, then `con.commit()`; or `cur.copy(...)`) instead of committing each "
	  "row",
	  "prepared", "connect with `psycopg.connect(..., options=\"-c %s\")`", 1 },
	{ "psql", "psql", "psql",
	  "wrap the statements in one transaction: `BEGIN;` before the first INSERT and "
	  "`COMMIT;` after the last (or `psql --single-transaction`), or load the file "
	  "with `\\copy`",
	  "text", "start psql as `PGOPTIONS='-c %s' psql ...`", 0 },
	{ "unknown", "the client", "",
	  "commit many rows per transaction instead of one per row (or load with COPY)",
	  "prepared", "set `%s` on every connection the client opens (a client built on "
	  "libpq: in `PGOPTIONS='-c ...'`; any other: with `SET`)", 0 },
};

const struct db_driver db_postgresql_driver = {
	.kind = "postgresql",
	.name = "PostgreSQL",
	.rules = "postgresql.yaml",
	.settings = pg_settings,
	.nsettings = NSETTINGS,
	.check = pg_check,
	.keep_secret = pg_keep_secret,
	.label = pg_label,
	.capture = pg_capture,
	.release = pg_release,
	.count = pg_count,
	.apply_text = pg_apply_text,
	.apply_once = pg_apply_once,
	.session_text = pg_session_text,
	.procedure_how = pg_procedure_how,
	.once_how = "Once, on the server (%s; ALTER SYSTEM keeps it in the server's "
	    "configuration, run by a superuser)",
	.settings_intro = "Read through a read-only session (default_transaction_read_only "
	    "= on), after the pipeline ran: the server's settings, each from where the "
	    "server says it comes (pg_settings.source). A session may set "
	    "synchronous_commit for itself; the others are the server's. Every "
	    "experiment below ran on a scratch cluster perfd started (initdb, the same "
	    "major version, these settings copied, the table made again from the "
	    "statements in `captured-table.sql`), never on this server.",
	.scratch = pg_scratch,
	.set = pg_set,
	.insert = pg_insert,
	.insert_multi = pg_insert_multi,
	.insert_copy = pg_insert_copy,
	.insert_pipeline = pg_insert_pipeline,
	.close = pg_close,
	.nosync = "synchronous_commit=off",
	.nosync_wrap = pg_nosync_wrap,
	.nosync_on_stage = "PGOPTIONS",
	.activity = pg_activity,
	.statements_text = pg_statements_text,
	.pressure_text = pg_pressure_text,
	.shim = NULL,
	.clients = pg_clients,
	.nclients = (int)PERFD_ARRAY_LEN(pg_clients),
};
