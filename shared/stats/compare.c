/* compare.c - compare two investigations' raw runs: the regression gate. */
#include "compare.h"
#include "findings.h"
#include "investigation.h"
#include "paths.h"
#include "spec.h"
#include "store.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
stage_of(struct runset *r, const char *name)
{
	for (int i = 0; i < r->nstages; i++)
		if (strcmp(r->stages[i], name) == 0)
			return i;
	return -1;
}

static void
add_value(struct runset *r, int stage, double v)
{
	r->wall[stage] = xrealloc(r->wall[stage], sizeof (double) * (size_t)(r->n[stage] + 1));
	r->wall[stage][r->n[stage]++] = v;
}

/* Stages and thresholds from the spec (JSON text is a spec too). */
static int
load_spec(struct runset *r, const char *text, char **cause)
{
	char *errors = NULL;
	struct spec *sp = spec_parse_text(INV_SPEC_FILE, "/", text, strlen(text), NULL, &errors);

	if (sp == NULL) {
		*cause = xasprintf("%s: the stored spec does not parse: %s", r->label, errors);
		free(errors);
		return -1;
	}
	r->name = xstrdup(sp->name);
	r->nstages = sp->nstages;
	r->stages = xcalloc((size_t)sp->nstages, sizeof *r->stages);
	r->wall = xcalloc((size_t)sp->nstages, sizeof *r->wall);
	r->n = xcalloc((size_t)sp->nstages, sizeof *r->n);
	r->threshold = xcalloc((size_t)sp->nstages, sizeof *r->threshold);
	for (int i = 0; i < sp->nstages; i++) {
		r->stages[i] = xstrdup(sp->stages[i].name);
		r->threshold[i] = sp->stages[i].threshold_pct >= 0 ?
		    sp->stages[i].threshold_pct / 100 : -1;
	}
	spec_free(sp);
	return 0;
}

/*
 * profiling/runs.csv: counted, successful runs per stage; a run's total
 * when all its stages succeeded.
 */
static int
load_csv(struct runset *r, const char *path, char **cause)
{
	char *text = file_read(path, 256 << 20, NULL, cause), *save = NULL, *line;
	char *f[32], *h[32];
	int nh, crun, cwarm, cstage, cok, cwall, run = -1;
	double sum = 0;
	int complete = 0, seen = 0;

	if (text == NULL)
		return -1;
	line = strtok_r(text, "\n", &save);
	nh = line != NULL ? csv_split(line, h, 32) : 0;
	crun = csv_column(h, nh, "run");
	cwarm = csv_column(h, nh, "warmup");
	cstage = csv_column(h, nh, "stage");
	cok = csv_column(h, nh, "ok");
	cwall = csv_column(h, nh, "wall_ms");
	if (crun < 0 || cstage < 0 || cok < 0 || cwall < 0) {
		*cause = xasprintf("%s: not a perfd runs.csv", path);
		free(text);
		return -1;
	}
	r->total = xcalloc(1, sizeof *r->total);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		int n = csv_split(line, f, 32), s, rn;

		if (n != nh || (cwarm >= 0 && strcmp(f[cwarm], "1") == 0))
			continue;
		rn = atoi(f[crun]);
		if (rn != run) {
			if (run >= 0 && complete && seen == r->nstages) {
				r->total = xrealloc(r->total, sizeof *r->total * (size_t)(r->ntotal + 1));
				r->total[r->ntotal++] = sum;
			}
			run = rn;
			sum = 0;
			complete = 1;
			seen = 0;
		}
		s = stage_of(r, f[cstage]);
		if (s < 0)
			continue;
		seen++;
		if (strcmp(f[cok], "1") != 0) {
			complete = 0;
			continue;
		}
		add_value(r, s, atof(f[cwall]));
		sum += atof(f[cwall]);
	}
	if (run >= 0 && complete && seen == r->nstages) {
		r->total = xrealloc(r->total, sizeof *r->total * (size_t)(r->ntotal + 1));
		r->total[r->ntotal++] = sum;
	}
	free(text);
	return 0;
}

/* A file of an agent's folder in investigation folder dir (caller frees). */
static char *
agent_file(const char *dir, int agent, const char *name)
{
	char *sub = path_join(dir, inv_agents[agent].name), *p = path_join(sub, name);

	free(sub);
	return p;
}

