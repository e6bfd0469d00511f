/* findings.c - the findings every agent writes (schema perfd.findings/1). */
#include "findings.h"
#include "spec.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *votes[] = { "optimize", "leave", "abstain" };
const char *const findings_statuses[FINDINGS_NSTATUS] = {
	"ok", "partial", "failed", "skipped"
};
static const char *efforts[] = { "low", "medium", "high" };
static const char *kinds[] = { "estimate", "probe", "pipeline" };

const char *
findings_kind_name(enum evidence k)
{
	return kinds[k];
}

int
findings_kind(const char *s)
{
	for (size_t i = 0; s != NULL && i < PERFD_ARRAY_LEN(kinds); i++)
		if (strcmp(s, kinds[i]) == 0)
			return (int)i;
	return -1;
}

const char *
findings_kind_phrase(enum evidence k)
{
	static const char *const phrase[] = {
		"an estimate, not measured",
		"measured on perfd's probe (its synthetic workload), bounded by the stage",
		"measured on the pipeline (its own commands re-run with the change)",
	};

	return phrase[k];
}

static int
in_list(const char *s, const char **list, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++) {
		if (strcmp(s, list[i]) == 0)
			return 1;
	}
	return 0;
}

int
findings_valid_vote(const char *s)
{
	return in_list(s, votes, PERFD_ARRAY_LEN(votes));
}

int
findings_valid_status(const char *s)
{
	return findings_status(s) != NULL;
}

const char *
findings_status(const char *s)
{
	for (int i = 0; s != NULL && i < FINDINGS_NSTATUS; i++)
		if (strcmp(s, findings_statuses[i]) == 0)
			return findings_statuses[i];
	return NULL;
}

struct findings *
findings_new(const char *agent, const char *status)
{
	struct findings *f = xcalloc(1, sizeof *f);

	f->agent = xstrdup(agent);
	f->status = xstrdup(status);
	return f;
}

void
findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	free(f->agent);
	free(f->status);
	free(f->headline);
	free(f->report);
	for (int i = 0; i < f->nvotes; i++) {
		free(f->votes[i].stage);
		free(f->votes[i].vote);
		free(f->votes[i].reason);
	}
	free(f->votes);
	for (int i = 0; i < f->nrecs; i++) {
		struct recommendation *r = &f->recs[i];

		free(r->id);
		free(r->title);
		free(r->stage);
		free(r->effort);
		free(r->bound);
		free(r->evidence);
		free(r->apply);
	}
	free(f->recs);
	for (int i = 0; i < f->nwarnings; i++)
		free(f->warnings[i]);
	free(f->warnings);
	cJSON_Delete(f->data);
	free(f);
}

void
findings_vote(struct findings *f, const char *stage, const char *vote,
    const char *fmt, ...)
{
	va_list ap;
	struct vote *v;

	f->votes = xrealloc(f->votes, sizeof *f->votes * (size_t)(f->nvotes + 1));
	v = &f->votes[f->nvotes++];
	v->stage = xstrdup(stage);
	v->vote = xstrdup(vote);
	va_start(ap, fmt);
	v->reason = xvasprintf(fmt, ap);
	va_end(ap);
}

struct recommendation *
findings_recommend(struct findings *f, const char *id, const char *stage,
    const char *title)
{
	struct recommendation *r;

	f->recs = xrealloc(f->recs, sizeof *f->recs * (size_t)(f->nrecs + 1));
	r = &f->recs[f->nrecs++];
	memset(r, 0, sizeof *r);
	r->id = xstrdup(id);
	r->stage = xstrdup(stage);
	r->title = xstrdup(title);
	r->local_speedup = 1;
	r->effort = xstrdup("medium");
	return r;
}

