/* spec.c - the investigation spec (version 1): parse, validate, serialise. */
#include "spec.h"
#include "matrix.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

/*
 * Every key of the spec is described once, in the tables below, and the
 * walker validates a YAML mapping against its table. Offsets point into
 * the struct the mapping fills: struct spec for every mapping but the
 * stages, which fill a struct spec_stage each.
 */
enum key_type {
	K_STR,		/* a scalar string */
	K_INT,		/* a plain integer within [min, max] */
	K_REPS,		/* the same, or auto (SPEC_REPS_AUTO) */
	K_DUR,		/* a duration such as 250ms, 60s, 2m, 1h, 7d */
	K_PCT,		/* a percentage: 5% or 5 */
	K_MAP,		/* a nested mapping of the same struct */
	K_ENV,		/* a mapping of environment variables */
	K_PRAGMAS,	/* a mapping of SQLite pragma names to plain values */
	K_STAGES,	/* the sequence of stages */
	K_INTS,		/* a sequence of integers within [min, max] */
	K_BOOL,		/* true or false, nothing else */
	K_ROWS,		/* an integer, or a text naming matrix parameters */
	K_MATRIX,	/* the matrix section (walk_matrix) */
};

struct key {
	const char		*name;
	enum key_type		 type;
	int			 required;
	int64_t			 min, max;
	size_t			 off;		/* field in the struct */
	size_t			 count_off;	/* K_INTS, K_STAGES: the count */
	const struct key	*sub;		/* K_MAP, K_STAGES */
	size_t			 present_off;	/* K_MAP: flag to set, or 0 */
};

#define S(f)	offsetof(struct spec, f)
#define G(f)	offsetof(struct spec_stage, f)
#define NOFLAG	((size_t)0)