static void
load_context(struct runset *r)
{
	char *path = agent_file(r->dir, INV_PROFILING, INV_FINDINGS_FILE), *cause = NULL;
	struct findings *f = findings_read(path, NULL, &cause);
	cJSON *ctx;

	free(path);
	free(cause);
	if (f != NULL && f->data != NULL &&
	    (ctx = cJSON_GetObjectItem(f->data, "context")) != NULL) {
		const char *cpu = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "cpu_model"));
		const char *commit = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "git_commit"));

		r->cpu = cpu != NULL ? xstrdup(cpu) : NULL;
		r->commit = commit != NULL ? xstrdup(commit) : NULL;
		r->cores = cJSON_IsNumber(cJSON_GetObjectItem(ctx, "cores")) ?
		    cJSON_GetObjectItem(ctx, "cores")->valueint : 0;
	}
	findings_free(f);
	path = path_join(r->dir, INV_MASTER_JSON);
	{
		char *text = file_read(path, 16 << 20, NULL, &cause);

		if (text != NULL)
			r->master = cJSON_Parse(text);
		free(text);
		free(cause);
	}
	free(path);
}

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
load_dir(struct runset *r, const char *dir, char **cause)
{
	char *spec = path_join(dir, INV_SPEC_FILE), *text, *csv;
	const char *slash;
	int rc;

	text = file_read(spec, 1 << 20, NULL, cause);
	free(spec);
	if (text == NULL) {
		char *c = *cause;

		*cause = xasprintf("%s is not an investigation folder (%s)", r->label, c);
		free(c);
		return -1;
	}
	r->dir = xstrdup(dir);
	slash = strrchr(dir, '/');
	r->id = xstrdup(slash != NULL && slash[1] != '\0' ? slash + 1 : dir);
	rc = load_spec(r, text, cause);
	free(text);
	if (rc != 0)
		return -1;
	csv = agent_file(dir, INV_PROFILING, INV_RUNS_FILE);
	rc = load_csv(r, csv, cause);
	free(csv);
	if (rc != 0)
		return -1;
	csv = agent_file(dir, INV_PROFILING, INV_MATRIX_CSV);
	rc = compare_matrix_load(r, csv, cause);
	free(csv);
	if (rc != 0)
		return -1;
	load_context(r);
	return 0;
}

int
compare_runset_load(const char *arg, const char *state_dir, struct runset *r, char **cause)
{
	char *state, *abs;
	struct store *st;
	cJSON *inv;
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->label = xstrdup(arg);
	if (is_dir(arg)) {
		abs = path_absolute(NULL, arg);
		rc = load_dir(r, abs, cause);
		free(abs);
		return rc;
	}
	state = paths_state_dir(state_dir, cause);
	st = state != NULL ? store_open(state, cause) : NULL;
	free(state);
	if (st == NULL)
		return -1;
	inv = store_get(st, arg);
	if (inv == NULL)
		*cause = xasprintf("no investigation %s (an ID from 'perfd list', or a "
		    "folder)", arg);
	else {
		const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(inv, "dir"));
		cJSON *t = cJSON_GetObjectItem(inv, "created_ms");

		if (dir == NULL || !is_dir(dir))
			*cause = xasprintf("investigation %s: its folder %s is gone", arg,
			    dir != NULL ? dir : "?");
		else
			rc = load_dir(r, dir, cause);
		r->when_ms = cJSON_IsNumber(t) ? t->valuedouble : 0;
	}
	cJSON_Delete(inv);
	store_close(st);
	return rc;
}

void
compare_runset_free(struct runset *r)
{
	for (int i = 0; i < r->nstages; i++) {
		free(r->stages[i]);
		free(r->wall[i]);
	}
	compare_matrix_free(r);
	free(r->stages);
	free(r->wall);
	free(r->n);
	free(r->threshold);
	free(r->total);
	free(r->label);
	free(r->id);
	free(r->name);
	free(r->dir);
	free(r->cpu);
	free(r->commit);
	cJSON_Delete(r->master);
	memset(r, 0, sizeof *r);
}

const char *
compare_verdict_name(enum verdict v)
{
	return v == V_FAIL ? "FAIL" : v == V_WARN ? "WARN" : "PASS";
}

/*
 * FAIL: slower by more than the threshold and significant (p < 0.05).
 * WARN: slower by more than the threshold, not significant.
 * PASS: otherwise; a significant slow-down under the threshold and a
 * significant speed-up are noted.
 */
