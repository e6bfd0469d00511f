/* compare-matrix.c - two investigations with the same matrix compared cell by cell. */
#include "compare.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The cell called label in r, made when absent. */
static struct cellrun *
cell_of(struct runset *r, const char *label)
{
	struct cellrun *c;

	for (int k = 0; k < r->ncells; k++)
		if (strcmp(r->cells[k].label, label) == 0)
			return &r->cells[k];
	r->cells = xrealloc(r->cells, sizeof *r->cells * (size_t)(r->ncells + 1));
	c = &r->cells[r->ncells++];
	c->label = xstrdup(label);
	c->wall = xcalloc((size_t)r->nstages, sizeof *c->wall);
	c->n = xcalloc((size_t)r->nstages, sizeof *c->n);
	c->total = NULL;
	c->ntotal = 0;
	return c;
}

/* One stage's time of one counted run; a run's total grows with each of its stages. */
static void
cell_add(struct cellrun *c, int stage, int run, double ms)
{
	c->wall[stage] = xrealloc(c->wall[stage], sizeof (double) * (size_t)(c->n[stage] + 1));
	c->wall[stage][c->n[stage]++] = ms;
	if (run > c->ntotal) {
		c->total = xrealloc(c->total, sizeof *c->total * (size_t)run);
		for (int i = c->ntotal; i < run; i++)
			c->total[i] = 0;
		c->ntotal = run;
	}
	c->total[run - 1] += ms;
}

int
compare_matrix_load(struct runset *r, const char *path, char **cause)
{
	char *text, *save = NULL, *line, *f[48], *h[48];
	int nh, ccell, crun, cstage, cwall;

	if (access(path, F_OK) != 0)
		return 0;
	if ((text = file_read(path, 256 << 20, NULL, cause)) == NULL)
		return -1;
	line = strtok_r(text, "\n", &save);
	nh = line != NULL ? csv_split(line, h, 48) : 0;
	ccell = csv_column(h, nh, "cell");
	crun = csv_column(h, nh, "run");
	cstage = csv_column(h, nh, "stage");
	cwall = csv_column(h, nh, "wall_ms");
	if (ccell < 0 || crun < 0 || cstage < 0 || cwall < 0) {
		*cause = xasprintf("%s: not a perfd matrix.csv", path);
		free(text);
		return -1;
	}
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		int n = csv_split(line, f, 48), s = -1, run;

		if (n != nh || (run = atoi(f[crun])) < 1 || run > 100000)
			continue;
		for (int i = 0; i < r->nstages; i++)
			if (strcmp(r->stages[i], f[cstage]) == 0)
				s = i;
		if (s >= 0)
			cell_add(cell_of(r, f[ccell]), s, run, atof(f[cwall]));
	}
	free(text);
	return 0;
}

void
compare_matrix_free(struct runset *r)
{
	for (int k = 0; k < r->ncells; k++) {
		for (int i = 0; i < r->nstages; i++)
			free(r->cells[k].wall[i]);
		free(r->cells[k].wall);
		free(r->cells[k].n);
		free(r->cells[k].total);
		free(r->cells[k].label);
	}
	free(r->cells);
	r->cells = NULL;
	r->ncells = 0;
}

static const struct cellrun *
find_cell(const struct runset *r, const char *label)
{
	for (int k = 0; k < r->ncells; k++)
		if (strcmp(r->cells[k].label, label) == 0)
			return &r->cells[k];
	return NULL;
}

/* A row for a stage (s) or end to end (s < 0) of one common cell; the verdict counts. */
static void
cell_row(struct comparison *c, const struct cellrun *a, const struct cellrun *b, int s)
{
	struct cmp_row *r;

	c->cell_rows = xrealloc(c->cell_rows, sizeof *c->cell_rows * (size_t)(c->ncell_rows + 1));
	r = &c->cell_rows[c->ncell_rows++];
	memset(r, 0, sizeof *r);
	r->cell = a->label;
	r->stage = s >= 0 ? c->base->stages[s] : NULL;
	r->threshold = s >= 0 ? c->rows[s].threshold : c->rows[c->nrows - 1].threshold;
	if (s >= 0)
		compare_row(r, a->wall[s], a->n[s], b->wall[s], b->n[s], c->p95);
	else
		compare_row(r, a->total, a->ntotal, b->total, b->ntotal, c->p95);
	c->fails += r->verdict == V_FAIL;
	c->warns += r->verdict == V_WARN;
}