void
findings_warn(struct findings *f, const char *fmt, ...)
{
	va_list ap;

	f->warnings = xrealloc(f->warnings, sizeof *f->warnings *
	    (size_t)(f->nwarnings + 1));
	va_start(ap, fmt);
	f->warnings[f->nwarnings++] = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
add_opt(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* The members of "time", in the order written: d a double, l a long. */
static const struct {
	const char	*name;
	size_t		 off;
	char		 type;
} time_fields[] = {
	{ "wall_ms", offsetof(struct findings_time, wall_ms), 'd' },
	{ "lock_wait_ms", offsetof(struct findings_time, wait_ms), 'd' },
	{ "lock_held_ms", offsetof(struct findings_time, held_ms), 'd' },
	{ "timed_ms", offsetof(struct findings_time, timed_ms), 'd' },
	{ "untimed_ms", offsetof(struct findings_time, untimed_ms), 'd' },
	{ "prepare_ms", offsetof(struct findings_time, prepare_ms), 'd' },
	{ "prefixes", offsetof(struct findings_time, prefixes), 'l' },
	{ "prepares", offsetof(struct findings_time, prepares), 'l' },
};

static cJSON *
time_json(const struct findings_time *t)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < PERFD_ARRAY_LEN(time_fields); i++) {
		const char *at = (const char *)t + time_fields[i].off;

		cJSON_AddNumberToObject(o, time_fields[i].name, time_fields[i].type == 'd' ?
		    *(const double *)at : (double)*(const long *)at);
	}
	return o;
}

/* time: absent, or an object of non-negative numbers; else sets *cause. */
static void
parse_time(struct findings *f, const cJSON *o, char **cause)
{
	if (o == NULL)
		return;
	if (!cJSON_IsObject(o)) {
		*cause = xstrdup("'time' must be an object");
		return;
	}
	for (size_t i = 0; i < PERFD_ARRAY_LEN(time_fields); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, time_fields[i].name);
		char *at = (char *)&f->time + time_fields[i].off;

		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || !isfinite(v->valuedouble)) {
			*cause = xasprintf("time.%s: must be a number >= 0", time_fields[i].name);
			return;
		}
		if (time_fields[i].type == 'd')
			*(double *)at = v->valuedouble;
		else
			*(long *)at = (long)v->valuedouble;
	}
	f->time.known = 1;
}

char *
findings_to_json(const struct findings *f)
{
	cJSON *o = cJSON_CreateObject(), *a, *w;
	char *s;

	cJSON_AddStringToObject(o, "schema", FINDINGS_SCHEMA);
	cJSON_AddStringToObject(o, "agent", f->agent);
	cJSON_AddStringToObject(o, "status", f->status);
	add_opt(o, "headline", f->headline);
	add_opt(o, "report", f->report);
	a = cJSON_AddArrayToObject(o, "votes");
	for (int i = 0; i < f->nvotes; i++) {
		cJSON *v = cJSON_CreateObject();

		cJSON_AddStringToObject(v, "stage", f->votes[i].stage);
		cJSON_AddStringToObject(v, "vote", f->votes[i].vote);
		cJSON_AddStringToObject(v, "reason", f->votes[i].reason);
		cJSON_AddItemToArray(a, v);
	}
	a = cJSON_AddArrayToObject(o, "recommendations");
	for (int i = 0; i < f->nrecs; i++) {
		const struct recommendation *r = &f->recs[i];
		cJSON *ro = cJSON_CreateObject();

		cJSON_AddStringToObject(ro, "id", r->id);
		cJSON_AddStringToObject(ro, "title", r->title);
		cJSON_AddStringToObject(ro, "stage", r->stage);
		cJSON_AddNumberToObject(ro, "local_speedup", r->local_speedup);
		if (r->ci_hi > 0) {
			cJSON *ci = cJSON_AddArrayToObject(ro, "local_speedup_ci");

			cJSON_AddItemToArray(ci, cJSON_CreateNumber(r->ci_lo));
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(r->ci_hi));
		} else
			cJSON_AddNullToObject(ro, "local_speedup_ci");
		cJSON_AddStringToObject(ro, "evidence_kind", kinds[r->kind]);
		/* Kept for readers of the first schema: anything but an estimate. */
		cJSON_AddBoolToObject(ro, "measured", r->kind != EVIDENCE_ESTIMATE);
		add_opt(ro, "bound", r->bound);
		cJSON_AddStringToObject(ro, "effort", r->effort);
		add_opt(ro, "evidence", r->evidence);
		add_opt(ro, "apply", r->apply);
		cJSON_AddItemToArray(a, ro);
	}
	if (f->time.known)
		cJSON_AddItemToObject(o, "time", time_json(&f->time));
	w = cJSON_AddArrayToObject(o, "warnings");
	for (int i = 0; i < f->nwarnings; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(f->warnings[i]));
	if (f->data != NULL)
		cJSON_AddItemReferenceToObject(o, "data", f->data);
	s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

