/* linefile.c - a second database kind for the tests: rows as lines in a file. */
#include "linefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A real, if tiny, database that is not SQLite, so that a test can run
 * db-config, client-library and batch-size through the driver interface
 * alone: database.dsn is "dir=FOLDER" (relative to workdir); a table is
 * FOLDER/TABLE.rows, one row per line; a commit is one write() of its rows
 * and, with the stored setting sync=full (FOLDER/settings), one
 * fdatasync(). Nothing here is SQLite, and no agent may need it to be.
 */
static const char *const lf_settings[] = { "sync" };

struct db_scratch {
	char		*path;		/* the scratch table's file */
	int		 sync;		/* 1: fdatasync per commit */
	long long	 next;		/* the next row's number */
};

static int
lf_check(const struct spec *sp, const char **key, char **why)
{
	if (sp->db_path != NULL) {
		*key = "path";
		*why = xstrdup("database.path: kind 'linefile' connects with database.dsn");
		return -1;
	}
	if (sp->db_dsn == NULL) {
		*key = NULL;
		*why = xstrdup("database: missing required key 'dsn'");
		return -1;
	}
	if (strncmp(sp->db_dsn, "dir=", 4) != 0 || sp->db_dsn[4] == '\0') {
		*key = "dsn";
		*why = xstrdup("database.dsn: kind 'linefile' takes \"dir=FOLDER\"");
		return -1;
	}
	return 0;
}

/* The folder the dsn names, absolute. */
static char *
folder(const struct spec *sp)
{
	return path_absolute(sp->workdir, sp->db_dsn + 4);
}

static char *
table_file(const char *dir, const char *table)
{
	return xasprintf("%s/%s.rows", dir, table);
}

static char *
lf_label(const struct spec *sp)
{
	return xasprintf("linefile %s", sp->db_dsn + 4);
}

