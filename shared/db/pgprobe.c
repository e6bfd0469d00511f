/* pgprobe.c - synthetic rows written into a table on a scratch PostgreSQL cluster. */
#include "pgprobe.h"
#include "buf.h"
#include "now.h"
#include "util.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Values are short: "p123456789", a timestamp, a uuid. */
#define PGPROBE_VALUE	48

int
pgprobe_exec(PGconn *c, const char *sql, char **cause)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok) {
		char *m = xstrdup(PQresultErrorMessage(r));

		m[strcspn(m, "\n")] = '\0';
		*cause = xasprintf("on the scratch cluster: %.60s%s: %s", sql,
		    strlen(sql) > 60 ? "..." : "", m);
		free(m);
	}
	PQclear(r);
	return ok ? 0 : -1;
}

/* The kind of values a column of type name (category cat) gets, or 'n' for NULL. */
static char
pgprobe_kind(const char *name, char cat)
{
	static const struct { const char *type; char kind; } named[] = {
		{ "int2", 'h' }, { "int4", 'i' }, { "int8", 'i' }, { "numeric", 'r' },
		{ "float4", 'r' }, { "float8", 'r' }, { "date", 'd' }, { "timestamp", 's' },
		{ "timestamptz", 's' }, { "uuid", 'u' }, { "bool", 'b' }, { "json", 'j' },
		{ "jsonb", 'j' },
	};

	for (size_t i = 0; i < PERFD_ARRAY_LEN(named); i++)
		if (strcmp(named[i].type, name) == 0)
			return named[i].kind;
	return cat == 'S' ? 't' : 'n';
}

