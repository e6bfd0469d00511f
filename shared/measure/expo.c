/* expo.c - the Prometheus / OpenMetrics text exposition format, read. */
#include "expo.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The families' types by name: open addressing on FNV-1a, at most half full. */
struct families {
	char		**name;
	enum expo_type	*type;
	size_t		 mask, n;
};

static uint64_t
fnv(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The slot of name (len bytes): its own, or the empty one it would take. */
static size_t
families_slot(const struct families *f, const char *name, size_t len)
{
	size_t i = (size_t)fnv(name, len) & f->mask;

	while (f->name[i] != NULL && (strlen(f->name[i]) != len ||
	    memcmp(f->name[i], name, len) != 0))
		i = (i + 1) & f->mask;
	return i;
}

static void
families_grow(struct families *f)
{
	struct families g = { 0 };

	g.mask = f->mask == 0 ? 63 : f->mask * 2 + 1;
	g.name = xcalloc(g.mask + 1, sizeof *g.name);
	g.type = xcalloc(g.mask + 1, sizeof *g.type);
	for (size_t i = 0; f->name != NULL && i <= f->mask; i++)
		if (f->name[i] != NULL) {
			size_t j = families_slot(&g, f->name[i], strlen(f->name[i]));

			g.name[j] = f->name[i];
			g.type[j] = f->type[i];
		}
	g.n = f->n;
	free(f->name);
	free(f->type);
	*f = g;
}

static void
families_set(struct families *f, const char *name, size_t len, enum expo_type t)
{
	size_t i;

	if (2 * (f->n + 1) > f->mask)
		families_grow(f);
	i = families_slot(f, name, len);
	if (f->name[i] == NULL) {
		f->name[i] = xstrndup(name, len);
		f->n++;
	}
	f->type[i] = t;
}

/* The family a sample name belongs to: itself, or itself less a suffix its type adds. */
static const char *
families_find(const struct families *f, const char *name, enum expo_type *t)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count", "_total",
	    "_created", "_gsum", "_gcount", "_info", NULL };
	size_t len = strlen(name), i;

	if (f->mask == 0)
		return NULL;
	i = families_slot(f, name, len);
	for (int k = 0; f->name[i] == NULL && suffixes[k] != NULL; k++) {
		size_t sl = strlen(suffixes[k]);

		if (len > sl && strcmp(name + len - sl, suffixes[k]) == 0)
			i = families_slot(f, name, len - sl);
	}
	if (f->name[i] == NULL)
		return NULL;
	*t = f->type[i];
	return f->name[i];
}

static void
families_free(struct families *f)
{
	for (size_t i = 0; f->name != NULL && i <= f->mask; i++)
		free(f->name[i]);
	free(f->name);
	free(f->type);
}

static const char *const type_names[] = { "untyped", "counter", "gauge", "histogram",
	"summary", "info", "stateset", "gaugehistogram" };

const char *
expo_type_name(enum expo_type t)
{
	return type_names[t];
}

/* A metric name at s ([a-zA-Z_:][a-zA-Z0-9_:]*): its length, 0 when none. */
static size_t
name_len(const char *s, int colon)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_' || (colon && s[0] == ':')))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' || (colon && s[n] == ':'))
		n++;
	return n;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "# TYPE name type": the family's type set; other comments skipped. 0, or -1 with *why. */
static int
comment(const char *s, struct families *f, const char **why)
{
	size_t n;

	s = skip_blanks(s + 1);
	if (strncmp(s, "TYPE", 4) != 0 || (s[4] != ' ' && s[4] != '\t'))
		return 0;
	s = skip_blanks(s + 4);
	if ((n = name_len(s, 1)) == 0) {
		*why = "# TYPE without a metric name";
		return -1;
	}
	for (int t = 0; t < (int)PERFD_ARRAY_LEN(type_names); t++) {
		const char *v = skip_blanks(s + n);

		if (strcmp(v, type_names[t]) == 0 || (t == 0 && strcmp(v, "unknown") == 0)) {
			families_set(f, s, n, (enum expo_type)t);
			return 0;
		}
	}
	*why = "# TYPE with an unknown type";
	return -1;
}

