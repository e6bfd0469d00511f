/* rules.c - tuning rules loaded from a YAML data file (agents/rules/). */
#include "rules.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

static const char *
sval(yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *
get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		const char *k = sval(yaml_document_get_node(d, p->key));

		if (k != NULL && strcmp(k, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

/* {setting: [v, ...]} or {setting: v} into conds. */
static int
conds(yaml_document_t *d, yaml_node_t *map, struct cond **out, int *n)
{
	if (map == NULL)
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return -1;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *v = yaml_document_get_node(d, p->value);
		struct cond *c;

		*out = xrealloc(*out, sizeof **out * (size_t)(*n + 1));
		c = &(*out)[(*n)++];
		memset(c, 0, sizeof *c);
		c->setting = xstrdup(sval(yaml_document_get_node(d, p->key)));
		if (v->type == YAML_SCALAR_NODE) {
			c->values = xcalloc(1, sizeof *c->values);
			c->values[c->nvalues++] = xstrdup(sval(v));
			continue;
		}
		if (v->type != YAML_SEQUENCE_NODE)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			const char *s = sval(yaml_document_get_node(d, *it));

			if (s == NULL)
				return -1;
			c->values = xrealloc(c->values, sizeof *c->values * (size_t)(c->nvalues + 1));
			c->values[c->nvalues++] = xstrdup(s);
		}
	}
	return 0;
}

int
rules_load(const char *path, struct rules *rs, char **cause)
{
	size_t len;
	char *text = file_read(path, 1 << 20, &len, cause);
	yaml_parser_t parser;
	yaml_document_t d;
	yaml_node_t *seq;
	int rc = -1;

	memset(rs, 0, sizeof *rs);
	if (text == NULL)
		return -1;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &d)) {
		*cause = xasprintf("%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem);
		yaml_parser_delete(&parser);
		free(text);
		return -1;
	}
	yaml_parser_delete(&parser);
	seq = get(&d, yaml_document_get_root_node(&d), "rules");
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE) {
		*cause = xasprintf("%s: expected a 'rules' sequence", path);
		goto out;
	}
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(&d, *it);
		struct rule *r;

		rs->r = xrealloc(rs->r, sizeof *rs->r * (size_t)(rs->n + 1));
		r = &rs->r[rs->n++];
		memset(r, 0, sizeof *r);
		if (sval(get(&d, m, "setting")) == NULL || sval(get(&d, m, "recommend")) == NULL) {
			*cause = xasprintf("%s:%zu: a rule needs 'setting' and 'recommend'",
			    path, m->start_mark.line + 1);
			goto out;
		}
		r->setting = xstrdup(sval(get(&d, m, "setting")));
		r->recommend = xstrdup(sval(get(&d, m, "recommend")));
		r->rationale = xstrdup(sval(get(&d, m, "rationale")) ? sval(get(&d, m, "rationale")) : "");
		r->risk = xstrdup(sval(get(&d, m, "risk")) ? sval(get(&d, m, "risk")) : "");
		if (conds(&d, get(&d, m, "when"), &r->when, &r->nwhen) != 0 ||
		    conds(&d, get(&d, m, "requires"), &r->requires, &r->nrequires) != 0) {
			*cause = xasprintf("%s:%zu: 'when' and 'requires' map settings to "
			    "values", path, m->start_mark.line + 1);
			goto out;
		}
	}
	rc = 0;
out:
	yaml_document_delete(&d);
	free(text);
	if (rc != 0)
		rules_free(rs);
	return rc;
}

static void
free_conds(struct cond *c, int n)
{
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < c[i].nvalues; k++)
			free(c[i].values[k]);
		free(c[i].values);
		free(c[i].setting);
	}
	free(c);
}

void
rules_free(struct rules *rs)
{
	for (int i = 0; i < rs->n; i++) {
		free(rs->r[i].setting);
		free(rs->r[i].recommend);
		free(rs->r[i].rationale);
		free(rs->r[i].risk);
		free_conds(rs->r[i].when, rs->r[i].nwhen);
		free_conds(rs->r[i].requires, rs->r[i].nrequires);
	}
	free(rs->r);
	memset(rs, 0, sizeof *rs);
}

char *
rules_path(const char *name)
{
	const char *env = getenv("PERFD_RULES_DIR");
	char *p;

	if (env != NULL && env[0] != '\0')
		return path_join(env, name);
	p = path_join(PERFD_RULES_SRCDIR, name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return path_join(PERFD_RULES_DATADIR, name);
}