static void
judge(struct cmp_row *c)
{
	int sig = c->test.p < 0.05;

	c->verdict = V_PASS;
	c->note = "";
	if (c->change > c->threshold)
		c->verdict = sig ? V_FAIL : V_WARN;
	else if (c->change > 0 && sig)
		c->note = "slower, within the threshold";
	else if (c->change < 0 && sig)
		c->note = "improved";
}

void
compare_row(struct cmp_row *c, const double *a, int na, const double *b, int nb, int p95)
{
	stats_compute(a, na, &c->base);
	stats_compute(b, nb, &c->cand);
	c->base_v = p95 ? c->base.p95 : c->base.median;
	c->cand_v = p95 ? c->cand.p95 : c->cand.median;
	c->change = c->base_v > 0 ? (c->cand_v - c->base_v) / c->base_v : 0;
	mwu_test(a, na, b, nb, &c->test);
	judge(c);
}

static char *
stage_list(const struct runset *r)
{
	struct buf b = { 0 };

	for (int i = 0; i < r->nstages; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", r->stages[i]);
	return b.p != NULL ? b.p : xstrdup("");
}

/* What BASE's master report predicted, next to what CAND measured. */
static void
predictions(struct comparison *c)
{
	cJSON *recs = c->base->master != NULL ?
	    cJSON_GetObjectItem(c->base->master, "recommendations") : NULL, *r;
	const struct cmp_row *total = &c->rows[c->nrows - 1];

	cJSON_ArrayForEach(r, recs) {
		const char *stage = cJSON_GetStringValue(cJSON_GetObjectItem(r, "stage"));
		cJSON *e2e = cJSON_GetObjectItem(r, "end_to_end_speedup");
		int seen = 0, s = -1;
		struct prediction *p;

		if (stage == NULL || !cJSON_IsNumber(e2e))
			continue;
		for (int i = 0; i < c->npred; i++)
			seen |= strcmp(c->pred[i].stage, stage) == 0;
		for (int i = 0; i < c->nrows - 1; i++)
			if (strcmp(c->rows[i].stage, stage) == 0)
				s = i;
		if (seen || s < 0)
			continue;	/* the top one per stage only */
		c->pred = xrealloc(c->pred, sizeof *c->pred * (size_t)(c->npred + 1));
		p = &c->pred[c->npred++];
		p->stage = c->rows[s].stage;
		p->title = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(r, "title")));
		p->local = cJSON_GetObjectItem(r, "local_speedup")->valuedouble;
		p->e2e = e2e->valuedouble;
		p->local_got = c->rows[s].cand_v > 0 ? c->rows[s].base_v / c->rows[s].cand_v : 0;
		p->e2e_got = total->cand_v > 0 ? total->base_v / total->cand_v : 0;
	}
}

int
compare_run(const struct runset *base, const struct runset *cand, double threshold,
    int p95, struct comparison *c, char **cause)
{
	int same = base->nstages == cand->nstages;

	memset(c, 0, sizeof *c);
	c->p95 = p95;
	c->base = base;
	c->cand = cand;
	for (int i = 0; same && i < base->nstages; i++)
		same = strcmp(base->stages[i], cand->stages[i]) == 0;
	if (!same) {
		char *a = stage_list(base), *b = stage_list(cand);

		*cause = xasprintf("different stages: %s has [%s], %s has [%s]", base->label,
		    a, cand->label, b);
		free(a);
		free(b);
		return -1;
	}
	for (int i = 0; i < base->nstages; i++) {
		if (base->n[i] < MWU_MIN_N || cand->n[i] < MWU_MIN_N) {
			*cause = xasprintf("too few runs to test stage %s: %d and %d (at least "
			    "%d per side)", base->stages[i], base->n[i], cand->n[i], MWU_MIN_N);
			return -1;
		}
	}
	if (base->ntotal < MWU_MIN_N || cand->ntotal < MWU_MIN_N) {
		*cause = xasprintf("too few complete runs to test end to end: %d and %d "
		    "(at least %d per side)", base->ntotal, cand->ntotal, MWU_MIN_N);
		return -1;
	}
	c->nrows = base->nstages + 1;
	c->rows = xcalloc((size_t)c->nrows, sizeof *c->rows);
	for (int i = 0; i < base->nstages; i++) {
		c->rows[i].stage = base->stages[i];
		c->rows[i].threshold = cand->threshold[i] >= 0 ? cand->threshold[i] : threshold;
		compare_row(&c->rows[i], base->wall[i], base->n[i], cand->wall[i], cand->n[i],
		    p95);
	}
	c->rows[c->nrows - 1].threshold = threshold;
	compare_row(&c->rows[c->nrows - 1], base->total, base->ntotal, cand->total,
	    cand->ntotal, p95);
	for (int i = 0; i < c->nrows; i++) {
		c->fails += c->rows[i].verdict == V_FAIL;
		c->warns += c->rows[i].verdict == V_WARN;
	}
	if ((base->cpu != NULL && cand->cpu != NULL && strcmp(base->cpu, cand->cpu) != 0) ||
	    (base->cores && cand->cores && base->cores != cand->cores))
		c->machine = xasprintf("the runs come from different machines: %s (%d "
		    "cores) against %s (%d cores); differences may be the machine's",
		    base->cpu ? base->cpu : "?", base->cores, cand->cpu ? cand->cpu : "?",
		    cand->cores);
	predictions(c);
	compare_matrix_run(c);
	return 0;
}