static const struct key fetch_keys[] = {
	{ "url", K_STR, 1, 0, 0, G(fetch_url), 0, NULL, NOFLAG },
	{ "output", K_STR, 1, 0, 0, G(fetch_output), 0, NULL, NOFLAG },
	{ "outside_workdir", K_BOOL, 0, 0, 0, G(fetch_outside), 0, NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key stage_keys[] = {
	{ "name", K_STR, 1, 0, 0, G(name), 0, NULL, NOFLAG },
	{ "run", K_STR, 0, 0, 0, G(run), 0, NULL, NOFLAG },
	{ "prepare", K_STR, 0, 0, 0, G(prepare), 0, NULL, NOFLAG },
	{ "fetch", K_MAP, 0, 0, 0, 0, 0, fetch_keys, NOFLAG },
	{ "concurrency", K_INTS, 0, 1, 256, G(concurrency), G(nconcurrency), NULL, NOFLAG },
	{ "threshold", K_PCT, 0, 0, 1000, G(threshold_pct), 0, NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key pipeline_keys[] = {
	{ "warmup", K_INT, 0, 0, 1000, S(warmup), 0, NULL, NOFLAG },
	{ "repetitions", K_REPS, 0, 1, 10000, S(repetitions), 0, NULL, NOFLAG },
	{ "timeout", K_DUR, 0, 1, 24 * 3600 * 1000LL, S(timeout_ms), 0, NULL, NOFLAG },
	{ "setup", K_STR, 0, 0, 0, S(setup), 0, NULL, NOFLAG },
	{ "teardown", K_STR, 0, 0, 0, S(teardown), 0, NULL, NOFLAG },
	{ "stages", K_STAGES, 1, 1, SPEC_MAX_STAGES, S(stages), S(nstages), stage_keys, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key database_keys[] = {
	{ "kind", K_STR, 1, 0, 0, S(db_kind), 0, NULL, NOFLAG },
	/* Which of path and dsn a kind takes is its driver's to say (kinds->check). */
	{ "path", K_STR, 0, 0, 0, S(db_path), 0, NULL, NOFLAG },
	{ "dsn", K_STR, 0, 0, 0, S(db_dsn), 0, NULL, NOFLAG },
	{ "table", K_STR, 1, 0, 0, S(db_table), 0, NULL, NOFLAG },
	{ "pragmas", K_PRAGMAS, 0, 0, 0, S(db_pragmas), S(ndb_pragmas), NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key client_keys[] = {
	{ "stage", K_STR, 1, 0, 0, S(client_stage), 0, NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key batch_keys[] = {
	{ "stage", K_STR, 1, 0, 0, S(batch_stage), 0, NULL, NOFLAG },
	{ "command", K_STR, 0, 0, 0, S(batch_command), 0, NULL, NOFLAG },
	{ "current", K_INT, 0, 1, 1000000000LL, S(batch_current), 0, NULL, NOFLAG },
	{ "sizes", K_INTS, 0, 1, 1000000000LL, S(batch_sizes), S(nbatch_sizes), NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key agents_keys[] = {
	{ "timeout", K_DUR, 0, 1000, 7 * 24 * 3600 * 1000LL, S(agents_timeout_ms), 0, NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const struct key top_keys[] = {
	{ "version", K_INT, 1, 0, 1000, S(version), 0, NULL, NOFLAG },
	{ "name", K_STR, 1, 0, 0, S(name), 0, NULL, NOFLAG },
	{ "description", K_STR, 0, 0, 0, S(description), 0, NULL, NOFLAG },
	{ "hypothesis", K_STR, 0, 0, 0, S(hypothesis), 0, NULL, NOFLAG },
	{ "workdir", K_STR, 0, 0, 0, S(workdir), 0, NULL, NOFLAG },
	{ "env", K_ENV, 0, 0, 0, S(env), S(nenv), NULL, NOFLAG },
	{ "rows", K_ROWS, 0, 1, INT64_MAX, S(rows), 0, NULL, NOFLAG },
	{ "pipeline", K_MAP, 1, 0, 0, 0, 0, pipeline_keys, NOFLAG },
	{ "database", K_MAP, 0, 0, 0, 0, 0, database_keys, S(has_database) },
	{ "client", K_MAP, 0, 0, 0, 0, 0, client_keys, NOFLAG },
	{ "batch", K_MAP, 0, 0, 0, 0, 0, batch_keys, S(has_batch) },
	{ "agents", K_MAP, 0, 0, 0, 0, 0, agents_keys, NOFLAG },
	{ "budget", K_DUR, 0, 1000, 7 * 24 * 3600 * 1000LL, S(budget_ms), 0, NULL, NOFLAG },
	{ "matrix", K_MATRIX, 0, 0, 0, S(matrix), 0, NULL, NOFLAG },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }
};

static const int64_t default_batch_sizes[] = { 1, 10, 100, 1000, 10000, 100000 };

/* Aliases can make a small file expand into a huge tree: cap the walk. */
#define SPEC_MAX_NODES 100000
/* Caps checked before the document is built (see prescan()). */
#define SPEC_MAX_DEPTH		32
#define SPEC_MAX_EVENTS		20000
#define SPEC_MAX_ERRORS		50

struct ctx {
	const char	*file;
	const struct spec_kinds *kinds;
	yaml_document_t	*doc;
	struct buf	 errors;
	int		 nerrors;
	int		 nodes;
};

static void
err_at(struct ctx *c, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	size_t line = n ? n->start_mark.line + 1 : 1;
	size_t col = n ? n->start_mark.column + 1 : 1;

	/* Every error counts; the first SPEC_MAX_ERRORS are worth reading. */
	if (++c->nerrors > SPEC_MAX_ERRORS) {
		if (c->nerrors == SPEC_MAX_ERRORS + 1)
			buf_printf(&c->errors, "%s: more errors follow; the first %d are "
			    "above\n", c->file, SPEC_MAX_ERRORS);
		return;
	}
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&c->errors, "%s:%zu:%zu: %s\n", c->file, line, col, msg);
	free(msg);
}

static const char *
node_kind(yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	default:
		return "a scalar";
	}
}

/* Plain null scalars: empty, ~, null. */
static int
scalar_is_null(yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static const char *
scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A string value: any non-null scalar. */
static char *
get_str(struct ctx *c, yaml_node_t *n, const char *path)
{
	if (n->type != YAML_SCALAR_NODE) {
		err_at(c, n, "%s: expected a string, got %s", path, node_kind(n));
		return NULL;
	}
	if (scalar_is_null(n)) {
		err_at(c, n, "%s: expected a string, got nothing", path);
		return NULL;
	}
	return xstrdup(scalar(n));
}

/*
 * The length of a plain decimal at s: digits, without a leading zero (so
 * no octal reading of 010), with a fraction when frac_ok; 0 when there is
 * none. Hex (0x10), exponents (1e3), inf and nan are not numbers here.
 */
static size_t
decimal_len(const char *s, int frac_ok)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || (s[0] == '0' && n > 1))
		return 0;
	if (frac_ok && s[n] == '.') {
		size_t f = strspn(s + n + 1, "0123456789");

		if (f == 0)
			return 0;
		n += 1 + f;
	}
	return n;
}

static int
parse_int(const char *s, int64_t *out)
{
	const char *digits = s[0] == '-' ? s + 1 : s;
	char *end;
	long long v;

	if (decimal_len(digits, 0) != strlen(digits) || digits[0] == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* An integer within [min, max]; what the key takes, as its errors say it ("an integer"). */
static int
get_int_as(struct ctx *c, yaml_node_t *n, const char *path, const char *what, int64_t min,
    int64_t max, int64_t *out)
{
	int64_t v;

	if (n->type != YAML_SCALAR_NODE) {
		err_at(c, n, "%s: expected %s, got %s", path, what, node_kind(n));
		return -1;
	}
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    parse_int(scalar(n), &v) != 0) {
		err_at(c, n, "%s: expected %s (plain decimal: no leading zero, "
		    "no hex), got '%s'", path, what, scalar(n));
		return -1;
	}
	if (v < min || v > max) {
		if (max == INT64_MAX)
			err_at(c, n, "%s: %lld is out of range (at least %lld)", path,
			    (long long)v, (long long)min);
		else
			err_at(c, n, "%s: %lld is out of range (%lld to %lld)", path,
			    (long long)v, (long long)min, (long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
get_int(struct ctx *c, yaml_node_t *n, const char *path, int64_t min,
    int64_t max, int64_t *out)
{
	return get_int_as(c, n, path, "an integer", min, max, out);
}

int64_t
spec_parse_duration(const char *s)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 },
	};
	size_t n = decimal_len(s, 1);
	const char *end = s + n;
	double v;

	if (n == 0)
		return -1;
	v = strtod(s, NULL);	/* only the decimal checked above */
	for (size_t i = 0; i < PERFD_ARRAY_LEN(units); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			double ms = v * units[i].ms;

			if (ms > 9e15)
				return -1;
			return (int64_t)(ms + 0.5);
		}
	}
	return -1;
}

/* A bound for messages: 1s, 24h, 7d. */
static char *
fmt_ms(int64_t ms)
{
	if (ms % 86400000 == 0)
		return xasprintf("%lldd", (long long)(ms / 86400000));
	if (ms % 3600000 == 0)
		return xasprintf("%lldh", (long long)(ms / 3600000));
	if (ms % 1000 == 0)
		return xasprintf("%llds", (long long)(ms / 1000));
	return xasprintf("%lldms", (long long)ms);
}

static void walk_map(struct ctx *, yaml_node_t *, const struct key *,
    void *, const char *);

/*
 * The keys of one mapping seen so far, to find duplicates in linear time
 * (a pairwise check took 42 s on 1 MiB of keys): open addressing on the
 * keys' FNV-1a hashes, at most half full.
 */
struct keyset {
	yaml_node_t	**slot;
	size_t		  mask;
};

static void
keyset_init(struct keyset *ks, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n + 1)
		cap *= 2;
	ks->slot = xcalloc(cap, sizeof *ks->slot);
	ks->mask = cap - 1;
}

/* The earlier key with kn's text, or NULL (and kn is remembered). */
static yaml_node_t *
keyset_add(struct keyset *ks, yaml_node_t *kn)
{
	const char *name = scalar(kn);
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (i = (size_t)h & ks->mask; ks->slot[i] != NULL; i = (i + 1) & ks->mask)
		if (strcmp(scalar(ks->slot[i]), name) == 0)
			return ks->slot[i];
	ks->slot[i] = kn;
	return NULL;
}

static void
keyset_free(struct keyset *ks)
{
	free(ks->slot);
}

static void
walk_ints(struct ctx *c, yaml_node_t *n, const struct key *k, void *base,
    const char *path)
{
	int64_t **vals = (int64_t **)((char *)base + k->off);
	int *count = (int *)((char *)base + k->count_off);
	yaml_node_item_t *it;
	int i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		err_at(c, n, "%s: expected a sequence of integers, got %s", path,
		    node_kind(n));
		return;
	}
	if (n->data.sequence.items.top == n->data.sequence.items.start) {
		err_at(c, n, "%s: expected at least one integer", path);
		return;
	}
	free(*vals);
	*vals = xcalloc((size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start), sizeof **vals);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		char *ipath = xasprintf("%s[%d]", path, i);
		int64_t v;

		if (get_int(c, item, ipath, k->min, k->max, &v) == 0) {
			for (int j = 0; j < i; j++) {
				if ((*vals)[j] == v) {
					err_at(c, item, "%s: %lld is listed twice", ipath,
					    (long long)v);
					break;
				}
			}
			(*vals)[i++] = v;
		}
		free(ipath);
	}
	*count = i;
}

static void
walk_env(struct ctx *c, yaml_node_t *n, const struct key *k, void *base,
    const char *path)
{
	char ***env = (char ***)((char *)base + k->off);
	int *count = (int *)((char *)base + k->count_off);
	yaml_node_pair_t *p;
	struct keyset seen;

	if (n->type != YAML_MAPPING_NODE) {
		err_at(c, n, "%s: expected a mapping of variables, got %s", path,
		    node_kind(n));
		return;
	}
	keyset_init(&seen, (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
		yaml_node_t *first;
		const char *name;
		char *val, *vpath;

		if (kn->type != YAML_SCALAR_NODE) {
			err_at(c, kn, "%s: variable names must be strings", path);
			continue;
		}
		name = scalar(kn);
		if ((first = keyset_add(&seen, kn)) != NULL) {
			err_at(c, kn, "%s: '%s' is set twice (first at line %zu)", path,
			    name, first->start_mark.line + 1);
			continue;
		}
		if (!(isalpha((unsigned char)name[0]) || name[0] == '_') ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_") != strlen(name)) {
			err_at(c, kn, "%s: '%s' is not a valid variable name", path, name);
			continue;
		}
		vpath = xasprintf("%s.%s", path, name);
		val = get_str(c, vn, vpath);
		free(vpath);
		if (val == NULL)
			continue;
		*env = xrealloc(*env, sizeof **env * (size_t)(*count + 1));
		(*env)[(*count)++] = xasprintf("%s=%s", name, val);
		free(val);
	}
	keyset_free(&seen);
}

/* {synchronous: normal, cache_size: -64000}: names and values kept plain. */
static void
walk_pragmas(struct ctx *c, yaml_node_t *n, const struct key *k, void *base,
    const char *path)
{
	char ***out = (char ***)((char *)base + k->off);
	int *count = (int *)((char *)base + k->count_off);
	const char *name_ok = "abcdefghijklmnopqrstuvwxyz_";
	const char *val_ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

	if (n->type != YAML_MAPPING_NODE) {
		err_at(c, n, "%s: expected a mapping of pragma names to values, got %s",
		    path, node_kind(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
		const char *name = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "";
		const char *val = vn->type == YAML_SCALAR_NODE ? scalar(vn) : "";

		if (name[0] == '\0' || strspn(name, name_ok) != strlen(name)) {
			err_at(c, kn, "%s: '%s' is not a pragma name", path, name);
			continue;
		}
		if (val[0] == '\0' || strspn(val, val_ok) != strlen(val)) {
			err_at(c, vn, "%s.%s: '%s' is not a plain value (letters, digits, _ "
			    "and -)", path, name, val);
			continue;
		}
		*out = xrealloc(*out, sizeof **out * (size_t)(*count + 1));
		(*out)[(*count)++] = xasprintf("%s=%s", name, val);
	}
}

static void
walk_stages(struct ctx *c, yaml_node_t *n, const struct key *k, void *base,
    const char *path)
{
	struct spec_stage **stages = (struct spec_stage **)((char *)base + k->off);
	int *count = (int *)((char *)base + k->count_off);
	int total = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		err_at(c, n, "%s: expected a sequence of stages, got %s", path,
		    node_kind(n));
		return;
	}
	total = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (total < k->min || total > k->max) {
		err_at(c, n, "%s: expected %lld to %lld stages, got %d", path,
		    (long long)k->min, (long long)k->max, total);
		return;
	}
	*stages = xcalloc((size_t)total, sizeof **stages);
	*count = total;
	for (int i = 0; i < total; i++) {
		yaml_node_t *item = yaml_document_get_node(c->doc,
		    n->data.sequence.items.start[i]);
		struct spec_stage *st = &(*stages)[i];
		char *spath = xasprintf("%s[%d]", path, i);

		int before = c->nerrors;

		st->threshold_pct = -1;
		walk_map(c, item, k->sub, st, spath);
		/* A stage with errors of its own gets no second complaint. */
		if (c->nerrors == before && st->name != NULL) {
			if ((st->run != NULL) == (st->fetch_url != NULL || st->fetch_output != NULL))
				err_at(c, item, "%s: stage '%s' needs exactly one of 'run' or "
				    "'fetch', found %s", spath, st->name,
				    st->run != NULL ? "both" : "neither");
			else if (st->run != NULL && st->nconcurrency > 0)
				err_at(c, item, "%s: 'concurrency' applies to fetch stages only",
				    spath);
		}
		free(spath);
	}
}

/* A duration key: "250ms", "60s", "2m", "1h", "7d", within the key's range. */
static void
walk_duration(struct ctx *c, yaml_node_t *v, const struct key *k, int64_t *field,
    const char *path)
{
	int64_t iv;

	if (v->type != YAML_SCALAR_NODE ||
	    (iv = spec_parse_duration(scalar(v))) < 0) {
		err_at(c, v, "%s: bad duration '%s' (expected a number and a "
		    "unit: 250ms, 60s, 2m, 1h, 7d)", path,
		    v->type == YAML_SCALAR_NODE ? scalar(v) : node_kind(v));
	} else if (iv < k->min || iv > k->max) {
		char *lo = fmt_ms(k->min), *hi = fmt_ms(k->max);

		err_at(c, v, "%s: duration '%s' is out of range (%s to %s)", path,
		    scalar(v), lo, hi);
		free(lo);
		free(hi);
	} else
		*field = iv;
}

/* A percentage key: "5%" or "5", within the key's range. */
static void
walk_percent(struct ctx *c, yaml_node_t *v, const struct key *k, double *field,
    const char *path)
{
	double d = -1;

	if (v->type == YAML_SCALAR_NODE) {
		const char *t = scalar(v), *end = t + decimal_len(t, 1);

		if (end > t && (*end == '\0' || (end[0] == '%' && end[1] == '\0')))
			d = strtod(t, NULL);
	}
	if (d < (double)k->min || d > (double)k->max)
		err_at(c, v, "%s: bad percentage '%s' (expected 0%% to %lld%%)",
		    path, v->type == YAML_SCALAR_NODE ? scalar(v) : node_kind(v),
		    (long long)k->max);
	else
		*field = d;
}

/* A strict boolean key: true or false, nothing else YAML would take. */
static void
walk_bool(struct ctx *c, yaml_node_t *v, int *field, const char *path)
{
	if (v->type == YAML_SCALAR_NODE && (strcmp(scalar(v), "true") == 0 ||
	    strcmp(scalar(v), "false") == 0))
		*field = strcmp(scalar(v), "true") == 0;
	else
		err_at(c, v, "%s: expected true or false, got '%s'", path,
		    v->type == YAML_SCALAR_NODE ? scalar(v) : node_kind(v));
}

/* rows: an integer, or (with a matrix) a text such as "{tasks}000" that makes one per cell. */
static void
walk_rows(struct ctx *c, yaml_node_t *v, const struct key *k, void *base, const char *path)
{
	struct spec *sp = base;
	int64_t iv;

	if (v->type == YAML_SCALAR_NODE && strchr(scalar(v), '{') != NULL) {
		free(sp->rows_template);
		sp->rows_template = xstrdup(scalar(v));
	} else if (get_int(c, v, path, k->min, k->max, &iv) == 0)
		sp->rows = iv;
}

static void walk_matrix(struct ctx *, yaml_node_t *, struct spec *, const char *);

static void
walk_value(struct ctx *c, yaml_node_t *v, const struct key *k, void *base,
    const char *path)
{
	void *field = (char *)base + k->off;
	char *s;
	int64_t iv;

	switch (k->type) {
	case K_STR:
		s = get_str(c, v, path);
		if (s != NULL) {
			free(*(char **)field);
			*(char **)field = s;
		}
		break;
	case K_REPS:
		if (v->type == YAML_SCALAR_NODE && strcmp(scalar(v), "auto") == 0)
			*(int64_t *)field = SPEC_REPS_AUTO;
		else if (get_int_as(c, v, path, "auto or an integer", k->min, k->max, &iv) == 0)
			*(int64_t *)field = iv;
		break;
	case K_INT:
		if (get_int(c, v, path, k->min, k->max, &iv) == 0) {
			*(int64_t *)field = iv;
		}
		break;
	case K_DUR:
		walk_duration(c, v, k, field, path);
		break;
	case K_PCT:
		walk_percent(c, v, k, field, path);
		break;
	case K_MAP:
		walk_map(c, v, k->sub, base, path);
		if (k->present_off != NOFLAG)
			*(int *)((char *)base + k->present_off) = 1;
		break;
	case K_ENV:
		walk_env(c, v, k, base, path);
		break;
	case K_PRAGMAS:
		walk_pragmas(c, v, k, base, path);
		break;
	case K_STAGES:
		walk_stages(c, v, k, base, path);
		break;
	case K_INTS:
		walk_ints(c, v, k, base, path);
		break;
	case K_BOOL:
		walk_bool(c, v, field, path);
		break;
	case K_ROWS:
		walk_rows(c, v, k, base, path);
		break;
	case K_MATRIX:
		walk_matrix(c, v, base, path);
		break;
	}
}

static char *
allowed_keys(const struct key *keys)
{
	struct buf b = { 0 };

	for (const struct key *k = keys; k->name != NULL; k++)
		buf_printf(&b, "%s%s", k == keys ? "" : ", ", k->name);
	return b.p;
}

static yaml_node_t *map_get(yaml_document_t *, yaml_node_t *, const char *);

/* Every required key of keys is in mapping n. */
static void
check_required(struct ctx *c, yaml_node_t *n, const struct key *keys, const char *where)
{
	for (const struct key *k = keys; k->name != NULL; k++)
		if (k->required && map_get(c->doc, n, k->name) == NULL)
			err_at(c, n, "%s: missing required key '%s'", where, k->name);
}

/* Validate mapping n against keys, filling base; path names it in errors. */
static void
walk_map(struct ctx *c, yaml_node_t *n, const struct key *keys, void *base,
    const char *path)
{
	yaml_node_pair_t *p;
	const char *where = path[0] != '\0' ? path : "the top level";
	struct keyset seen;

	if (++c->nodes > SPEC_MAX_NODES) {
		if (c->nodes == SPEC_MAX_NODES + 1)
			err_at(c, n, "the document expands to more than %d mappings "
			    "(aliases?)", SPEC_MAX_NODES);
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		err_at(c, n, "%s: expected a mapping, got %s", where, node_kind(n));
		return;
	}
	keyset_init(&seen, (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
		yaml_node_t *first;
		const struct key *k;
		const char *name;
		char *kpath, *list;

		if (kn->type != YAML_SCALAR_NODE) {
			err_at(c, kn, "%s: keys must be strings, got %s", where,
			    node_kind(kn));
			continue;
		}
		name = scalar(kn);
		if ((first = keyset_add(&seen, kn)) != NULL) {
			err_at(c, kn, "%s: duplicate key '%s' (first at line %zu)", where,
			    name, first->start_mark.line + 1);
			continue;
		}
		for (k = keys; k->name != NULL; k++) {
			if (strcmp(k->name, name) == 0)
				break;
		}
		if (k->name == NULL) {
			list = allowed_keys(keys);
			err_at(c, kn, "%s: unknown key '%s' (allowed: %s)", where, name,
			    list);
			free(list);
			continue;
		}
		kpath = path[0] != '\0' ? xasprintf("%s.%s", path, name) : xstrdup(name);
		walk_value(c, vn, k, base, kpath);
		free(kpath);
	}
	keyset_free(&seen);
	check_required(c, n, keys, where);
}

/*
 * The value of key in mapping n, or NULL. The first of duplicate keys, as
 * walk_map() read it: a cross-check that found a later one would index it
 * with the first one's counts.
 */
static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *n, const char *key)
{
	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key);

		if (kn->type == YAML_SCALAR_NODE && strcmp(scalar(kn), key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* The mapping value for key path a.b in the document, or the closest node. */
static yaml_node_t *
find_node(yaml_document_t *doc, const char *a, const char *b)
{
	yaml_node_t *n = yaml_document_get_root_node(doc), *found;
	const char *names[2] = { a, b };

	for (int i = 0; i < 2 && names[i] != NULL; i++) {
		if ((found = map_get(doc, n, names[i])) == NULL)
			break;
		n = found;
	}
	return n;
}

/* The database section: its kind known, then as that kind's driver wants it. */
static void
check_database(struct ctx *c, struct spec *sp)
{
	const char *key = NULL;
	char *why = NULL;

	if (sp->db_kind == NULL || c->kinds == NULL)
		return;
	if (!c->kinds->known(sp->db_kind))
		err_at(c, find_node(c->doc, "database", "kind"), "database.kind: "
		    "unsupported kind '%s' (supported: %s)", sp->db_kind, c->kinds->list());
	else if (c->kinds->check(sp, &key, &why) != 0) {
		err_at(c, find_node(c->doc, "database", key), "%s", why);
		free(why);
	} else if (c->kinds->keep_secret != NULL)
		c->kinds->keep_secret(sp);
}

/* One word of letters, digits and _ not starting with a digit, or two such joined by a dot. */
static int
table_name(const char *s)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	size_t n = strspn(s, word);

	if (n == 0 || isdigit((unsigned char)s[0]))
		return 0;
	if (s[n] == '.')
		return table_name(s + n + 1) && strchr(s + n + 1, '.') == NULL;
	return s[n] == '\0';
}

static int
valid_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static char *
stage_list(const struct spec *sp)
{
	struct buf b = { 0 };

	for (int i = 0; i < sp->nstages; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", sp->stages[i].name ? sp->stages[i].name : "?");
	return b.p != NULL ? b.p : xstrdup("");
}

static void
check_stage_ref(struct ctx *c, struct spec *sp, const char *value, const char *a,
    const char *b, const char *path)
{
	char *list;

	if (value == NULL || spec_stage_index(sp, value) >= 0)
		return;
	list = stage_list(sp);
	err_at(c, find_node(c->doc, a, b), "%s: '%s' names no stage (stages: %s)",
	    path, value, list);
	free(list);
}

/* Rules that span keys, checked once the whole document is read. */
/*
 * Stage names become file names in the agents' folders (NAME.stdout) and
 * parts of paths: names that are folders or perfd's own files are refused.
 */
#define RESERVED_LIST	"., .., setup, teardown, stage"

static int
reserved_name(const char *nm)
{
	static const char *const reserved[] = { ".", "..", "setup", "teardown", "stage" };

	for (size_t i = 0; i < PERFD_ARRAY_LEN(reserved); i++)
		if (strcmp(nm, reserved[i]) == 0)
			return 1;
	return 0;
}

/*
 * A fetch stage downloads over HTTP(S) only (libcurl would read file:// or
 * speak dict:// as readily), into a file inside the workdir.
 */
static void
check_fetch(struct ctx *c, const struct spec_stage *st, int i, yaml_node_t *fetch)
{
	const char *out = st->fetch_output;

	if (st->fetch_url != NULL && strncasecmp(st->fetch_url, "http://", 7) != 0 &&
	    strncasecmp(st->fetch_url, "https://", 8) != 0)
		err_at(c, map_get(c->doc, fetch, "url"), "pipeline.stages[%d].fetch.url: "
		    "only http:// and https:// URLs are fetched, got '%.*s:'", i,
		    (int)strcspn(st->fetch_url, ":"), st->fetch_url);
	/* Only where the spec says so explicitly may perfd write outside it. */
	if (out != NULL && !st->fetch_outside && (out[0] == '/' || strcmp(out, "..") == 0 ||
	    strncmp(out, "../", 3) == 0 || strstr(out, "/../") != NULL ||
	    (strlen(out) >= 3 && strcmp(out + strlen(out) - 3, "/..") == 0)))
		err_at(c, map_get(c->doc, fetch, "output"), "pipeline.stages[%d].fetch."
		    "output: '%s' is outside the workdir (a path relative to it, "
		    "without '..', is where perfd may write; say outside_workdir: "
		    "true to write there)", i, out);
}


/* A parameter's name: a letter or _, then letters, digits, _ (as {name} finds it). */
static int
param_name(const char *s)
{
	return (isalpha((unsigned char)s[0]) || s[0] == '_') &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
	    strlen(s);
}

/* A number above 0 as a parameter's value: a plain decimal, with a fraction or not. */
static int
param_number(const char *s)
{
	return decimal_len(s, 1) == strlen(s) && strtod(s, NULL) > 0;
}

/* [4, 8, 16, 32] or [fast, slow]: the values, each once. */
static void
matrix_list(struct ctx *c, yaml_node_t *n, struct matrix_param *mp, const char *path)
{
	int i = 0;

	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		char *ipath = xasprintf("%s[%d]", path, i), *v;

		if (i >= MATRIX_MAX_VALUES) {
			err_at(c, item, "%s: more than %d values", path, MATRIX_MAX_VALUES);
			free(ipath);
			break;
		}
		if ((v = get_str(c, item, ipath)) != NULL && strpbrk(v, ",\"\n\r") != NULL) {
			/* Values go into matrix.csv's cell labels as they are. */
			err_at(c, item, "%s: '%s' holds a comma, a quote or a line break", ipath, v);
			free(v);
		} else if (v != NULL) {
			for (int j = 0; j < mp->nvalues; j++)
				if (strcmp(mp->values[j], v) == 0) {
					err_at(c, item, "%s: '%s' is listed twice", ipath, v);
					break;
				}
			mp->values = xrealloc(mp->values, sizeof *mp->values *
			    (size_t)(mp->nvalues + 1));
			mp->values[mp->nvalues++] = v;
		}
		free(ipath);
	}
	if (i == 0)
		err_at(c, n, "%s: expected at least one value", path);
}

/* A range's number at key (from, to, step, factor), or -1 with the error said; 0 when absent. */
static double
range_number(struct ctx *c, yaml_node_t *n, const char *key, const char *path)
{
	yaml_node_t *v = map_get(c->doc, n, key);

	if (v == NULL)
		return 0;
	if (v->type != YAML_SCALAR_NODE || !param_number(scalar(v))) {
		err_at(c, v, "%s.%s: expected a number above 0, got '%s'", path, key,
		    v->type == YAML_SCALAR_NODE ? scalar(v) : node_kind(v));
		return -1;
	}
	return strtod(scalar(v), NULL);
}

/* {from: 4, to: 32, factor: 2} or {from: 1, to: 10, step: 3}: the values, from up to to. */
static void
matrix_range(struct ctx *c, yaml_node_t *n, struct matrix_param *mp, const char *path)
{
	double from = range_number(c, n, "from", path), to = range_number(c, n, "to", path);
	double step = range_number(c, n, "step", path), factor = range_number(c, n, "factor", path);

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
		const char *k = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "";

		if (strcmp(k, "from") != 0 && strcmp(k, "to") != 0 && strcmp(k, "step") != 0 &&
		    strcmp(k, "factor") != 0)
			err_at(c, kn, "%s: unknown key '%s' (allowed: from, to, step, factor)",
			    path, k);
	}
	if (from < 0 || to < 0 || step < 0 || factor < 0)
		return;
	if (from == 0 || to == 0 || (step == 0) == (factor == 0) || (factor != 0 && factor <= 1)) {
		err_at(c, n, "%s: a range takes from, to, and one of step (added) or factor "
		    "(multiplied, above 1)", path);
		return;
	}
	if (to < from) {
		err_at(c, n, "%s: 'to' (%g) is below 'from' (%g)", path, to, from);
		return;
	}
	for (double v = from; v <= to * (1 + 1e-9); v = step != 0 ? v + step : v * factor) {
		if (mp->nvalues >= MATRIX_MAX_VALUES) {
			err_at(c, n, "%s: more than %d values", path, MATRIX_MAX_VALUES);
			return;
		}
		mp->values = xrealloc(mp->values, sizeof *mp->values * (size_t)(mp->nvalues + 1));
		mp->values[mp->nvalues++] = xasprintf("%.10g", v);
	}
}

/* matrix.parameters: {name: values or range, ...}. */
static void
matrix_params(struct ctx *c, yaml_node_t *n, struct matrix *m)
{
	if (n->type != YAML_MAPPING_NODE || n->data.mapping.pairs.top == n->data.mapping.pairs.start) {
		err_at(c, n, "matrix.parameters: expected a mapping of parameters to their "
		    "values, got %s", node_kind(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
		struct matrix_param *mp;
		char *path;

		if (kn->type != YAML_SCALAR_NODE || !param_name(scalar(kn))) {
			err_at(c, kn, "matrix.parameters: '%s' is not a parameter name (a letter "
			    "or _, then letters, digits and _)", kn->type == YAML_SCALAR_NODE ?
			    scalar(kn) : node_kind(kn));
			continue;
		}
		if (matrix_param_index(m, scalar(kn), strlen(scalar(kn))) >= 0) {
			err_at(c, kn, "matrix.parameters: '%s' is declared twice", scalar(kn));
			continue;
		}
		if (m->nparams >= MATRIX_MAX_PARAMS) {
			err_at(c, kn, "matrix.parameters: more than %d parameters", MATRIX_MAX_PARAMS);
			return;
		}
		m->params = xrealloc(m->params, sizeof *m->params * (size_t)(m->nparams + 1));
		mp = &m->params[m->nparams++];
		memset(mp, 0, sizeof *mp);
		mp->name = xstrdup(scalar(kn));
		path = xasprintf("matrix.parameters.%s", mp->name);
		if (vn->type == YAML_SEQUENCE_NODE)
			matrix_list(c, vn, mp, path);
		else if (vn->type == YAML_MAPPING_NODE)
			matrix_range(c, vn, mp, path);
		else
			err_at(c, vn, "%s: expected a list of values or a range {from, to, step "
			    "or factor}, got %s", path, node_kind(vn));
		mp->numeric = mp->nvalues > 0;
		for (int i = 0; i < mp->nvalues; i++)
			mp->numeric &= param_number(mp->values[i]);
		free(path);
	}
}

/* One listed cell {name: value, ...}: every parameter once, each to one of its values. */
static void
matrix_cell(struct ctx *c, yaml_node_t *n, struct matrix *m, int *cell, const char *path)
{
	for (int p = 0; p < m->nparams; p++)
		cell[p] = -1;
	if (n->type != YAML_MAPPING_NODE) {
		err_at(c, n, "%s: expected a mapping of parameters to values, got %s", path,
		    node_kind(n));
		return;
	}
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, q->key);
		yaml_node_t *vn = yaml_document_get_node(c->doc, q->value);
		const char *k = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "";
		int p = matrix_param_index(m, k, strlen(k));

		if (p < 0) {
			err_at(c, kn, "%s: '%s' is not a parameter of the matrix", path, k);
			continue;
		}
		for (int v = 0; vn->type == YAML_SCALAR_NODE && v < m->params[p].nvalues; v++)
			if (strcmp(m->params[p].values[v], scalar(vn)) == 0)
				cell[p] = v;
		if (cell[p] < 0)
			err_at(c, vn, "%s.%s: '%s' is not one of its values", path, k,
			    vn->type == YAML_SCALAR_NODE ? scalar(vn) : node_kind(vn));
	}
	for (int p = 0; p < m->nparams; p++)
		if (cell[p] < 0 && map_get(c->doc, n, m->params[p].name) == NULL)
			err_at(c, n, "%s: no value for parameter '%s'", path, m->params[p].name);
}

/* The cells: matrix.cells as listed, else every combination (the first parameter slowest). */
static void
matrix_cells(struct ctx *c, yaml_node_t *n, struct matrix *m)
{
	long total = 1;

	if (n != NULL) {
		int i = 0;

		if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top ==
		    n->data.sequence.items.start) {
			err_at(c, n, "matrix.cells: expected a list of cells, got %s", node_kind(n));
			return;
		}
		m->listed = 1;
		m->ncells = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
		m->cells = xcalloc((size_t)m->ncells * (size_t)m->nparams + 1, sizeof *m->cells);
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++, i++) {
			char *path = xasprintf("matrix.cells[%d]", i);

			matrix_cell(c, yaml_document_get_node(c->doc, *it), m,
			    &m->cells[i * m->nparams], path);
			free(path);
		}
		return;
	}
	for (int p = 0; p < m->nparams; p++)
		total *= m->params[p].nvalues;
	if (total > MATRIX_MAX_CELLS)
		return;		/* said by check_matrix() */
	m->ncells = (int)total;
	m->cells = xcalloc((size_t)total * (size_t)m->nparams + 1, sizeof *m->cells);
	for (long k = 0; k < total; k++)
		for (long p = m->nparams - 1, rest = k; p >= 0; p--) {
			m->cells[k * m->nparams + p] = (int)(rest % m->params[p].nvalues);
			rest /= m->params[p].nvalues;
		}
}

/* The matrix section; its cells and references are checked in check_matrix(). */
static void
walk_matrix(struct ctx *c, yaml_node_t *n, struct spec *sp, const char *path)
{
	static const char *const keys[] = { "parameters", "cells", "repetitions", "seed",
	    "concurrency", "confirm_cells", NULL };
	struct matrix *m = xcalloc(1, sizeof *m);
	yaml_node_t *v;
	int64_t iv;

	if (sp->matrix != NULL)
		matrix_free(sp->matrix);
	sp->matrix = m;
	m->repetitions = MATRIX_REPS_AUTO;
	if (n->type != YAML_MAPPING_NODE) {
		err_at(c, n, "%s: expected a mapping, got %s", path, node_kind(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
		const char *k = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "";
		int i = 0;

		while (keys[i] != NULL && strcmp(keys[i], k) != 0)
			i++;
		if (keys[i] == NULL)
			err_at(c, kn, "matrix: unknown key '%s' (allowed: parameters, cells, "
			    "repetitions, seed, concurrency, confirm_cells)", k);
	}
	if ((v = map_get(c->doc, n, "parameters")) == NULL) {
		err_at(c, n, "matrix: missing required key 'parameters'");
		return;
	}
	matrix_params(c, v, m);
	if (c->nerrors == 0)
		matrix_cells(c, map_get(c->doc, n, "cells"), m);
	if ((v = map_get(c->doc, n, "repetitions")) != NULL && !(v->type == YAML_SCALAR_NODE &&
	    strcmp(scalar(v), "auto") == 0) && get_int_as(c, v, "matrix.repetitions",
	    "auto or an integer", 1, 1000, &iv) == 0)
		m->repetitions = iv;
	if ((v = map_get(c->doc, n, "seed")) != NULL &&
	    get_int(c, v, "matrix.seed", 1, UINT32_MAX, &iv) == 0)
		m->seed = iv;
	if ((v = map_get(c->doc, n, "confirm_cells")) != NULL &&
	    get_int(c, v, "matrix.confirm_cells", 1, MATRIX_MAX_CELLS, &iv) == 0)
		m->confirm_cells = iv;
	if ((v = map_get(c->doc, n, "concurrency")) != NULL)
		m->concurrency = get_str(c, v, "matrix.concurrency");
}

/* What check_placeholders() collects of one text. */
struct placeholders {
	struct ctx		*c;
	yaml_node_t		*node;
	const char		*path;
	const struct matrix	*m;
	int			*used;
};

static void
placeholder(void *arg, const char *name, size_t len)
{
	struct placeholders *ph = arg;
	int p = matrix_param_index(ph->m, name, len);

	if (p >= 0) {
		ph->used[p] = 1;
		return;
	}
	struct buf names = { 0 };

	for (int i = 0; i < ph->m->nparams; i++)
		buf_printf(&names, "%s%s", i > 0 ? ", " : "", ph->m->params[i].name);
	err_at(ph->c, ph->node, "%s: {%.*s} names no parameter of the matrix (declared: %s); "
	    "a shell or awk brace group needs a blank inside, as in '{ print }'", ph->path,
	    (int)len, name, names.p != NULL ? names.p : "none");
	buf_free(&names);
}

/* Every {name} in text is a declared parameter; the ones used are marked. */
static void
check_placeholders(struct ctx *c, const struct matrix *m, const char *text, yaml_node_t *node,
    const char *path, int *used)
{
	struct placeholders ph = { c, node, path, m, used };

	if (text != NULL)
		matrix_scan(text, placeholder, &ph);
}

/* The key node of key in mapping n (for an error about the key itself), or n. */
static yaml_node_t *
key_node(yaml_document_t *doc, yaml_node_t *n, const char *key)
{
	for (yaml_node_pair_t *p = n != NULL && n->type == YAML_MAPPING_NODE ?
	    n->data.mapping.pairs.start : NULL; p != NULL && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key);

		if (kn->type == YAML_SCALAR_NODE && strcmp(scalar(kn), key) == 0)
			return kn;
	}
	return n;
}

/* The texts that may name parameters, each checked; used[p]: parameter p is named. */
static void
check_templates(struct ctx *c, struct spec *sp, int *used)
{
	const struct matrix *m = sp->matrix;
	yaml_node_t *seq = find_node(c->doc, "pipeline", "stages"), *env = find_node(c->doc,
	    "env", NULL);

	check_placeholders(c, m, sp->setup, find_node(c->doc, "pipeline", "setup"),
	    "pipeline.setup", used);
	check_placeholders(c, m, sp->teardown, find_node(c->doc, "pipeline", "teardown"),
	    "pipeline.teardown", used);
	check_placeholders(c, m, sp->rows_template, find_node(c->doc, "rows", NULL), "rows",
	    used);
	for (int i = 0; i < sp->nstages; i++) {
		yaml_node_t *item = seq->type == YAML_SEQUENCE_NODE ?
		    yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]) : seq;
		char *path = xasprintf("pipeline.stages[%d]", i);

		check_placeholders(c, m, sp->stages[i].run, map_get(c->doc, item, "run"), path,
		    used);
		check_placeholders(c, m, sp->stages[i].prepare, map_get(c->doc, item, "prepare"),
		    path, used);
		free(path);
	}
	for (int i = 0; i < sp->nenv; i++) {
		char *name = xstrndup(sp->env[i], strcspn(sp->env[i], "="));
		char *path = xasprintf("env.%s", name);

		check_placeholders(c, m, strchr(sp->env[i], '=') + 1, map_get(c->doc, env, name),
		    path, used);
		free(path);
		free(name);
	}
}

/* rows naming parameters makes a number of rows in every cell. */
static void
check_rows(struct ctx *c, struct spec *sp)
{
	const struct matrix *m = sp->matrix;

	for (int k = 0; sp->rows_template != NULL && k < m->ncells; k++) {
		char *v = matrix_subst(m, k, sp->rows_template), *cell;
		int64_t n;

		if (parse_int(v, &n) != 0 || n < 1) {
			cell = matrix_label(m, k);
			err_at(c, find_node(c->doc, "rows", NULL), "rows: '%s' makes '%s' at %s, "
			    "not a number of rows", sp->rows_template, v, cell);
			free(cell);
			free(v);
			return;
		}
		free(v);
	}
}

/* The matrix against the rest of the spec: how many cells, what names its parameters. */
static void
check_matrix(struct ctx *c, struct spec *sp)
{
	const struct matrix *m = sp->matrix;
	yaml_node_t *mn = find_node(c->doc, "matrix", NULL);
	int *used;

	if (m == NULL) {
		if (sp->rows_template != NULL)
			err_at(c, find_node(c->doc, "rows", NULL), "rows: expected an integer, "
			    "got '%s' ({name} takes a matrix section)", sp->rows_template);
		return;
	}
	if (m->nparams == 0 || c->nerrors > 0)
		return;
	if (m->ncells == 0) {
		err_at(c, mn, "matrix: more than %d cells", MATRIX_MAX_CELLS);
		return;
	}
	if (m->ncells > MATRIX_SANE_CELLS && m->confirm_cells != m->ncells) {
		int64_t most = m->repetitions == MATRIX_REPS_AUTO ? 30 : m->repetitions;

		err_at(c, mn, "matrix: %d cells, each profiled %s%lld times (up to %lld runs "
		    "of the pipeline): more than %d need matrix.confirm_cells: %d", m->ncells,
		    m->repetitions == MATRIX_REPS_AUTO ? "6 to " : "", (long long)most,
		    (long long)most * m->ncells, MATRIX_SANE_CELLS, m->ncells);
	}
	if (m->concurrency != NULL) {
		int p = matrix_param_index(m, m->concurrency, strlen(m->concurrency));

		if (p < 0 || !m->params[p].numeric)
			err_at(c, find_node(c->doc, "matrix", "concurrency"), "matrix.concurrency: "
			    "'%s' is not a numeric parameter of the matrix", m->concurrency);
	}
	used = xcalloc((size_t)m->nparams, sizeof *used);
	check_templates(c, sp, used);
	for (int p = 0; p < m->nparams; p++)
		if (!used[p])
			err_at(c, key_node(c->doc, find_node(c->doc, "matrix", "parameters"),
			    m->params[p].name), "matrix.parameters.%s: "
			    "declared, but no command, env value, setup, teardown or rows names "
			    "{%s}", m->params[p].name, m->params[p].name);
	free(used);
	check_rows(c, sp);
}

static void
check_cross(struct ctx *c, struct spec *sp, const char *base)
{
	yaml_node_t *seq = find_node(c->doc, "pipeline", "stages");

	if (sp->version != 0 && sp->version != SPEC_VERSION)
		err_at(c, find_node(c->doc, "version", NULL), "version: unsupported "
		    "version %lld (this perfd reads version %d)", (long long)sp->version,
		    SPEC_VERSION);
	if (sp->name != NULL && !valid_name(sp->name))
		err_at(c, find_node(c->doc, "name", NULL), "name: '%s' is not a valid "
		    "name (1 to 64 characters of a-z 0-9 . _ -)", sp->name);
	for (int i = 0; i < sp->nstages; i++) {
		const char *nm = sp->stages[i].name;
		yaml_node_t *item = seq->type == YAML_SEQUENCE_NODE ?
		    yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]) : seq;

		if (nm == NULL)
			continue;
		if (!valid_name(nm)) {
			err_at(c, item, "pipeline.stages[%d].name: '%s' is not a valid "
			    "stage name (1 to 64 characters of a-z 0-9 . _ -)", i, nm);
			continue;
		}
		if (reserved_name(nm)) {
			err_at(c, item, "pipeline.stages[%d].name: '%s' is reserved (perfd "
			    "names its own files and folders so: %s)", i, nm, RESERVED_LIST);
			continue;
		}
		check_fetch(c, &sp->stages[i], i, map_get(c->doc, item, "fetch"));
		for (int j = 0; j < i; j++) {
			if (sp->stages[j].name != NULL && strcmp(sp->stages[j].name, nm) == 0) {
				err_at(c, item, "pipeline.stages[%d].name: duplicate stage "
				    "name '%s' (also stages[%d])", i, nm, j);
				break;
			}
		}
	}
	check_stage_ref(c, sp, sp->hypothesis, "hypothesis", NULL, "hypothesis");
	check_stage_ref(c, sp, sp->client_stage, "client", "stage", "client.stage");
	check_stage_ref(c, sp, sp->batch_stage, "batch", "stage", "batch.stage");
	if (sp->batch_command != NULL && strstr(sp->batch_command, "{batch}") == NULL)
		err_at(c, find_node(c->doc, "batch", "command"), "batch.command: must "
		    "contain '{batch}' where the batch size goes");
	check_database(c, sp);
	check_matrix(c, sp);
	if (sp->db_table != NULL && !table_name(sp->db_table))
		err_at(c, find_node(c->doc, "database", "table"), "database.table: "
		    "'%s' is not a table name (letters, digits and _, not starting with "
		    "a digit; a schema before a dot where the kind has schemas)",
		    sp->db_table);
	if (c->nerrors == 0) {
		struct stat st;
		const char *given = sp->workdir != NULL ? sp->workdir : ".";
		char *wd = path_absolute(base, given);

		if (stat(wd, &st) != 0 || !S_ISDIR(st.st_mode))
			err_at(c, find_node(c->doc, "workdir", NULL), "workdir: '%s' is not "
			    "a folder (relative paths start at the spec's folder)", given);
		free(sp->workdir);
		sp->workdir = wd;
	}
}

static void
set_defaults(struct spec *sp)
{
	sp->warmup = 1;
	sp->repetitions = SPEC_REPS_AUTO;
	sp->timeout_ms = 60 * 1000;
	sp->agents_timeout_ms = 30 * 60 * 1000;
}

static void
finish_defaults(struct spec *sp)
{
	if (sp->has_batch && sp->nbatch_sizes == 0) {
		sp->nbatch_sizes = (int)PERFD_ARRAY_LEN(default_batch_sizes);
		sp->batch_sizes = xmalloc(sizeof default_batch_sizes);
		memcpy(sp->batch_sizes, default_batch_sizes, sizeof default_batch_sizes);
	}
	if (sp->db_path != NULL && sp->db_path[0] != '/') {
		char *p = path_join(sp->workdir, sp->db_path);

		free(sp->db_path);
		sp->db_path = p;
	}
}

/*
 * Before libyaml builds the document: one pass over its events, linear in
 * the text, that refuses what would make building or walking it costly or
 * ambiguous — nesting deeper than a spec ever is (1 MiB of "[[[" took
 * libyaml's loader over ten minutes), more nodes than a spec ever has, and
 * a second document (which the loader would silently ignore). YAML syntax
 * errors are left to the loader, which reports them the same way.
 */
static int
prescan(struct ctx *c, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, docs = 0, rc = 0;
	long nodes = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc == 0 && yaml_parser_parse(&parser, &ev)) {
		size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
		yaml_event_type_t t = ev.type;

		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			buf_printf(&c->errors, "%s:%zu:%zu: a second YAML document: a spec "
			    "is one document (remove the '---' and what follows, or "
			    "split it into two specs)\n", c->file, line, col);
			rc = -1;
		} else if ((t == YAML_MAPPING_START_EVENT ||
		    t == YAML_SEQUENCE_START_EVENT) && ++depth > SPEC_MAX_DEPTH) {
			buf_printf(&c->errors, "%s:%zu:%zu: nested more than %d levels "
			    "deep: a spec never is\n", c->file, line, col, SPEC_MAX_DEPTH);
			rc = -1;
		} else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT)
			depth--;
		if (rc == 0 && (t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT ||
		    t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) &&
		    ++nodes > SPEC_MAX_EVENTS) {
			buf_printf(&c->errors, "%s:%zu:%zu: more than %d keys and values: "
			    "a spec never has that many\n", c->file, line, col,
			    SPEC_MAX_EVENTS);
			rc = -1;
		}
	}
	yaml_parser_delete(&parser);
	if (rc != 0)
		c->nerrors++;
	return rc;
}

struct spec *
spec_parse_text(const char *name, const char *base, const char *text,
    size_t len, const struct spec_kinds *kinds, char **errors)
{
	struct ctx c = { .file = name, .kinds = kinds };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct spec *sp = xcalloc(1, sizeof *sp);
	int loaded = 0;

	set_defaults(sp);
	if (len > SPEC_MAX_BYTES) {
		buf_printf(&c.errors, "%s:1:1: the file is %zu bytes, over the 1 MiB "
		    "limit\n", name, len);
		goto fail;
	}
	if (prescan(&c, text, len) != 0)
		goto fail;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		buf_printf(&c.errors, "%s:%zu:%zu: not valid YAML: %s%s%s\n", name,
		    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "parse error",
		    parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		goto fail;
	}
	yaml_parser_delete(&parser);
	loaded = 1;
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || (root->type == YAML_SCALAR_NODE && scalar_is_null(root))) {
		buf_printf(&c.errors, "%s:1:1: the file is empty (expected a "
		    "version 1 spec; see docs/spec.md)\n", name);
		goto fail;
	}
	if (root->type != YAML_MAPPING_NODE) {
		err_at(&c, root, "expected a mapping of keys at the top level, got %s",
		    node_kind(root));
		goto fail;
	}
	walk_map(&c, root, top_keys, sp, "");
	check_cross(&c, sp, base);
	if (c.nerrors > 0)
		goto fail;
	finish_defaults(sp);
	yaml_document_delete(&doc);
	*errors = NULL;
	return sp;
fail:
	if (loaded)
		yaml_document_delete(&doc);
	spec_free(sp);
	*errors = c.errors.p != NULL ? c.errors.p : xstrdup("unknown error\n");
	return NULL;
}

struct spec *
spec_parse_file(const char *path, const struct spec_kinds *kinds, char **errors)
{
	struct stat st;
	char *text, *cause = NULL, *dir, *abs;
	size_t len;
	struct spec *sp;

	if (stat(path, &st) == 0 && st.st_size > SPEC_MAX_BYTES) {
		*errors = xasprintf("%s:1:1: the file is %lld bytes, over the 1 MiB "
		    "limit\n", path, (long long)st.st_size);
		return NULL;
	}
	text = file_read(path, SPEC_MAX_BYTES, &len, &cause);
	if (text == NULL) {
		*errors = xasprintf("%s\n", cause);
		free(cause);
		return NULL;
	}
	abs = path_absolute(NULL, path);
	dir = path_dirname(abs);
	sp = spec_parse_text(path, dir, text, len, kinds, errors);
	free(abs);
	free(dir);
	free(text);
	return sp;
}

void
spec_free(struct spec *sp)
{
	if (sp == NULL)
		return;
	free(sp->name);
	free(sp->description);
	free(sp->hypothesis);
	free(sp->workdir);
	for (int i = 0; i < sp->nenv; i++)
		free(sp->env[i]);
	free(sp->env);
	free(sp->setup);
	free(sp->teardown);
	for (int i = 0; i < sp->nstages; i++) {
		free(sp->stages[i].name);
		free(sp->stages[i].run);
		free(sp->stages[i].prepare);
		free(sp->stages[i].fetch_url);
		free(sp->stages[i].fetch_output);
		free(sp->stages[i].concurrency);
	}
	free(sp->stages);
	free(sp->db_kind);
	free(sp->db_path);
	free(sp->db_dsn);
	if (sp->db_secret != NULL)
		explicit_bzero(sp->db_secret, strlen(sp->db_secret));
	free(sp->db_secret);
	free(sp->db_table);
	for (int i = 0; i < sp->ndb_pragmas; i++)
		free(sp->db_pragmas[i]);
	free(sp->db_pragmas);
	free(sp->client_stage);
	free(sp->batch_stage);
	free(sp->batch_command);
	free(sp->batch_sizes);
	free(sp->rows_template);
	if (sp->matrix != NULL)
		matrix_free(sp->matrix);
	free(sp);
}

int
spec_stage_index(const struct spec *sp, const char *name)
{
	for (int i = 0; i < sp->nstages; i++) {
		if (sp->stages[i].name != NULL && strcmp(sp->stages[i].name, name) == 0)
			return i;
	}
	return -1;
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
}

static void
add_ms(cJSON *o, const char *k, int64_t ms)
{
	char s[32];

	snprintf(s, sizeof s, "%lldms", (long long)ms);
	cJSON_AddStringToObject(o, k, s);
}

static cJSON *
int_array(const int64_t *v, int n)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
	return a;
}

