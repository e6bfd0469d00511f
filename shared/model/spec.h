/* spec.h - the investigation spec (version 1): parse, validate, serialise. */
#ifndef PERFD_SPEC_H
#define PERFD_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define SPEC_VERSION	1
#define SPEC_MAX_BYTES	(1024 * 1024)
#define SPEC_MAX_STAGES	64

struct spec_stage {
	char	*name;
	char	*run;		/* a /bin/sh command line, or NULL */
	char	*prepare;	/* restores what the stage reads and undoes what it
				   wrote, so that it can run again without setup and
				   the stages before it; or NULL */
	char	*fetch_url;	/* a fetch stage, or NULL */
	char	*fetch_output;
	int	 fetch_outside;	/* fetch.outside_workdir: the spec allows it */
	int64_t	*concurrency;	/* fetch stages: parallel transfer counts */
	int	 nconcurrency;
	double	 threshold_pct;	/* regression threshold, -1 when unset */
};

struct spec {
	int64_t	 version;
	char	*name;
	char	*description;
	char	*hypothesis;	/* a stage name, or NULL */
	char	*workdir;	/* absolute */
	char	**env;		/* "KEY=value" strings */
	int	 nenv;
	int64_t	 rows;		/* 0 when unset */

	int64_t	 warmup;
	int64_t	 repetitions;	/* SPEC_REPS_AUTO: as many as the figures need */
	int64_t	 timeout_ms;
	char	*setup;
	char	*teardown;
	struct spec_stage *stages;
	int	 nstages;

	int	 has_database;
	char	*db_kind;
	char	*db_path;	/* a file kind's: absolute (relative ones are under workdir) */
	char	*db_dsn;	/* a server kind's connection string, its password taken out */
	/*
	 * The password the dsn held (kinds->keep_secret), or NULL: never
	 * written anywhere (spec.json, reports, logs); the supervisor hands it
	 * to the agents in their environment (INV_ENV_DB_PASSWORD).
	 */
	char	*db_secret;
	char	*db_table;
	char	**db_pragmas;	/* "name=value": the pipeline's per-connection settings */
	int	 ndb_pragmas;

	char	*client_stage;	/* or NULL */

	int	 has_batch;
	char	*batch_stage;
	char	*batch_command;	/* contains {batch}, or NULL */
	int64_t	 batch_current;	/* 0 when unset */
	int64_t	*batch_sizes;
	int	 nbatch_sizes;

	int64_t	 agents_timeout_ms;
	int64_t	 budget_ms;	/* the whole investigation's; 0: none */

	/*
	 * The parameter matrix (matrix.h), or NULL. With one, the commands,
	 * env, setup, teardown and rows_template may name its parameters as
	 * {name}: see matrix_cell_spec().
	 */
	struct matrix *matrix;
	char	*rows_template;	/* rows naming a parameter ("{tasks}000"), or NULL */
};

/*
 * The database kinds a spec may name. The databases layer sits above this
 * one (a driver reads a spec), so it hands its registry in here rather
 * than this layer reaching up to it.
 */
struct spec_kinds {
	int		 (*known)(const char *kind);
	const char	*(*list)(void);		/* "a, b", for a message */
	/*
	 * The database section as its (known) kind wants it: 0, or -1 with
	 * *key (the database.* key at fault, or NULL for the section) and
	 * *why, the whole message (caller frees).
	 */
	int		 (*check)(const struct spec *, const char **key, char **why);
	/*
	 * After a check that passed: move any secret out of the section
	 * into db_secret, so that what stays may be shown (NULL: none).
	 */
	void		 (*keep_secret)(struct spec *);
};

/*
 * Parse and validate a spec file against the database kinds (NULL: any
 * kind is taken, for a spec perfd itself stored). On success returns the
 * spec; on failure returns NULL and sets *errors to one
 * "file:line:column: message" line per problem found (caller frees).
 */
struct spec *spec_parse_file(const char *path, const struct spec_kinds *,
    char **errors);
/* The same for text already read; name is used in messages, base for paths. */
struct spec *spec_parse_text(const char *name, const char *base,
    const char *text, size_t len, const struct spec_kinds *, char **errors);
void spec_free(struct spec *);

/* The normalised spec as JSON (defaults filled, paths absolute). */
char *spec_to_json(const struct spec *);

/* Index of the stage called name, or -1. */
int spec_stage_index(const struct spec *, const char *name);

/* pipeline.repetitions: auto, the default (profiling stops when its figures settle). */
#define SPEC_REPS_AUTO	0
/* The spec's repetitions, or fallback when they are auto. */
int spec_reps(const struct spec *, int fallback);

/* Parse a duration such as 250ms, 60s, 2m, 1h, 7d; -1 when malformed. */
int64_t spec_parse_duration(const char *s);

#endif