void
compare_free(struct comparison *c)
{
	for (int i = 0; i < c->npred; i++)
		free(c->pred[i].title);
	free(c->pred);
	free(c->rows);
	free(c->cell_rows);
	free(c->cells_note);
	free(c->machine);
	memset(c, 0, sizeof *c);
}

static const char *
row_name(const struct cmp_row *r)
{
	return r->stage != NULL ? r->stage : "end to end";
}

char *
compare_text(const struct comparison *c)
{
	struct buf b = { 0 };
	const char *m = c->p95 ? "p95" : "median";

	buf_printf(&b, "perfd compare %s -> %s (%s, Mann-Whitney U two-sided, p < 0.05)\n",
	    c->base->label, c->cand->label, m);
	if (c->machine != NULL)
		buf_printf(&b, "WARNING: %s\n", c->machine);
	buf_printf(&b, "%-16s %12s %12s %9s %9s %8s  %s\n", "stage", "base ms", "cand ms",
	    "change", "p", "thresh", "verdict");
	for (int i = 0; i < c->nrows; i++) {
		const struct cmp_row *r = &c->rows[i];

		buf_printf(&b, "%-16s %12.2f %12.2f %+8.1f%% %9.4f %7.1f%%  %s%s%s%s\n",
		    row_name(r), r->base_v, r->cand_v, r->change * 100, r->test.p,
		    r->threshold * 100, compare_verdict_name(r->verdict),
		    r->note[0] ? " (" : "", r->note, r->note[0] ? ")" : "");
	}
	for (int i = 0; i < c->npred; i++)
		buf_printf(&b, "predicted by %s: \"%s\": x%.2f on %s, x%.2f end to end; "
		    "achieved x%.2f and x%.2f\n", c->base->label, c->pred[i].title,
		    c->pred[i].local, c->pred[i].stage, c->pred[i].e2e, c->pred[i].local_got,
		    c->pred[i].e2e_got);
	compare_matrix_text(&b, c);
	buf_printf(&b, "%d FAIL, %d WARN\n", c->fails, c->warns);
	return b.p;
}

char *
compare_markdown(const struct comparison *c)
{
	struct buf b = { 0 };
	const char *m = c->p95 ? "p95" : "median";

	buf_printf(&b, "Comparison of `%s` (base) with `%s` (candidate): %s per stage "
	    "and end to end, with its 95%% CI; significance by a two-sided "
	    "Mann-Whitney U test on the raw runs (exact for up to 20 runs a side "
	    "without ties, normal approximation otherwise), p < 0.05.\n\n",
	    c->base->label, c->cand->label, m);
	if (c->machine != NULL)
		buf_printf(&b, "**Warning: %s.**\n\n", c->machine);
	buf_printf(&b, "| stage | base %s (CI) | candidate %s (CI) | change | p | test | "
	    "threshold | verdict |\n|---|---|---|---|---|---|---|---|\n", m, m);
	for (int i = 0; i < c->nrows; i++) {
		const struct cmp_row *r = &c->rows[i];

		buf_printf(&b, "| %s | %.2f ms (%.2f–%.2f) | %.2f ms (%.2f–%.2f) | %+.1f%% | "
		    "%.4f | %s | %.1f%% | **%s**%s%s |\n", row_name(r), r->base_v,
		    r->base.ci_lo, r->base.ci_hi, r->cand_v, r->cand.ci_lo, r->cand.ci_hi,
		    r->change * 100, r->test.p, r->test.exact ? "exact" : "normal",
		    r->threshold * 100, compare_verdict_name(r->verdict),
		    r->note[0] ? " " : "", r->note);
	}
	if (c->npred > 0) {
		buf_puts(&b, "\nPredicted against achieved:\n\n| recommendation | stage | "
		    "predicted local | achieved local | predicted end to end | achieved "
		    "end to end |\n|---|---|---|---|---|---|\n");
		for (int i = 0; i < c->npred; i++)
			buf_printf(&b, "| %s | %s | x%.2f | x%.2f | x%.2f | x%.2f |\n",
			    c->pred[i].title, c->pred[i].stage, c->pred[i].local,
			    c->pred[i].local_got, c->pred[i].e2e, c->pred[i].e2e_got);
	}
	compare_matrix_markdown(&b, c);
	buf_printf(&b, "\n%d FAIL, %d WARN.\n", c->fails, c->warns);
	return b.p;
}