/* Lines in a file, or -1 with *cause. */
static long long
lines(const char *path, char **cause)
{
	size_t len;
	char *text = file_read(path, 1 << 26, &len, cause);
	long long n = 0;

	if (text == NULL)
		return -1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

static long long
lf_count(const struct spec *sp, char **cause)
{
	char *dir = folder(sp), *t = table_file(dir, sp->db_table);
	long long n = access(t, F_OK) != 0 ? DB_ABSENT : lines(t, cause);

	if (n == DB_ABSENT)
		*cause = xasprintf("no table %s in %s", sp->db_table, dir);
	free(t);
	free(dir);
	return n;
}

/* The stored sync setting of a folder: "full" unless it says "sync=off". */
static char *
stored_sync(const char *dir)
{
	char *p = xasprintf("%s/settings", dir), *cause = NULL;
	size_t len;
	char *text = file_read(p, 4096, &len, &cause);
	char *v = xstrdup(text != NULL && strstr(text, "sync=off") != NULL ? "off" : "full");

	free(text);
	free(cause);
	free(p);
	return v;
}

static int
copy_file(const char *from, const char *to, char **cause)
{
	size_t len;
	char *text = file_read(from, 1 << 26, &len, cause);
	int rc;

	if (text == NULL)
		return -1;
	rc = file_write_atomic(to, text, len, cause);
	free(text);
	return rc;
}

/* The table copied to DIR/linefile-capture.rows: the copy is one file. */
static int
lf_capture(const struct spec *sp, const char *dir, struct db_capture *c, char **cause)
{
	char *src = folder(sp), *t = table_file(src, sp->db_table);
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (access(t, F_OK) != 0) {
		*cause = xasprintf("no table %s in %s", sp->db_table, src);
		free(t);
		free(src);
		return DB_ABSENT;
	}
	c->values = xcalloc(1, sizeof *c->values);
	c->stored = xcalloc(1, sizeof *c->stored);
	c->values[0] = stored_sync(src);
	c->stored[0] = 1;
	c->objects = xstrdup("- none (a linefile table has no indexes)\n");
	c->syncs_per_commit = strcmp(c->values[0], "full") == 0 ? 1 : 0;
	c->copy = table_file(dir, "linefile-capture");
	if ((c->rows = lines(t, cause)) >= 0)
		rc = copy_file(t, c->copy, cause);
	free(t);
	free(src);
	return rc;
}

static void
lf_release(struct db_capture *c)
{
	if (c->values != NULL)
		free(c->values[0]);
	free(c->values);
	free(c->stored);
	free(c->objects);
	if (c->copy != NULL)
		unlink(c->copy);
	free(c->copy);
	memset(c, 0, sizeof *c);
}

static char *
lf_apply_text(const char *setting, const char *value)
{
	return xasprintf("%s=%s", setting, value);
}

static char *
lf_apply_once(const struct spec *sp, const char *statement)
{
	char *dir = folder(sp), *line = xasprintf("echo '%s' > \"%s/settings\"",
	    statement, dir);

	free(dir);
	return line;
}

/* A scratch table: the capture's copy at path, synced as captured. */
static struct db_scratch *
lf_scratch(const struct spec *sp, const struct db_capture *c, const char *path,
    char **cause)
{
	struct db_scratch *s;

	(void)sp;
	if (copy_file(c->copy, path, cause) != 0)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->sync = strcmp(c->values[0], "full") == 0;
	s->next = c->rows;
	return s;
}

static int
lf_set(struct db_scratch *s, const char *setting, const char *value, char **cause)
{
	if (strcmp(setting, "sync") != 0 || (strcmp(value, "full") != 0 &&
	    strcmp(value, "off") != 0)) {
		*cause = xasprintf("linefile: no setting %s=%s", setting, value);
		return -1;
	}
	s->sync = strcmp(value, "full") == 0;
	return 0;
}

/* rows lines, per_write to a write() and commit_every to a commit (0: 1). */
static double
append(struct db_scratch *s, int rows, int per_write, int commit_every, char **cause)
{
	struct buf b = { 0 };
	uint64_t t0 = now_ns();
	int fd = open(s->path, O_WRONLY | O_APPEND | O_CLOEXEC), rc = 0;

	if (fd < 0) {
		*cause = xasprintf("%s: %s", s->path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < rows && rc == 0; i++) {
		buf_printf(&b, "%lld,perfd-probe-%lld\n", s->next, s->next);
		s->next++;
		if ((i + 1) % per_write == 0 || i + 1 == rows) {
			if (write(fd, b.p, b.len) != (ssize_t)b.len)
				rc = -1;
			b.len = 0;
		}
		if (((i + 1) % commit_every == 0 || i + 1 == rows) && s->sync &&
		    fdatasync(fd) != 0)
			rc = -1;
	}
	if (rc != 0)
		*cause = xasprintf("%s: %s", s->path, strerror(errno));
	close(fd);
	buf_free(&b);
	return rc == 0 ? (double)(now_ns() - t0) / 1e9 : -1;
}

static double
lf_insert(struct db_scratch *s, int rows, int commit_every, int prepared, char **cause)
{
	int every = commit_every > 0 ? commit_every : 1;

	(void)prepared;
	return append(s, rows, every, every, cause);
}

/* Multi-row statements in one transaction, as a multi-row INSERT would be. */
static double
lf_insert_multi(struct db_scratch *s, int rows, int per_stmt, char **cause)
{
	return append(s, rows, per_stmt, rows, cause);
}

static void
lf_close(struct db_scratch *s)
{
	if (s == NULL)
		return;
	unlink(s->path);
	free(s->path);
	free(s);
}

/* One client, the catch-all the interface asks to be last. */
static const struct db_client lf_clients[] = {
	{ "shell", "the shell loop", "",
	  "append many rows with one write and one sync instead of a sync per row",
	  "text", NULL, 0 },
};

/* The double's commits fsync in the client, as SQLite's do: eatmydata skips them. */
static char *
lf_nosync_wrap(const char *quoted)
{
	return xasprintf("eatmydata /bin/sh -c %s", quoted);
}

const struct db_driver linefile_driver = {
	.kind = "linefile",
	.name = "LineFile",
	.rules = "linefile.yaml",
	.settings = lf_settings,
	.nsettings = 1,
	.check = lf_check,
	.label = lf_label,
	.capture = lf_capture,
	.release = lf_release,
	.count = lf_count,
	.apply_text = lf_apply_text,
	.apply_once = lf_apply_once,
	.scratch = lf_scratch,
	.set = lf_set,
	.insert = lf_insert,
	.insert_multi = lf_insert_multi,
	.close = lf_close,
	.once_how = "Once, right after the pipeline creates `%s` (it is kept in the database)",
	.settings_intro = "Read from the folder's settings file, as the pipeline leaves it.",
	.nosync = "sync=off",
	.nosync_wrap = lf_nosync_wrap,
	.nosync_tool = "eatmydata",
	.clients = lf_clients,
	.nclients = 1,
};