/* One label value after its opening quote, unescaped into v; the position after its quote, or NULL. */
static const char *
label_value(const char *s, struct buf *v)
{
	for (; *s != '\0' && *s != '"'; s++) {
		if (*s != '\\') {
			buf_add(v, s, 1);
			continue;
		}
		s++;
		if (*s == 'n')
			buf_add(v, "\n", 1);
		else if (*s == '\\' || *s == '"')
			buf_add(v, s, 1);
		else
			return NULL;	/* the format knows no other escape */
	}
	return *s == '"' ? s + 1 : NULL;
}

struct label {
	char	*name, *value;
};

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name, ((const struct label *)b)->name);
}

/* value escaped as the format writes it, onto b. */
static void
escape_onto(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '\n')
			buf_puts(b, "\\n");
		else if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else
			buf_add(b, v, 1);
}

/* Labels sorted by name, joined: the canonical text (caller frees). NULL on a duplicate name. */
static char *
labels_canonical(struct label *l, int n)
{
	struct buf b = { 0 };

	qsort(l, (size_t)n, sizeof *l, label_cmp);
	for (int i = 0; i < n; i++) {
		if (i > 0 && strcmp(l[i - 1].name, l[i].name) == 0) {
			buf_free(&b);
			return NULL;
		}
		buf_printf(&b, "%s%s=\"", i > 0 ? "," : "", l[i].name);
		escape_onto(&b, l[i].value);
		buf_puts(&b, "\"");
	}
	return b.p != NULL ? b.p : xstrdup("");
}

/* "{a="x",b="y"}" at s (after the name): *out canonical; the position after '}', or NULL with *why. */
static const char *
labels(const char *s, char **out, const char **why)
{
	struct label l[EXPO_MAX_LABELS];
	int n = 0;

	s = skip_blanks(s + 1);
	while (*s != '}') {
		struct buf v = { 0 };
		size_t k = name_len(s, 0);

		if (k == 0 || n == EXPO_MAX_LABELS) {
			*why = n == EXPO_MAX_LABELS ? "more than 64 labels" : "a bad label name";
			goto fail;
		}
		l[n].name = xstrndup(s, k);
		s = skip_blanks(s + k);
		if (*s != '=' || *(s = skip_blanks(s + 1)) != '"' || (s = label_value(s + 1,
		    &v)) == NULL) {
			free(l[n].name);
			buf_free(&v);
			*why = "a bad label value (a quoted string with \\\\, \\\" or \\n escapes)";
			goto fail;
		}
		l[n++].value = v.p != NULL ? v.p : xstrdup("");
		s = skip_blanks(s);
		if (*s == ',')
			s = skip_blanks(s + 1);
		else if (*s != '}') {
			*why = "labels not closed by '}'";
			goto fail;
		}
	}
	if ((*out = labels_canonical(l, n)) == NULL)
		*why = "a label set twice";
	for (int i = 0; i < n; i++) {
		free(l[i].name);
		free(l[i].value);
	}
	return *out != NULL ? s + 1 : NULL;
fail:
	for (int i = 0; i < n; i++) {
		free(l[i].name);
		free(l[i].value);
	}
	return NULL;
}

/* A float token at s (+Inf, -Inf, NaN too) into *v: its end, or NULL. */
static const char *
number(const char *s, double *v)
{
	char *end;

	errno = 0;
	if (*s == '\0' || *s == ' ' || *s == '\t')
		return NULL;
	*v = strtod(s, &end);
	if (end == s || (*end != '\0' && *end != ' ' && *end != '\t'))
		return NULL;
	return end;
}

/*
 * A timestamp: Prometheus writes integer milliseconds, OpenMetrics
 * seconds (a fraction allowed). An integer under 1e11 is taken as seconds:
 * as milliseconds it would be before 1974.
 */