static cJSON *
pair(double a, double b)
{
	cJSON *o = cJSON_CreateArray();

	cJSON_AddItemToArray(o, cJSON_CreateNumber(a));
	cJSON_AddItemToArray(o, cJSON_CreateNumber(b));
	return o;
}

cJSON *
compare_json(const struct comparison *c)
{
	cJSON *o = cJSON_CreateObject(), *rows, *p;

	cJSON_AddStringToObject(o, "schema", "perfd.compare/1");
	cJSON_AddStringToObject(o, "base", c->base->label);
	cJSON_AddStringToObject(o, "candidate", c->cand->label);
	cJSON_AddStringToObject(o, "metric", c->p95 ? "p95" : "median");
	cJSON_AddStringToObject(o, "test", "Mann-Whitney U, two-sided, alpha 0.05");
	cJSON_AddBoolToObject(o, "machine_mismatch", c->machine != NULL);
	if (c->machine != NULL)
		cJSON_AddStringToObject(o, "machine_warning", c->machine);
	rows = cJSON_AddArrayToObject(o, "rows");
	for (int i = 0; i < c->nrows; i++) {
		const struct cmp_row *r = &c->rows[i];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "stage", row_name(r));
		cJSON_AddNumberToObject(x, "base_median_ms", r->base.median);
		cJSON_AddItemToObject(x, "base_median_ci_ms", pair(r->base.ci_lo, r->base.ci_hi));
		cJSON_AddNumberToObject(x, "base_p95_ms", r->base.p95);
		cJSON_AddNumberToObject(x, "base_n", r->base.n);
		cJSON_AddNumberToObject(x, "cand_median_ms", r->cand.median);
		cJSON_AddItemToObject(x, "cand_median_ci_ms", pair(r->cand.ci_lo, r->cand.ci_hi));
		cJSON_AddNumberToObject(x, "cand_p95_ms", r->cand.p95);
		cJSON_AddNumberToObject(x, "cand_n", r->cand.n);
		cJSON_AddNumberToObject(x, "change", r->change);
		cJSON_AddNumberToObject(x, "threshold", r->threshold);
		cJSON_AddNumberToObject(x, "p", r->test.p);
		cJSON_AddStringToObject(x, "test", r->test.exact ? "exact" : "normal");
		cJSON_AddStringToObject(x, "verdict", compare_verdict_name(r->verdict));
		cJSON_AddBoolToObject(x, "improved", strcmp(r->note, "improved") == 0);
		cJSON_AddItemToArray(rows, x);
	}
	p = cJSON_AddArrayToObject(o, "predictions");
	for (int i = 0; i < c->npred; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "title", c->pred[i].title);
		cJSON_AddStringToObject(x, "stage", c->pred[i].stage);
		cJSON_AddNumberToObject(x, "predicted_local_speedup", c->pred[i].local);
		cJSON_AddNumberToObject(x, "achieved_local_speedup", c->pred[i].local_got);
		cJSON_AddNumberToObject(x, "predicted_end_to_end_speedup", c->pred[i].e2e);
		cJSON_AddNumberToObject(x, "achieved_end_to_end_speedup", c->pred[i].e2e_got);
		cJSON_AddItemToArray(p, x);
	}
	if (c->ncell_rows > 0 || c->cells_note != NULL)
		cJSON_AddItemToObject(o, "cells", compare_matrix_json(c));
	cJSON_AddNumberToObject(o, "fails", c->fails);
	cJSON_AddNumberToObject(o, "warns", c->warns);
	return o;
}