/* A note of what was left out, appended. */
static void
note(struct comparison *c, const char *fmt, const char *label)
{
	char *was = c->cells_note;

	c->cells_note = xasprintf(fmt, was != NULL ? was : "", was != NULL ? "; " : "", label);
	free(was);
}

void
compare_matrix_run(struct comparison *c)
{
	const struct runset *base = c->base, *cand = c->cand;

	if (base->ncells == 0 && cand->ncells == 0)
		return;
	if (base->ncells == 0 || cand->ncells == 0) {
		note(c, "%s%sonly %s has a matrix: no cell compared", base->ncells > 0 ?
		    base->label : cand->label);
		return;
	}
	for (int k = 0; k < base->ncells; k++) {
		const struct cellrun *a = &base->cells[k], *b = find_cell(cand, a->label);
		int enough = b != NULL && a->ntotal >= MWU_MIN_N && b->ntotal >= MWU_MIN_N;

		for (int s = 0; enough && s < base->nstages; s++)
			enough = a->n[s] >= MWU_MIN_N && b->n[s] >= MWU_MIN_N;
		if (b == NULL)
			note(c, "%s%s%s: only in the base", a->label);
		else if (!enough)
			note(c, "%s%s%s: too few runs to test", a->label);
		for (int s = 0; enough && s <= base->nstages; s++)
			cell_row(c, a, b, s < base->nstages ? s : -1);
	}
	for (int k = 0; k < cand->ncells; k++)
		if (find_cell(base, cand->cells[k].label) == NULL)
			note(c, "%s%s%s: only in the candidate", cand->cells[k].label);
}

static const char *
stage_name(const struct cmp_row *r)
{
	return r->stage != NULL ? r->stage : "end to end";
}

void
compare_matrix_text(struct buf *b, const struct comparison *c)
{
	if (c->ncell_rows > 0)
		buf_puts(b, "cell by cell:\n");
	for (int i = 0; i < c->ncell_rows; i++) {
		const struct cmp_row *r = &c->cell_rows[i];

		buf_printf(b, "  %-24s %-16s %10.2f %10.2f %+8.1f%% %9.4f  %s%s%s%s\n", r->cell,
		    stage_name(r), r->base_v, r->cand_v, r->change * 100, r->test.p,
		    compare_verdict_name(r->verdict), r->note[0] ? " (" : "", r->note,
		    r->note[0] ? ")" : "");
	}
	if (c->cells_note != NULL)
		buf_printf(b, "cells left out: %s\n", c->cells_note);
}

void
compare_matrix_markdown(struct buf *b, const struct comparison *c)
{
	if (c->ncell_rows > 0)
		buf_puts(b, "\nCell by cell (the matrices' common cells):\n\n| cell | stage | base | "
		    "candidate | change | p | verdict |\n|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < c->ncell_rows; i++) {
		const struct cmp_row *r = &c->cell_rows[i];

		buf_printf(b, "| %s | %s | %.2f ms | %.2f ms | %+.1f%% | %.4f | **%s**%s%s |\n",
		    r->cell, stage_name(r), r->base_v, r->cand_v, r->change * 100, r->test.p,
		    compare_verdict_name(r->verdict), r->note[0] ? " " : "", r->note);
	}
	if (c->cells_note != NULL)
		buf_printf(b, "\nCells left out: %s.\n", c->cells_note);
}

cJSON *
compare_matrix_json(const struct comparison *c)
{
	cJSON *o = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(o, "rows");

	for (int i = 0; i < c->ncell_rows; i++) {
		const struct cmp_row *r = &c->cell_rows[i];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "cell", r->cell);
		cJSON_AddStringToObject(x, "stage", stage_name(r));
		cJSON_AddNumberToObject(x, "base_ms", r->base_v);
		cJSON_AddNumberToObject(x, "cand_ms", r->cand_v);
		cJSON_AddNumberToObject(x, "change", r->change);
		cJSON_AddNumberToObject(x, "p", r->test.p);
		cJSON_AddStringToObject(x, "verdict", compare_verdict_name(r->verdict));
		cJSON_AddItemToArray(rows, x);
	}
	if (c->cells_note != NULL)
		cJSON_AddStringToObject(o, "left_out", c->cells_note);
	return o;
}