/*
 * The JSON uses the spec's own key names and is itself a valid spec (JSON
 * is YAML), so agents read spec.json back through spec_parse_file.
 */
/* "NAME=value" entries as the members of object key of o. */
static void
add_pairs(cJSON *o, const char *key, char *const *entries, int n)
{
	cJSON *obj = cJSON_AddObjectToObject(o, key);

	for (int i = 0; i < n; i++) {
		char *k = xstrdup(entries[i]), *eq = strchr(k, '=');

		*eq = '\0';
		cJSON_AddStringToObject(obj, k, eq + 1);
		free(k);
	}
}

static cJSON *
stage_json(const struct spec_stage *st)
{
	cJSON *so = cJSON_CreateObject(), *sub;

	add_str(so, "name", st->name);
	add_str(so, "run", st->run);
	add_str(so, "prepare", st->prepare);
	if (st->fetch_url != NULL) {
		sub = cJSON_AddObjectToObject(so, "fetch");
		add_str(sub, "url", st->fetch_url);
		add_str(sub, "output", st->fetch_output);
		if (st->fetch_outside)
			cJSON_AddTrueToObject(sub, "outside_workdir");
	}
	if (st->nconcurrency > 0)
		cJSON_AddItemToObject(so, "concurrency",
		    int_array(st->concurrency, st->nconcurrency));
	if (st->threshold_pct >= 0) {
		char t[32];

		snprintf(t, sizeof t, "%g%%", st->threshold_pct);
		cJSON_AddStringToObject(so, "threshold", t);
	}
	return so;
}

