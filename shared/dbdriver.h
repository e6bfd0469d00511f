/* dbdriver.h - what the database agents need from a database kind. */
#ifndef PERFD_DBDRIVER_H
#define PERFD_DBDRIVER_H

#include "spec.h"

/*
 * The agents (db-config, client-library, batch-size) speak to the database
 * only through this table; a kind (SQLite today, PostgreSQL next) is one
 * implementation of it plus a rules file, and no agent changes. The
 * user's database is only ever read; experiments run on a scratch copy.
 */
struct db_scratch;

struct db_driver {
	const char		*kind;
	const char		*rules;		/* file in agents/rules/ */
	const char *const	*settings;	/* the settings read() fills, in order */
	int			 nsettings;

	/* Read-only checks of the user's database; -1 with *cause. */
	int		(*check)(const struct spec *, int busy_ms, char **cause);
	long long	(*count)(const struct spec *, char **cause);
	/*
	 * The settings' values (normalised to the names the rules use), 1 in
	 * stored[i] when the value lives in the database rather than the
	 * connection, and the table's indexes and triggers as markdown.
	 */
	int		(*read)(const struct spec *, char **values, int *stored,
			    char **objects, char **cause);
	/* The statement a user runs to set it (caller frees). */
	char		*(*apply_text)(const char *setting, const char *value);

	/* A scratch copy with the table's real schema, and work on it. */
	struct db_scratch *(*scratch)(const struct spec *, const char *path,
			    char **cause);
	int		(*set)(struct db_scratch *, const char *setting,
			    const char *value, char **cause);
	/* Seconds for rows inserts committed every commit_every (0: each). */
	double		(*insert)(struct db_scratch *, int rows, int commit_every,
			    int prepared, char **cause);
	double		(*insert_multi)(struct db_scratch *, int rows, int per_stmt,
			    char **cause);
	void		(*close)(struct db_scratch *);	/* and remove the copy */

	/* A short sketch of the fastest client pattern (markdown). */
	const char	*sketch;

	/* Syncs one commit costs in this database's mode; 0 when unknown. */
	double		(*syncs_per_commit)(const struct spec *);
};

/* The driver for database.kind, or NULL. */
const struct db_driver *db_driver(const char *kind);
/* The kinds there are drivers for, "a, b" (static). */
const char *db_driver_kinds(void);

#endif