static int
timestamp(const char *s, int64_t *ms)
{
	double v;
	const char *end = number(s, &v);

	if (end == NULL || *skip_blanks(end) != '\0' || !isfinite(v))
		return -1;
	if (strpbrk(s, ".eE") != NULL || fabs(v) < 1e11)
		v *= 1000;
	/* Beyond int64 milliseconds (292 million years) it is no time at all. */
	if (fabs(v) > 9e18)
		return -1;
	*ms = (int64_t)v;
	return 0;
}

/* One sample line into x: 0, or -1 with *why. */
static int
sample(char *line, const struct families *f, struct expo *x, const char **why)
{
	struct expo_sample *e;
	char *lab = NULL, *ex;
	const char *s = line, *fam;
	size_t n = name_len(s, 1);
	double v;

	if (n == 0) {
		*why = "not a metric name";
		return -1;
	}
	if (s[n] == '{' && (s = labels(s + n, &lab, why)) == NULL)
		return -1;
	else if (lab == NULL)
		s += n;
	/* An exemplar (OpenMetrics) follows " # ": not a figure perfd uses. */
	if ((ex = strstr(s, " # ")) != NULL)
		*ex = '\0';
	if ((*s != ' ' && *s != '\t') || (s = number(skip_blanks(s), &v)) == NULL) {
		free(lab);
		*why = "no value (a number, +Inf, -Inf or NaN) after the name";
		return -1;
	}
	x->s = xrealloc(x->s, sizeof *x->s * (size_t)(x->n + 1));
	e = &x->s[x->n++];
	memset(e, 0, sizeof *e);
	e->name = xstrndup(line, n);
	e->labels = lab != NULL ? lab : xstrdup("");
	e->value = v;
	fam = families_find(f, e->name, &e->type);
	e->family = xstrdup(fam != NULL ? fam : e->name);
	s = skip_blanks(s);
	if (*s != '\0' && timestamp(s, &e->ts_ms) != 0) {
		*why = "a bad timestamp after the value";
		return -1;
	}
	e->has_ts = *s != '\0';
	return 0;
}

int
expo_parse(const char *text, size_t len, struct expo *x, char **cause)
{
	struct families f = { 0 };
	const char *why = NULL;
	char *copy, *line, *next;
	int lineno = 0, rc = 0;

	memset(x, 0, sizeof *x);
	if (len > EXPO_MAX_BYTES) {
		*cause = xasprintf("%zu bytes, over the %d MiB a scrape may be", len,
		    EXPO_MAX_BYTES >> 20);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		*cause = xstrdup("a NUL byte: not a text exposition");
		return -1;
	}
	copy = xstrndup(text, len);
	for (line = copy; rc == 0 && line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (*skip_blanks(line) == '\0')
			continue;
		if (*skip_blanks(line) == '#')
			rc = comment(skip_blanks(line), &f, &why);
		else if (x->n >= EXPO_MAX_SAMPLES) {
			why = "more than 200000 samples";
			rc = -1;
		} else
			rc = sample(line, &f, x, &why);
	}
	if (rc != 0) {
		*cause = xasprintf("line %d: %s", lineno, why);
		expo_free(x);
	}
	families_free(&f);
	free(copy);
	return rc;
}

void
expo_free(struct expo *x)
{
	for (int i = 0; i < x->n; i++) {
		free(x->s[i].name);
		free(x->s[i].labels);
		free(x->s[i].family);
	}
	free(x->s);
	memset(x, 0, sizeof *x);
}

char *
expo_label(const char *labels, const char *name)
{
	size_t n = strlen(name);
	struct buf v = { 0 };

	for (const char *s = labels; *s != '\0'; ) {
		const char *eq = strchr(s, '='), *end;

		if (eq == NULL || eq[1] != '"')
			return NULL;
		if ((size_t)(eq - s) == n && strncmp(s, name, n) == 0) {
			if (label_value(eq + 2, &v) == NULL) {
				buf_free(&v);
				return NULL;
			}
			return v.p != NULL ? v.p : xstrdup("");
		}
		end = label_value(eq + 2, &v);
		buf_free(&v);
		if (end == NULL)
			return NULL;
		s = *end == ',' ? end + 1 : end;
	}
	return NULL;
}