/* The matrix section, its values as strings and its cells listed when the spec listed them. */
static void
matrix_json(cJSON *o, const struct matrix *m)
{
	cJSON *mo = cJSON_AddObjectToObject(o, "matrix");
	cJSON *params = cJSON_AddObjectToObject(mo, "parameters"), *cells;

	for (int p = 0; p < m->nparams; p++) {
		cJSON *a = cJSON_AddArrayToObject(params, m->params[p].name);

		for (int v = 0; v < m->params[p].nvalues; v++)
			cJSON_AddItemToArray(a, cJSON_CreateString(m->params[p].values[v]));
	}
	if (m->listed) {
		cells = cJSON_AddArrayToObject(mo, "cells");
		for (int k = 0; k < m->ncells; k++) {
			cJSON *cell = cJSON_CreateObject();

			for (int p = 0; p < m->nparams; p++)
				cJSON_AddStringToObject(cell, m->params[p].name, matrix_value(m, k, p));
			cJSON_AddItemToArray(cells, cell);
		}
	}
	if (m->repetitions == MATRIX_REPS_AUTO)
		cJSON_AddStringToObject(mo, "repetitions", "auto");
	else
		cJSON_AddNumberToObject(mo, "repetitions", (double)m->repetitions);
	if (m->seed > 0)
		cJSON_AddNumberToObject(mo, "seed", (double)m->seed);
	add_str(mo, "concurrency", m->concurrency);
	if (m->confirm_cells > 0)
		cJSON_AddNumberToObject(mo, "confirm_cells", (double)m->confirm_cells);
}