/* Row n's value for a column of kind k into v (NULL for kind n). */
static const char *
pgprobe_value(char k, long long n, char v[PGPROBE_VALUE])
{
	time_t t = 1767225600 + (time_t)n;	/* 2026-01-01, then a second a row */
	struct tm tm;

	switch (k) {
	case 'h':
		snprintf(v, PGPROBE_VALUE, "%lld", n % 32767);	/* an int2: repeats past it */
		break;
	case 'i':
		snprintf(v, PGPROBE_VALUE, "%lld", n);
		break;
	case 'r':
		snprintf(v, PGPROBE_VALUE, "%.1f", (double)n * 0.5);
		break;
	case 't':
		snprintf(v, PGPROBE_VALUE, "p%lld", n);
		break;
	case 'b':
		snprintf(v, PGPROBE_VALUE, "%s", n % 2 ? "t" : "f");
		break;
	case 'd':
	case 's':
		gmtime_r(&t, &tm);
		strftime(v, PGPROBE_VALUE, k == 'd' ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
		break;
	case 'u':
		snprintf(v, PGPROBE_VALUE, "00000000-0000-4000-8000-%012llx", n);
		break;
	case 'j':
		snprintf(v, PGPROBE_VALUE, "{\"n\": %lld}", n);
		break;
	default:
		return NULL;
	}
	return v;
}

/* The columns rows are made for (those without a default); 0, or -1 with *cause. */
static int
pgprobe_columns(struct pgprobe *p, char **cause)
{
	const char *params[1] = { p->table };
	PGresult *r = PQexecParams(p->conn, "SELECT quote_ident(a.attname), t.typname, "
	    "t.typcategory, a.attnotnull, a.atthasdef OR a.attidentity <> '' OR "
	    "a.attgenerated <> '' FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
	    "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
	    "ORDER BY a.attnum", 1, NULL, params, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("reading the scratch table's columns: %s",
		    PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	p->cols = xcalloc((size_t)PQntuples(r) + 1, sizeof *p->cols);
	p->kinds = xcalloc((size_t)PQntuples(r) + 1, 1);
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		char k = pgprobe_kind(PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)[0]);

		if (strcmp(PQgetvalue(r, i, 4), "t") == 0)
			continue;
		if (k == 'n' && strcmp(PQgetvalue(r, i, 3), "t") == 0) {
			*cause = xasprintf("perfd cannot make values for column %s of type %s "
			    "(NOT NULL, no default)", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
			rc = -1;
			break;
		}
		p->cols[p->ncols] = xstrdup(PQgetvalue(r, i, 0));
		p->kinds[p->ncols++] = k;
	}
	PQclear(r);
	return rc;
}

/* INSERT INTO t (cols) VALUES (...) for per rows, as $n parameters or NULL for text. */
static char *
pgprobe_sql(const struct pgprobe *p, int per, const long long *text_n)
{
	struct buf b = { 0 };
	char v[PGPROBE_VALUE];

	if (p->ncols == 0)
		return xasprintf("INSERT INTO %s DEFAULT VALUES", p->table);
	buf_printf(&b, "INSERT INTO %s (", p->table);
	for (int i = 0; i < p->ncols; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", p->cols[i]);
	buf_puts(&b, ") VALUES ");
	for (int k = 0; k < per; k++) {
		buf_puts(&b, k ? ", (" : "(");
		for (int i = 0; i < p->ncols; i++) {
			const char *val = text_n != NULL ? pgprobe_value(p->kinds[i], *text_n, v) :
			    NULL;

			buf_puts(&b, i ? ", " : "");
			if (text_n == NULL)
				buf_printf(&b, "$%d", k * p->ncols + i + 1);
			else
				buf_printf(&b, val != NULL ? "'%s'" : "NULL", val);
		}
		buf_puts(&b, ")");
	}
	return b.p;
}

int
pgprobe_open(struct pgprobe *p, PGconn *conn, const char *table, const char *ddl, char **cause)
{
	char *drop = xasprintf("DROP TABLE IF EXISTS %s CASCADE", table);
	int rc;

	memset(p, 0, sizeof *p);
	p->conn = conn;
	p->table = xstrdup(table);
	rc = pgprobe_exec(conn, drop, cause);
	free(drop);
	if (rc == 0)
		rc = pgprobe_exec(conn, ddl, cause);
	if (rc == 0)
		rc = pgprobe_columns(p, cause);
	if (rc == 0)
		p->insert_sql = pgprobe_sql(p, 1, NULL);
	return rc;
}

/*
 * A load's start: the indexes a previous load built dropped again
 * (untimed, as a user drops them before each load), then the time. A drop
 * that fails leaves them, and the build after the load fails on them.
 */
static uint64_t
pgprobe_start(struct pgprobe *p)
{
	if (p->built && p->before_build != NULL) {
		char *why = NULL;

		(void)pgprobe_exec(p->conn, p->before_build, &why);
		free(why);
	}
	p->built = 0;
	return now_ns();
}

/*
 * A load's end: the statements its procedure runs after the rows are in
 * (moved from the staging table, then the indexes built), timed with it.
 * Seconds since t0, or -1 (with *cause when it is this that failed).
 */
static double
pgprobe_done(struct pgprobe *p, int rc, uint64_t t0, char **cause)
{
	if (rc == 0 && p->after_move != NULL)
		rc = pgprobe_exec(p->conn, p->after_move, cause);
	if (rc == 0 && p->after_build != NULL && (rc = pgprobe_exec(p->conn, p->after_build,
	    cause)) == 0)
		p->built = 1;
	return rc == 0 ? (double)(now_ns() - t0) / 1e9 : -1;
}

int
pgprobe_build_after(struct pgprobe *p, const char *drop, const char *create, char **cause)
{
	if (pgprobe_exec(p->conn, drop, cause) != 0)
		return -1;
	free(p->before_build);
	free(p->after_build);
	p->before_build = xstrdup(drop);
	p->after_build = xstrdup(create);
	return 0;
}

int
pgprobe_stage_unlogged(struct pgprobe *p, char **cause)
{
	struct buf cols = { 0 };
	char *make;
	int rc;

	if (p->target != NULL)
		return 0;
	for (int i = 0; i < p->ncols; i++)
		buf_printf(&cols, "%s%s", i ? ", " : "", p->cols[i]);
	if (cols.p == NULL) {
		*cause = xasprintf("%s has no column a staging table could carry", p->table);
		return -1;
	}
	/* The probe's columns only: the rest take their defaults when the rows move. */
	make = xasprintf("CREATE UNLOGGED TABLE " PGPROBE_STAGING " AS SELECT %s FROM %s "
	    "WITH NO DATA", cols.p, p->table);
	rc = pgprobe_exec(p->conn, make, cause);
	free(make);
	if (rc == 0) {
		p->after_move = xasprintf("INSERT INTO %s (%s) SELECT %s FROM " PGPROBE_STAGING
		    "; TRUNCATE " PGPROBE_STAGING, p->table, cols.p, cols.p);
		p->target = p->table;
		p->table = xstrdup(PGPROBE_STAGING);
		free(p->insert_sql);
		p->insert_sql = pgprobe_sql(p, 1, NULL);
	}
	buf_free(&cols);
	return rc;
}

/* Row n's values as parameters for row k of a statement. */
static void
pgprobe_bind(const struct pgprobe *p, long long n, int k, const char **params,
    char (*vals)[PGPROBE_VALUE])
{
	for (int i = 0; i < p->ncols; i++) {
		int at = k * p->ncols + i;

		params[at] = pgprobe_value(p->kinds[i], n, vals[at]);
	}
}

/* One row: prepared, or as SQL text; 0, or -1 with *cause. */
static int
pgprobe_row(struct pgprobe *p, int prepared, char (*vals)[PGPROBE_VALUE], const char **params,
    char **cause)
{
	long long n = p->next++;
	PGresult *r;
	char *sql;
	int rc;

	if (!prepared) {
		sql = pgprobe_sql(p, 1, &n);
		rc = pgprobe_exec(p->conn, sql, cause);
		free(sql);
		return rc;
	}
	pgprobe_bind(p, n, 0, params, vals);
	r = PQexecPrepared(p->conn, "perfd_row", p->ncols, params, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc != 0)
		*cause = xasprintf("insert into %s on the scratch cluster: %s", p->table,
		    PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

double
pgprobe_insert(struct pgprobe *p, int rows, int commit_every, int prepared, char **cause)
{
	char (*vals)[PGPROBE_VALUE] = xcalloc((size_t)p->ncols + 1, sizeof *vals);
	const char **params = xcalloc((size_t)p->ncols + 1, sizeof *params);
	PGresult *r;
	uint64_t t0;
	int rc = 0, in_tx = 0;

	if (prepared) {
		r = PQprepare(p->conn, "perfd_row", p->insert_sql, 0, NULL);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
		if (rc != 0)
			*cause = xasprintf("preparing the insert on the scratch cluster: %s",
			    PQresultErrorMessage(r));
		PQclear(r);
	}
	t0 = pgprobe_start(p);
	for (int i = 0; i < rows && rc == 0; i++) {
		if (commit_every > 0 && !in_tx)
			rc = pgprobe_exec(p->conn, "BEGIN", cause);
		in_tx = commit_every > 0;
		if (rc == 0)
			rc = pgprobe_row(p, prepared, vals, params, cause);
		if (rc == 0 && in_tx && ((i + 1) % commit_every == 0 || i + 1 == rows)) {
			rc = pgprobe_exec(p->conn, "COMMIT", cause);
			in_tx = 0;
		}
	}
	if (in_tx)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	if (prepared)
		PQclear(PQexec(p->conn, "DEALLOCATE perfd_row"));
	free(vals);
	free(params);
	return pgprobe_done(p, rc, t0, cause);
}

double
pgprobe_insert_multi(struct pgprobe *p, int rows, int per_stmt, char **cause)
{
	int nparams = per_stmt * p->ncols;
	char (*vals)[PGPROBE_VALUE];
	const char **params;
	char *sql;
	uint64_t t0;
	int rc, done = 0;

	/* The protocol takes at most 65535 parameters a statement. */
	if (p->ncols == 0 || nparams > 65535)
		return pgprobe_insert(p, rows, rows, 1, cause);
	vals = xcalloc((size_t)nparams, sizeof *vals);
	params = xcalloc((size_t)nparams, sizeof *params);
	sql = pgprobe_sql(p, per_stmt, NULL);
	t0 = pgprobe_start(p);
	rc = pgprobe_exec(p->conn, "BEGIN", cause);
	while (rc == 0 && done + per_stmt <= rows) {
		PGresult *r;

		for (int k = 0; k < per_stmt; k++)
			pgprobe_bind(p, p->next++, k, params, vals);
		r = PQexecParams(p->conn, sql, nparams, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			*cause = xasprintf("insert into %s on the scratch cluster: %s", p->table,
			    PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
		done += per_stmt;
	}
	if (rc == 0)
		rc = pgprobe_exec(p->conn, "COMMIT", cause);
	else
		PQclear(PQexec(p->conn, "ROLLBACK"));
	free(sql);
	free(vals);
	free(params);
	return pgprobe_done(p, rc, t0, cause);
}

/* COPY's text format: a tab between values, \N for NULL. */
static void
pgprobe_copy_row(const struct pgprobe *p, long long n, struct buf *b)
{
	char v[PGPROBE_VALUE];

	for (int i = 0; i < p->ncols; i++) {
		const char *val = pgprobe_value(p->kinds[i], n, v);

		buf_printf(b, "%s%s", i ? "\t" : "", val != NULL ? val : "\\N");
	}
	buf_puts(b, "\n");
}

/* The end of a COPY or a pipeline: every result until none, the first failure into *cause. */
static int
pgprobe_results(PGconn *c, const char *what, char **cause)
{
	PGresult *r;
	int rc = 0;

	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType s = PQresultStatus(r);

		if (rc == 0 && s != PGRES_COMMAND_OK && s != PGRES_PIPELINE_SYNC &&
		    s != PGRES_TUPLES_OK) {
			*cause = xasprintf("%s on the scratch cluster: %s", what,
			    s == PGRES_PIPELINE_ABORTED ? "aborted after an earlier error" :
			    PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
	}
	return rc;
}

double
pgprobe_copy(struct pgprobe *p, int rows, char **cause)
{
	struct buf sql = { 0 }, data = { 0 };
	PGresult *r;
	char *why = NULL;
	uint64_t t0;
	int rc = 0;

	if (p->ncols == 0)
		return pgprobe_insert(p, rows, 0, 1, cause);
	buf_printf(&sql, "COPY %s (", p->table);
	for (int i = 0; i < p->ncols; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", p->cols[i]);
	buf_puts(&sql, ") FROM STDIN");
	t0 = pgprobe_start(p);
	r = PQexec(p->conn, sql.p);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		why = xasprintf("COPY on the scratch cluster: %s", PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	/* In chunks of about 64 KiB, as a client streams a file. */
	for (int i = 0; i < rows && rc == 0; i++) {
		pgprobe_copy_row(p, p->next++, &data);
		if (data.len >= 65536 || i + 1 == rows) {
			rc = PQputCopyData(p->conn, data.p, (int)data.len) == 1 ? 0 : -1;
			data.len = 0;
		}
	}
	if (PQputCopyEnd(p->conn, rc == 0 ? NULL : "perfd: the probe stopped") != 1 && rc == 0)
		rc = -1;
	if (pgprobe_results(p->conn, "COPY", &why) != 0 || rc != 0) {
		*cause = why != NULL ? why : xasprintf("COPY on the scratch cluster: %s",
		    PQerrorMessage(p->conn));
		why = NULL;
		rc = -1;
	}
	buf_free(&sql);
	buf_free(&data);
	return pgprobe_done(p, rc, t0, cause);
}

/*
 * Rows a pipeline sends before it waits for their results: the server's
 * answers to more would fill the socket while the client still writes, and
 * both would wait on the other.
 */
#define PGPROBE_PIPELINE_DEPTH	500

double
pgprobe_pipeline(struct pgprobe *p, int rows, char **cause)
{
	char (*vals)[PGPROBE_VALUE] = xcalloc((size_t)p->ncols + 1, sizeof *vals);
	const char **params = xcalloc((size_t)p->ncols + 1, sizeof *params);
	char *why = NULL;
	uint64_t t0 = pgprobe_start(p);
	int rc = PQenterPipelineMode(p->conn) == 1 ? 0 : -1;

	if (rc == 0)
		rc = PQsendPrepare(p->conn, "perfd_pipe", p->insert_sql, 0, NULL) == 1 &&
		    PQsendQueryParams(p->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 ?
		    0 : -1;
	for (int i = 0; i < rows && rc == 0; i++) {
		pgprobe_bind(p, p->next++, 0, params, vals);
		rc = PQsendQueryPrepared(p->conn, "perfd_pipe", p->ncols, params, NULL, NULL,
		    0) == 1 ? 0 : -1;
		if (rc == 0 && i + 1 == rows)
			rc = PQsendQueryParams(p->conn, "COMMIT", 0, NULL, NULL, NULL, NULL,
			    0) == 1 ? 0 : -1;
		if (rc == 0 && ((i + 1) % PGPROBE_PIPELINE_DEPTH == 0 || i + 1 == rows))
			rc = PQpipelineSync(p->conn) == 1 ? 0 : -1;
		/* Each sync's results, up to and with its PGRES_PIPELINE_SYNC. */
		while (rc == 0 && ((i + 1) % PGPROBE_PIPELINE_DEPTH == 0 || i + 1 == rows)) {
			PGresult *r = PQgetResult(p->conn);
			ExecStatusType s = r != NULL ? PQresultStatus(r) : PGRES_EMPTY_QUERY;

			if (r != NULL && s != PGRES_COMMAND_OK && s != PGRES_PIPELINE_SYNC &&
			    why == NULL) {
				why = xasprintf("pipeline on the scratch cluster: %s",
				    s == PGRES_PIPELINE_ABORTED ? "aborted after an earlier "
				    "error" : PQresultErrorMessage(r));
			}
			PQclear(r);
			if (s == PGRES_PIPELINE_SYNC)
				break;
		}
		rc = rc == 0 && why == NULL ? 0 : -1;
	}
	if (rc != 0) {
		char *more = NULL;

		(void)pgprobe_results(p->conn, "pipeline", &more);
		free(more);
		*cause = why != NULL ? why : xasprintf("pipeline on the scratch cluster: %s",
		    PQerrorMessage(p->conn));
	}
	PQexitPipelineMode(p->conn);
	/* A failure leaves the transaction it began aborted: ended, so the connection serves on. */
	if (rc != 0)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	PQclear(PQexec(p->conn, "DEALLOCATE perfd_pipe"));
	free(vals);
	free(params);
	return pgprobe_done(p, rc, t0, cause);
}

void
pgprobe_close(struct pgprobe *p)
{
	if (p->conn != NULL && p->table != NULL) {
		char *drop = xasprintf("DROP TABLE IF EXISTS %s%s%s CASCADE", p->table,
		    p->target != NULL ? ", " : "", p->target != NULL ? p->target : "");

		PQclear(PQexec(p->conn, drop));
		free(drop);
	}
	PQfinish(p->conn);
	for (int i = 0; i < p->ncols; i++)
		free(p->cols[i]);
	free(p->cols);
	free(p->kinds);
	free(p->insert_sql);
	free(p->table);
	free(p->target);
	free(p->after_move);
	free(p->after_build);
	free(p->before_build);
	memset(p, 0, sizeof *p);
}
