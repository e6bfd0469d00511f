/* pgread.c - what a read-only session sees of a user's PostgreSQL server. */
#include "pgread.h"
#include "buf.h"
#include "util.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A libpq message as one line, without its trailing newline (caller frees). */
static char *
pgread_message(const char *m)
{
	char *s = xstrdup(m != NULL && m[0] != '\0' ? m : "no message from the server");

	while (s[0] != '\0' && (s[strlen(s) - 1] == '\n' || s[strlen(s) - 1] == ' '))
		s[strlen(s) - 1] = '\0';
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

PGconn *
pgread_connect(const char *dsn, const char *password, char **cause)
{
	/*
	 * The dsn is expanded first; the keywords after it override what it
	 * says: the session is read-only whatever the dsn's own options.
	 */
	const char *keys[] = { "dbname", "options", "application_name", "password", NULL };
	const char *values[] = { dsn, "-c default_transaction_read_only=on", "perfd (read-only)",
	    password, NULL };
	PGconn *c;
	char *m;

	if (password == NULL)
		keys[3] = NULL;
	c = PQconnectdbParams(keys, values, 1);
	if (c != NULL && PQstatus(c) == CONNECTION_OK)
		return c;
	m = pgread_message(c != NULL ? PQerrorMessage(c) : "out of memory");
	*cause = xasprintf("cannot connect to the PostgreSQL server: %s", m);
	free(m);
	PQfinish(c);
	return NULL;
}

/* Run sql with up to two text parameters; the result, or NULL with *cause. */
static PGresult *
pgread_query(PGconn *c, const char *sql, const char *p1, const char *p2, char **cause)
{
	const char *params[2] = { p1, p2 };
	int n = p2 != NULL ? 2 : p1 != NULL ? 1 : 0;
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	char *m;

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	m = pgread_message(PQresultErrorMessage(r));
	*cause = xasprintf("reading the server: %s", m);
	free(m);
	PQclear(r);
	return NULL;
}

/* The settings called names, in that order; a name the server does not know is left out. */
static int
pgread_settings(PGconn *c, const char *const *names, struct pgread *p, char **cause)
{
	for (int i = 0; names != NULL && names[i] != NULL; i++) {
		PGresult *r = pgread_query(c, "SELECT current_setting(name), coalesce(unit, ''), source, "
		    "context = 'postmaster' FROM pg_settings WHERE name = $1", names[i], NULL, cause);
		struct pgread_setting *s;

		if (r == NULL)
			return -1;
		if (PQntuples(r) == 1) {
			p->settings = xrealloc(p->settings, ((size_t)p->nsettings + 1) *
			    sizeof *p->settings);
			s = &p->settings[p->nsettings++];
			s->name = xstrdup(names[i]);
			s->value = xstrdup(PQgetvalue(r, 0, 0));
			s->unit = xstrdup(PQgetvalue(r, 0, 1));
			s->source = xstrdup(PQgetvalue(r, 0, 2));
			s->restart = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
		}
		PQclear(r);
	}
	return 0;
}

/* Each row of sql (on the table's oid) as a markdown item "- label `col0`: `col1`". */
static int
pgread_items(PGconn *c, const char *sql, const char *oid, const char *label, struct buf *b,
    int *n, char **cause)
{
	PGresult *r = pgread_query(c, sql, oid, NULL, cause);

	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		buf_printf(b, "- %s `%s`: `%s`\n", label, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	if (n != NULL)
		*n = PQntuples(r);
	PQclear(r);
	return 0;
}

/* The table's columns, constraints, indexes and triggers into p->definition. */
static int
pgread_definition(PGconn *c, const char *oid, struct pgread *p, char **cause)
{
	struct buf b = { 0 };
	int rc;

	rc = pgread_items(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod) || "
	    "CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || "
	    "pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a LEFT JOIN pg_attrdef d "
	    "ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = $1::oid AND "
	    "a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", oid, "column", &b, NULL,
	    cause);
	if (rc == 0)
		rc = pgread_items(c, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
		    "WHERE conrelid = $1::oid ORDER BY conname", oid, "constraint", &b, NULL, cause);
	if (rc == 0)
		rc = pgread_items(c, "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
		    "FROM pg_index WHERE indrelid = $1::oid ORDER BY 1", oid, "index", &b,
		    &p->nindexes, cause);
	if (rc == 0)
		rc = pgread_items(c, "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE "
		    "tgrelid = $1::oid AND NOT tgisinternal ORDER BY 1", oid, "trigger", &b, NULL,
		    cause);
	p->definition = b.p != NULL ? b.p : xstrdup("");
	return rc;
}

/* Each row's first column, one statement a line, into b. */
static int
pgread_lines(PGconn *c, const char *sql, const char *oid, struct buf *b, char **cause)
{
	PGresult *r = pgread_query(c, sql, oid, NULL, cause);

	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		buf_printf(b, "%s;\n", PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

/*
 * The statements that make the table again elsewhere, in order: its
 * schema, the sequences its columns take defaults from, the table with its
 * columns and constraints (foreign keys left out: the tables they point to
 * are not there; said in fks), its other indexes, and its triggers with
 * their functions. Each query yields statements, one a row.
 */
static const char *const pgread_ddl_queries[] = {
	"SELECT format('CREATE SCHEMA IF NOT EXISTS %I', n.nspname) FROM "
	    "pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.oid = $1::oid",
	"SELECT format('CREATE SEQUENCE IF NOT EXISTS %I.%I', "
	    "n.nspname, s.relname) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid "
	    "JOIN pg_namespace n ON n.oid = s.relnamespace WHERE d.refobjid = $1::oid "
	    "AND s.relkind = 'S' AND d.deptype = 'a'",
	"SELECT format('CREATE TABLE %s (%s)', $1::oid::regclass, "
	    "string_agg(x, ', ' ORDER BY k, o)) FROM (SELECT 0 k, a.attnum o, format('%I "
	    "%s', a.attname, format_type(a.atttypid, a.atttypmod)) || CASE WHEN "
	    "a.attnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || "
	    "pg_get_expr(d.adbin, d.adrelid), '') || CASE a.attidentity WHEN 'a' THEN "
	    "' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS "
	    "IDENTITY' ELSE '' END x FROM pg_attribute a LEFT JOIN pg_attrdef d ON "
	    "d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = $1::oid AND "
	    "a.attnum > 0 AND NOT a.attisdropped UNION ALL SELECT 1, 0, format('CONSTRAINT "
	    "%I %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE conrelid "
	    "= $1::oid AND contype <> 'f') s",
	"SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE "
	    "i.indrelid = $1::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE "
	    "k.conindid = i.indexrelid)",
	"SELECT pg_get_functiondef(t.tgfoid) || E';\\n' || "
	    "pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE t.tgrelid = $1::oid AND NOT "
	    "t.tgisinternal ORDER BY t.tgname",
};

/*
 * The table's secondary indexes that a load may go without: not unique
 * and behind no constraint, so that dropping one while the rows go in
 * changes what the table accepts in no way.
 */
static int
pgread_secondary(PGconn *c, const char *oid, struct pgread *p, char **cause)
{
	PGresult *r = pgread_query(c, "SELECT count(*), coalesce(string_agg(indexrelid::"
	    "regclass::text, ', ' ORDER BY indexrelid), ''), coalesce(string_agg("
	    "pg_get_indexdef(indexrelid) || ';', ' ' ORDER BY indexrelid), '') FROM pg_index i "
	    "WHERE indrelid = $1::oid AND NOT indisunique AND NOT EXISTS (SELECT 1 FROM "
	    "pg_constraint k WHERE k.conindid = i.indexrelid)", oid, NULL, cause);

	if (r == NULL)
		return -1;
	p->nsecondary = atoi(PQgetvalue(r, 0, 0));
	if (p->nsecondary > 0) {
		p->secondary_drop = xasprintf("DROP INDEX %s;", PQgetvalue(r, 0, 1));
		p->secondary_create = xstrdup(PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	return 0;
}

static int
pgread_ddl(PGconn *c, const char *oid, struct pgread *p, char **cause)
{
	struct buf b = { 0 }, fk = { 0 };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < PERFD_ARRAY_LEN(pgread_ddl_queries); i++)
		rc = pgread_lines(c, pgread_ddl_queries[i], oid, &b, cause);
	if (rc == 0)
		rc = pgread_items(c, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
		    "WHERE conrelid = $1::oid AND contype = 'f' ORDER BY 1", oid, "foreign key",
		    &fk, NULL, cause);
	p->ddl = b.p != NULL ? b.p : xstrdup("");
	p->fks = fk.p;
	if (rc == 0)
		rc = pgread_secondary(c, oid, p, cause);
	return rc;
}

/* The table (to_regclass: schema-qualified, or on the search_path), its definition and rows. */
static int
pgread_table(PGconn *c, const char *table, struct pgread *p, char **cause)
{
	PGresult *r = pgread_query(c, "SELECT c.oid::text, format('%I.%I', n.nspname, c.relname) "
	    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
	    "to_regclass($1) AND c.relkind IN ('r', 'p')", table, NULL, cause);
	char *oid, *sql;
	int rc;

	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		*cause = xasprintf("no table '%s' on the server", table);
		return PGREAD_ABSENT;
	}
	oid = xstrdup(PQgetvalue(r, 0, 0));
	p->table = xstrdup(PQgetvalue(r, 0, 1));
	PQclear(r);
	rc = pgread_definition(c, oid, p, cause);
	if (rc == 0)
		rc = pgread_ddl(c, oid, p, cause);
	free(oid);
	if (rc != 0)
		return -1;
	/* The name as the server formatted it (%I): quoted where it must be. */
	sql = xasprintf("SELECT count(*) FROM %s", p->table);
	r = pgread_query(c, sql, NULL, NULL, cause);
	free(sql);
	if (r == NULL)
		return -1;
	p->rows = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

/* Checkpoints timed and requested, WAL buffers full: where this version keeps them. */
static int
pgread_pressure(PGconn *c, struct pgread *p, char **cause)
{
	const char *sql = p->version >= 170000 ?
	    "SELECT num_timed, num_requested, (SELECT wal_buffers_full FROM pg_stat_wal) "
	    "FROM pg_stat_checkpointer" :
	    "SELECT checkpoints_timed, checkpoints_req, (SELECT wal_buffers_full FROM "
	    "pg_stat_wal) FROM pg_stat_bgwriter";
	PGresult *r = pgread_query(c, sql, NULL, NULL, cause);

	if (r == NULL)
		return -1;
	p->checkpoints_timed = atof(PQgetvalue(r, 0, 0));
	p->checkpoints_req = atof(PQgetvalue(r, 0, 1));
	p->wal_buffers_full = atof(PQgetvalue(r, 0, 2));
	PQclear(r);
	return 0;
}

int
pgread_capture(PGconn *c, const char *table, const char *const *names, struct pgread *p,
    char **cause)
{
	int rc = 0;

	memset(p, 0, sizeof *p);
	p->version = PQserverVersion(c);
	if (p->version < 140000) {
		*cause = xasprintf("PostgreSQL %d.%d is older than perfd reads (14 and later)",
		    p->version / 10000, p->version % 10000);
		return -1;
	}
	if (pgread_settings(c, names, p, cause) != 0 || (rc = pgread_table(c, table, p,
	    cause)) != 0 || pgread_pressure(c, p, cause) != 0) {
		pgread_free(p);
		return rc == PGREAD_ABSENT ? rc : -1;
	}
	return 0;
}

/* The statements on table that pg_stat_statements counted, when it is there and loaded. */
static void
pgread_statements(PGconn *c, const char *table, struct db_activity *a)
{
	char *cause = NULL;
	PGresult *r = pgread_query(c, "SELECT to_regclass('pg_stat_statements') IS NOT NULL",
	    NULL, NULL, &cause);

	a->stmt_known = r != NULL && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	a->own += r != NULL;
	PQclear(r);
	if (!a->stmt_known)
		goto done;
	/* Not loaded (shared_preload_libraries) is an error here, and means none. */
	r = pgread_query(c, "SELECT coalesce(sum(calls) FILTER (WHERE i), 0), "
	    "coalesce(sum(rows) FILTER (WHERE i), 0), coalesce(sum(calls) FILTER (WHERE "
	    "NOT i), 0), coalesce(sum(rows) FILTER (WHERE NOT i), 0) FROM (SELECT calls, "
	    "rows, query ~* '^\\s*insert' AS i FROM pg_stat_statements WHERE dbid = (SELECT "
	    "oid FROM pg_database WHERE datname = current_database()) AND query ~* "
	    "'^\\s*(insert|copy)' AND strpos(lower(query), (SELECT lower(relname) FROM "
	    "pg_class WHERE oid = to_regclass($1))) > 0) s", table, NULL, &cause);
	if (r == NULL) {	/* rolled back: not among the commits */
		a->stmt_known = 0;
		goto done;
	}
	a->own++;
	a->insert_calls = atof(PQgetvalue(r, 0, 0));
	a->insert_rows = atof(PQgetvalue(r, 0, 1));
	a->copy_calls = atof(PQgetvalue(r, 0, 2));
	a->copy_rows = atof(PQgetvalue(r, 0, 3));
	PQclear(r);
done:
	free(cause);
}

int
pgread_activity(PGconn *c, const char *table, struct db_activity *a, char **cause)
{
	char *sql = xasprintf("SELECT d.xact_commit, d.tup_inserted + d.tup_updated + "
	    "d.tup_deleted, %s, w.wal_buffers_full, w.wal_bytes, coalesce((SELECT "
	    "autovacuum_count + autoanalyze_count FROM pg_stat_all_tables WHERE relid = "
	    "to_regclass($1)), 0) FROM pg_stat_database d, %s, pg_stat_wal w WHERE "
	    "d.datname = current_database()", PQserverVersion(c) >= 170000 ?
	    "b.num_requested, b.num_timed" : "b.checkpoints_req, b.checkpoints_timed",
	    PQserverVersion(c) >= 170000 ? "pg_stat_checkpointer b" : "pg_stat_bgwriter b");
	PGresult *r = pgread_query(c, sql, table, NULL, cause);

	free(sql);
	if (r == NULL)
		return -1;
	memset(a, 0, sizeof *a);
	a->commits = atof(PQgetvalue(r, 0, 0));
	a->rows = atof(PQgetvalue(r, 0, 1));
	a->checkpoints_req = atof(PQgetvalue(r, 0, 2));
	a->checkpoints_timed = atof(PQgetvalue(r, 0, 3));
	a->wal_buffers_full = atof(PQgetvalue(r, 0, 4));
	a->wal_bytes = atof(PQgetvalue(r, 0, 5));
	a->table_vacuums = atof(PQgetvalue(r, 0, 6));
	a->own = 1;
	PQclear(r);
	pgread_statements(c, table, a);
	return 0;
}

long long
pgread_count(PGconn *c, const char *table, char **cause)
{
	PGresult *r = pgread_query(c, "SELECT format('%I.%I', n.nspname, c.relname) FROM "
	    "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
	    "to_regclass($1)", table, NULL, cause);
	long long rows = -1;
	char *sql;

	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		*cause = xasprintf("no table '%s' on the server", table);
		return PGREAD_ABSENT;
	}
	sql = xasprintf("SELECT count(*) FROM %s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if ((r = pgread_query(c, sql, NULL, NULL, cause)) != NULL)
		rows = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	free(sql);
	return rows;
}

void
pgread_free(struct pgread *p)
{
	for (int i = 0; i < p->nsettings; i++) {
		free(p->settings[i].name);
		free(p->settings[i].value);
		free(p->settings[i].unit);
		free(p->settings[i].source);
	}
	free(p->settings);
	free(p->table);
	free(p->definition);
	free(p->ddl);
	free(p->fks);
	free(p->secondary_drop);
	free(p->secondary_create);
	memset(p, 0, sizeof *p);
}

/* value as a connection string writes it: quoted when it holds a blank or a quote. */
static void
pgread_value(struct buf *b, const char *v)
{
	if (v[0] != '\0' && strpbrk(v, " \t'\\") == NULL) {
		buf_puts(b, v);
		return;
	}
	buf_puts(b, "'");
	for (; *v != '\0'; v++)
		buf_printf(b, "%s%c", *v == '\'' || *v == '\\' ? "\\" : "", *v);
	buf_puts(b, "'");
}

/* dsn rebuilt as key=value pairs, its password as shown (NULL: left out). */
static char *
pgread_rebuild(const char *dsn, const char *shown)
{
	PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
	struct buf b = { 0 };

	if (opts == NULL)
		return NULL;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		int pw = strcmp(o->keyword, "password") == 0;

		if (o->val == NULL || o->val[0] == '\0' || (pw && shown == NULL))
			continue;
		buf_printf(&b, "%s%s=", b.p != NULL ? " " : "", o->keyword);
		pgread_value(&b, pw ? shown : o->val);
	}
	PQconninfoFree(opts);
	return b.p != NULL ? b.p : xstrdup("");
}

char *
pgread_redact(const char *dsn)
{
	return pgread_rebuild(dsn, "********");
}

char *
pgread_without_password(const char *dsn)
{
	return pgread_rebuild(dsn, NULL);
}