int
findings_write(const struct findings *f, const char *dir, char **cause)
{
	char *s = findings_to_json(f), *path = path_join(dir, INV_FINDINGS_FILE);
	int rc = file_write_atomic(path, s, strlen(s), cause);

	free(s);
	free(path);
	return rc;
}

/* A string member, or NULL; *bad set when present but not a string. */
static const char *
get_s(const cJSON *o, const char *k, int required, char **cause, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (v == NULL || cJSON_IsNull(v)) {
		if (required && *cause == NULL)
			*cause = xasprintf("%s: missing '%s'", where, k);
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		if (*cause == NULL)
			*cause = xasprintf("%s: '%s' must be a string", where, k);
		return NULL;
	}
	return v->valuestring;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A stage the spec names (any stage without a spec); else sets *cause. */
static int
known_stage(const struct spec *sp, const char *stage, const char *where, char **cause)
{
	if (sp == NULL || spec_stage_index(sp, stage) >= 0)
		return 1;
	*cause = xasprintf("%s: stage '%s' is not a stage of the spec", where, stage);
	return 0;
}

static void
parse_votes(struct findings *f, const struct spec *sp, const cJSON *a, char **cause)
{
	const cJSON *v;
	int i = 0;

	if (!cJSON_IsArray(a)) {
		*cause = xstrdup("'votes' must be an array");
		return;
	}
	cJSON_ArrayForEach(v, a) {
		char where[32];
		const char *stage, *vote, *reason;

		snprintf(where, sizeof where, "votes[%d]", i++);
		stage = get_s(v, "stage", 1, cause, where);
		vote = get_s(v, "vote", 1, cause, where);
		reason = get_s(v, "reason", 1, cause, where);
		if (*cause != NULL)
			return;
		if (!findings_valid_vote(vote)) {
			*cause = xasprintf("%s: vote '%s' is not optimize, leave or abstain",
			    where, vote);
			return;
		}
		if (!known_stage(sp, stage, where, cause))
			return;
		findings_vote(f, stage, vote, "%s", reason);
	}
}

/* local_speedup_ci: absent, null, or [lo, hi] with 0 < lo <= hi; else sets *cause. */
static void
parse_ci(const cJSON *ci, const char *where, double *lo, double *hi, char **cause)
{
	const cJSON *a = cJSON_GetArrayItem(ci, 0), *b = cJSON_GetArrayItem(ci, 1);

	if (ci == NULL || cJSON_IsNull(ci))
		return;
	if (!cJSON_IsArray(ci) || cJSON_GetArraySize(ci) != 2 || !cJSON_IsNumber(a) ||
	    !cJSON_IsNumber(b) || !(a->valuedouble > 0) || !(b->valuedouble >= a->valuedouble) ||
	    !isfinite(b->valuedouble)) {
		*cause = xasprintf("%s: 'local_speedup_ci' must be null or [lo, hi] with "
		    "0 < lo <= hi", where);
		return;
	}
	*lo = a->valuedouble;
	*hi = b->valuedouble;
}

static void
parse_recs(struct findings *f, const struct spec *sp, const cJSON *a, char **cause)
{
	const cJSON *v;
	int i = 0;

	if (!cJSON_IsArray(a)) {
		*cause = xstrdup("'recommendations' must be an array");
		return;
	}
	cJSON_ArrayForEach(v, a) {
		char where[48];
		const char *id, *title, *stage, *effort, *kind;
		const cJSON *k, *m;
		double lo = 0, hi = 0;
		struct recommendation *r;

		snprintf(where, sizeof where, "recommendations[%d]", i++);
		id = get_s(v, "id", 1, cause, where);
		title = get_s(v, "title", 1, cause, where);
		stage = get_s(v, "stage", 1, cause, where);
		effort = get_s(v, "effort", 1, cause, where);
		kind = get_s(v, "evidence_kind", 1, cause, where);
		k = cJSON_GetObjectItemCaseSensitive(v, "local_speedup");
		m = cJSON_GetObjectItemCaseSensitive(v, "measured");
		if (*cause == NULL && (!cJSON_IsNumber(k) || !(k->valuedouble > 0) ||
		    !isfinite(k->valuedouble)))
			*cause = xasprintf("%s: 'local_speedup' must be a number > 0", where);
		if (*cause == NULL && findings_kind(kind) < 0)
			*cause = xasprintf("%s: evidence_kind '%s' is not pipeline, probe or "
			    "estimate", where, kind);
		if (*cause == NULL && m != NULL && (!cJSON_IsBool(m) ||
		    cJSON_IsTrue(m) != (findings_kind(kind) != EVIDENCE_ESTIMATE)))
			*cause = xasprintf("%s: 'measured' must be true for pipeline and "
			    "probe evidence, false for an estimate", where);
		if (*cause == NULL && !in_list(effort, efforts, PERFD_ARRAY_LEN(efforts)))
			*cause = xasprintf("%s: effort '%s' is not low, medium or high",
			    where, effort);
		if (*cause == NULL)
			parse_ci(cJSON_GetObjectItemCaseSensitive(v, "local_speedup_ci"), where,
			    &lo, &hi, cause);
		if (*cause != NULL || !known_stage(sp, stage, where, cause))
			return;
		r = findings_recommend(f, id, stage, title);
		r->local_speedup = k->valuedouble;
		r->kind = (enum evidence)findings_kind(kind);
		free(r->effort);
		r->effort = xstrdup(effort);
		r->ci_lo = lo;
		r->ci_hi = hi;
		r->bound = dup_or_null(get_s(v, "bound", 0, cause, where));
		r->evidence = dup_or_null(get_s(v, "evidence", 0, cause, where));
		r->apply = dup_or_null(get_s(v, "apply", 0, cause, where));
	}
}

/* warnings: absent, or an array of strings; else sets *cause. */
static void
parse_warnings(struct findings *f, const cJSON *w, char **cause)
{
	const cJSON *item;
	int i = 0;

	if (w == NULL)
		return;
	if (!cJSON_IsArray(w)) {
		*cause = xstrdup("'warnings' must be an array of strings");
		return;
	}
	cJSON_ArrayForEach(item, w) {
		if (!cJSON_IsString(item)) {
			*cause = xasprintf("warnings[%d]: must be a string", i);
			return;
		}
		findings_warn(f, "%s", item->valuestring);
		i++;
	}
}

struct findings *
findings_parse(const char *text, const struct spec *sp, char **cause)
{
	cJSON *o = cJSON_Parse(text), *item;
	struct findings *f = NULL;
	const char *schema, *agent, *status;

	*cause = NULL;
	if (o == NULL || !cJSON_IsObject(o)) {
		*cause = xstrdup("not a JSON object");
		goto out;
	}
	schema = get_s(o, "schema", 1, cause, "findings");
	agent = get_s(o, "agent", 1, cause, "findings");
	status = get_s(o, "status", 1, cause, "findings");
	if (*cause != NULL)
		goto out;
	if (strcmp(schema, FINDINGS_SCHEMA) != 0) {
		*cause = xasprintf("schema '%s' is not %s", schema, FINDINGS_SCHEMA);
		goto out;
	}
	if (!findings_valid_status(status)) {
		*cause = xasprintf("status '%s' is not ok, partial, failed or skipped",
		    status);
		goto out;
	}
	f = findings_new(agent, status);
	f->headline = dup_or_null(get_s(o, "headline", 0, cause, "findings"));
	f->report = dup_or_null(get_s(o, "report", 0, cause, "findings"));
	if (*cause == NULL)
		parse_votes(f, sp, cJSON_GetObjectItemCaseSensitive(o, "votes"), cause);
	if (*cause == NULL)
		parse_recs(f, sp, cJSON_GetObjectItemCaseSensitive(o, "recommendations"),
		    cause);
	if (*cause == NULL)
		parse_warnings(f, cJSON_GetObjectItemCaseSensitive(o, "warnings"), cause);
	if (*cause == NULL)
		parse_time(f, cJSON_GetObjectItemCaseSensitive(o, "time"), cause);
	item = cJSON_DetachItemFromObjectCaseSensitive(o, "data");
	f->data = item;
	if (*cause != NULL) {
		findings_free(f);
		f = NULL;
	}
out:
	cJSON_Delete(o);
	return f;
}

struct findings *
findings_read(const char *path, const struct spec *sp, char **cause)
{
	size_t len;
	char *text = file_read(path, 16 << 20, &len, cause), *why = NULL;
	struct findings *f;

	if (text == NULL)
		return NULL;
	f = findings_parse(text, sp, &why);
	if (f == NULL) {
		*cause = xasprintf("%s: %s", path, why);
		free(why);
	}
	free(text);
	return f;
}