char *
spec_to_json(const struct spec *sp)
{
	cJSON *o = cJSON_CreateObject(), *p, *a, *sub;
	char *s;

	cJSON_AddNumberToObject(o, "version", (double)sp->version);
	add_str(o, "name", sp->name);
	add_str(o, "description", sp->description);
	add_str(o, "hypothesis", sp->hypothesis);
	add_str(o, "workdir", sp->workdir);
	if (sp->nenv > 0)
		add_pairs(o, "env", sp->env, sp->nenv);
	if (sp->rows_template != NULL)
		cJSON_AddStringToObject(o, "rows", sp->rows_template);
	else if (sp->rows > 0)
		cJSON_AddNumberToObject(o, "rows", (double)sp->rows);
	p = cJSON_AddObjectToObject(o, "pipeline");
	cJSON_AddNumberToObject(p, "warmup", (double)sp->warmup);
	if (sp->repetitions == SPEC_REPS_AUTO)
		cJSON_AddStringToObject(p, "repetitions", "auto");
	else
		cJSON_AddNumberToObject(p, "repetitions", (double)sp->repetitions);
	add_ms(p, "timeout", sp->timeout_ms);
	add_str(p, "setup", sp->setup);
	add_str(p, "teardown", sp->teardown);
	a = cJSON_AddArrayToObject(p, "stages");
	for (int i = 0; i < sp->nstages; i++)
		cJSON_AddItemToArray(a, stage_json(&sp->stages[i]));
	if (sp->has_database) {
		sub = cJSON_AddObjectToObject(o, "database");
		add_str(sub, "kind", sp->db_kind);
		add_str(sub, "path", sp->db_path);
		add_str(sub, "dsn", sp->db_dsn);
		add_str(sub, "table", sp->db_table);
		if (sp->ndb_pragmas > 0)
			add_pairs(sub, "pragmas", sp->db_pragmas, sp->ndb_pragmas);
	}
	if (sp->client_stage != NULL) {
		sub = cJSON_AddObjectToObject(o, "client");
		add_str(sub, "stage", sp->client_stage);
	}
	if (sp->has_batch) {
		sub = cJSON_AddObjectToObject(o, "batch");
		add_str(sub, "stage", sp->batch_stage);
		add_str(sub, "command", sp->batch_command);
		if (sp->batch_current > 0)
			cJSON_AddNumberToObject(sub, "current", (double)sp->batch_current);
		cJSON_AddItemToObject(sub, "sizes", int_array(sp->batch_sizes,
		    sp->nbatch_sizes));
	}
	sub = cJSON_AddObjectToObject(o, "agents");
	add_ms(sub, "timeout", sp->agents_timeout_ms);
	if (sp->budget_ms > 0)
		add_ms(o, "budget", sp->budget_ms);
	if (sp->matrix != NULL)
		matrix_json(o, sp->matrix);
	s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

int
spec_reps(const struct spec *sp, int fallback)
{
	return sp->repetitions == SPEC_REPS_AUTO ? fallback : (int)sp->repetitions;
}

