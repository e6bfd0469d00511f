/* matrix.c - a parameter matrix: the cells at which a pipeline is profiled. */
#include "matrix.h"
#include "spec.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *
matrix_value(const struct matrix *m, int c, int p)
{
	return m->params[p].values[m->cells[c * m->nparams + p]];
}

double
matrix_number(const struct matrix *m, int c, int p)
{
	return m->params[p].numeric ? strtod(matrix_value(m, c, p), NULL) : 0;
}

int
matrix_param_index(const struct matrix *m, const char *name, size_t len)
{
	for (int p = 0; p < m->nparams; p++)
		if (strlen(m->params[p].name) == len && strncmp(m->params[p].name, name, len) == 0)
			return p;
	return -1;
}

/* The length of a placeholder's name at s (after its '{', up to its '}'), or 0. */
static size_t
placeholder_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return s[n] == '}' ? n : 0;
}

void
matrix_scan(const char *text, void (*fn)(void *, const char *, size_t), void *arg)
{
	for (const char *s = text; (s = strchr(s, '{')) != NULL; s++) {
		size_t n;

		if (s > text && s[-1] == '$')
			continue;
		if ((n = placeholder_len(s + 1)) > 0)
			fn(arg, s + 1, n);
	}
}

char *
matrix_subst(const struct matrix *m, int c, const char *text)
{
	struct buf b = { 0 };
	const char *s = text;

	for (const char *o; (o = strchr(s, '{')) != NULL; ) {
		size_t n = o > text && o[-1] == '$' ? 0 : placeholder_len(o + 1);
		int p = n > 0 ? matrix_param_index(m, o + 1, n) : -1;

		if (p < 0) {
			buf_printf(&b, "%.*s", (int)(o + 1 - s), s);
			s = o + 1;
			continue;
		}
		buf_printf(&b, "%.*s%s", (int)(o - s), s, matrix_value(m, c, p));
		s = o + n + 2;
	}
	buf_puts(&b, s);
	return b.p != NULL ? b.p : xstrdup("");
}

char *
matrix_label(const struct matrix *m, int c)
{
	struct buf b = { 0 };

	for (int p = 0; p < m->nparams; p++)
		buf_printf(&b, "%s%s=%s", p > 0 ? " " : "", m->params[p].name, matrix_value(m, c, p));
	return b.p != NULL ? b.p : xstrdup("");
}

/* Member key of o, a string, with cell c's values in it (absent: nothing). */
static void
subst_member(const struct matrix *m, int c, cJSON *o, const char *key)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	char *v;

	if (!cJSON_IsString(it))
		return;
	v = matrix_subst(m, c, it->valuestring);
	cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(v));
	free(v);
}

struct spec *
matrix_cell_spec(const struct spec *sp, int c, char **why)
{
	const struct matrix *m = sp->matrix;
	char *json = spec_to_json(sp), *text, *errors = NULL, *rows;
	cJSON *o = cJSON_Parse(json), *pl, *env, *it, *next;
	struct spec *cell;

	free(json);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "matrix");
	if (sp->rows_template != NULL) {
		rows = matrix_subst(m, c, sp->rows_template);
		cJSON_ReplaceItemInObjectCaseSensitive(o, "rows", cJSON_CreateNumber(atof(rows)));
		free(rows);
	}
	pl = cJSON_GetObjectItemCaseSensitive(o, "pipeline");
	subst_member(m, c, pl, "setup");
	subst_member(m, c, pl, "teardown");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(pl, "stages")) {
		subst_member(m, c, it, "run");
		subst_member(m, c, it, "prepare");
	}
	env = cJSON_GetObjectItemCaseSensitive(o, "env");
	/* A replaced member is freed: its successor is taken first. */
	for (it = env != NULL ? env->child : NULL; it != NULL; it = next) {
		next = it->next;
		subst_member(m, c, env, it->string);
	}
	text = cJSON_Print(o);
	cJSON_Delete(o);
	cell = spec_parse_text("matrix cell", sp->workdir, text, strlen(text), NULL, &errors);
	free(text);
	if (cell == NULL) {
		char *label = matrix_label(m, c);

		*why = xasprintf("the spec at %s: %s", label, errors);
		free(label);
		free(errors);
		return NULL;
	}
	/* Never in spec.json: carried over as the spec holds it. */
	if (sp->db_secret != NULL)
		cell->db_secret = xstrdup(sp->db_secret);
	return cell;
}

void
matrix_shuffle(int *order, int n, uint32_t seed)
{
	uint32_t s = seed != 0 ? seed : 1;

	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j, t;

		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		j = (int)(s % (uint32_t)(i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

void
matrix_free(struct matrix *m)
{
	for (int p = 0; p < m->nparams; p++) {
		free(m->params[p].name);
		for (int v = 0; v < m->params[p].nvalues; v++)
			free(m->params[p].values[v]);
		free(m->params[p].values);
	}
	free(m->params);
	free(m->cells);
	free(m->concurrency);
	free(m);
}
