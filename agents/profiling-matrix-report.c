/* profiling-matrix-report.c - MATRIX.md, matrix.csv, a chart per parameter, and the JSON. */
#include "profiling.h"
#include "matrix.h"
#include "md.h"
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "4, 8, 16, 32" (caller frees). */
static char *
values_text(const struct matrix_param *mp)
{
	struct buf b = { 0 };

	for (int v = 0; v < mp->nvalues; v++)
		buf_printf(&b, "%s%s", v > 0 ? ", " : "", mp->values[v]);
	return b.p != NULL ? b.p : xstrdup("");
}

/* Stage s's CI of its median in cell c, in ms. */
static void
stage_ci(const struct prof_matrix *mx, const struct prof_mcell *c, int s, double *lo, double *hi)
{
	double *x = xcalloc((size_t)c->n + 1, sizeof *x);
	struct stats st;

	for (int r = 0; r < c->n; r++)
		x[r] = c->wall[r * mx->nstages + s];
	stats_compute(x, c->n > 0 ? c->n : 1, &st);
	*lo = st.ci_lo;
	*hi = st.ci_hi;
	free(x);
}

static void
md_intro(struct buf *b, struct prof *p)
{
	const struct prof_matrix *mx = p->mx;
	char *first = matrix_label(mx->m, 0);

	buf_printf(b, "# Scaling matrix: %s\n\nThe pipeline ran at %d cell%s (", p->a->spec->name,
	    mx->ncells, mx->ncells == 1 ? "" : "s");
	for (int q = 0; q < mx->m->nparams; q++) {
		char *v = values_text(&mx->m->params[q]);

		buf_printf(b, "%s%s: %s", q > 0 ? "; " : "", mx->m->params[q].name, v);
		free(v);
	}
	buf_printf(b, "%s), after a warm-up round, in counted rounds: every cell once a "
	    "round, in an order shuffled afresh each round from seed %u (`matrix.seed: %u` "
	    "repeats it), so that drift of the machine spreads over every cell instead of "
	    "reading as growth. Rounds: %s. A run is setup, every stage, teardown, under the "
	    "measurement lock; stage times have the shell's start subtracted. The other agents "
	    "measured the first cell (%s).\n\n", mx->m->listed ? "; the cells the spec lists" :
	    "", mx->seed, mx->seed, mx->rounds_why != NULL ? mx->rounds_why : "none", first);
	if (mx->stopped != NULL)
		buf_printf(b, "Cut short: %s.\n\n", mx->stopped);
	free(first);
}

/* One row of the cells' table. */
static void
md_cell_row(struct buf *b, struct prof *p, int k)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_mcell *c = &mx->cell[k];

	if (c->n == 0) {
		char *why = md_cell(c->failure != NULL ? c->failure : "no complete run");

		buf_printf(b, "| %s | 0 | failed: %s |", c->label, why);
		free(why);
		for (int s = 0; s < mx->nstages + 1; s++)
			buf_puts(b, " |");
		buf_puts(b, "\n");
		return;
	}
	buf_printf(b, "| %s | %d | %.1f ms (%.1f–%.1f) | %s |", c->label, c->n,
	    c->total.median, c->total.ci_lo, c->total.ci_hi, p->st[c->bottleneck].name);
	for (int s = 0; s < mx->nstages; s++) {
		char *rd = c->read_median[s] >= 1e5 ? xasprintf(", read %.1f MB",
		    c->read_median[s] / 1e6) : xstrdup("");

		buf_printf(b, " %.1f ms, %.0f%% (%.0f–%.0f%%), %s%s |", c->median[s],
		    c->share[s] * 100, c->share_lo[s] * 100, c->share_hi[s] * 100, c->klass[s], rd);
		free(rd);
	}
	if (c->throughput > 0)
		buf_printf(b, " %.3g %s |\n", c->throughput, mx->conc >= 0 ? "jobs/s" : "rows/s");
	else
		buf_puts(b, " |\n");
}

static void
md_cells(struct buf *b, struct prof *p)
{
	const struct prof_matrix *mx = p->mx;

	buf_puts(b, "## Cells\n\nPer stage: the median of the counted runs; its share of "
	    "the sum of the stages' medians, with the 95% CI of the median of each run's "
	    "share; its class by CPU utilisation (cpu-bound, mixed, waiting); bytes read "
	    "from 0.1 MB up. Bytes written and peak memory are in matrix.csv and fitted "
	    "below.\n\n| cell | runs | end to end (95% CI) | bottleneck |");
	for (int s = 0; s < mx->nstages; s++)
		buf_printf(b, " %s |", p->st[s].name);
	buf_puts(b, " throughput |\n|---|---|---|---|");
	for (int s = 0; s < mx->nstages + 1; s++)
		buf_puts(b, "---|");
	buf_puts(b, "\n");
	for (int k = 0; k < mx->ncells; k++)
		md_cell_row(b, p, k);
	buf_puts(b, "\n");
}

/* "x^1.92 (95% CI 1.85–1.99)", or "not fitted". */
static char *
growth_text(const char *name, const struct fit *f, int ok)
{
	if (!ok)
		return xstrdup("not fitted");
	return xasprintf("∝ %s^%.2f (95%% CI %.2f–%.2f)", name, f->b, f->b_lo, f->b_hi);
}

/* A line for each stage whose time grows faster than linearly with parameter q. */
static void
md_fast_growth(struct buf *b, struct prof *p, int q)
{
	const struct prof_slice *sl = &p->mx->slice[q];

	for (int s = 0; s < p->mx->nstages; s++)
		if (sl->g[s].ok_time && sl->g[s].time.b > 1.15)
			buf_printf(b, "- %s grows as %s^%.2f (CI %.2f–%.2f): %s.\n", p->st[s].name,
			    p->mx->m->params[q].name, sl->g[s].time.b, sl->g[s].time.b_lo,
			    sl->g[s].time.b_hi, fit_class(sl->g[s].time.b));
}

/* The fits along parameter q, a row per stage, and a sentence for each growing faster than linearly. */
static void
md_growth(struct buf *b, struct prof *p, int q)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_slice *sl = &mx->slice[q];
	const char *name = mx->m->params[q].name;

	buf_printf(b, "### With %s\n\nCells:", name);
	for (int i = 0; i < sl->n; i++)
		buf_printf(b, "%s %s", i > 0 ? "," : "", mx->cell[sl->cells[i]].label);
	buf_printf(b, " (every other parameter held). Each fit is a least-squares line "
	    "through every counted run on log-log axes: its slope is the exponent.\n\n"
	    "| stage | time | growth | peak RSS | bytes written |\n|---|---|---|---|---|\n");
	for (int s = 0; s < mx->nstages; s++) {
		const struct prof_growth *g = &sl->g[s];
		char *t = growth_text(name, &g->time, g->ok_time);
		char *r = growth_text(name, &g->rss, g->ok_rss);
		char *w = growth_text(name, &g->bytes, g->ok_bytes);

		buf_printf(b, "| %s | %s | %s | %s | %s |\n", p->st[s].name, t,
		    g->ok_time ? fit_class(g->time.b) : "", r, w);
		free(t);
		free(r);
		free(w);
	}
	buf_puts(b, "\n");
	md_fast_growth(b, p, q);
	buf_printf(b, "\n![%s](matrix-%s.svg)\n\n", name, name);
}

/* Where along parameter q the bottleneck moves, and the next step's estimate. */
static void
md_moves(struct buf *b, struct prof *p, int q)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_slice *sl = &mx->slice[q];
	const struct prof_mcell *c0 = &mx->cell[sl->cells[0]], *cl = &mx->cell[sl->cells[sl->n - 1]];
	const char *name = mx->m->params[q].name;
	int b0 = c0->bottleneck;
	double total = 0;

	if (b0 < 0)
		return;
	if (sl->cross >= 0) {
		const struct prof_mcell *c = &mx->cell[sl->cells[sl->cross]];

		buf_printf(b, "**The bottleneck moves**: at %s=%s, %s overtakes %s: %.0f%% against "
		    "%.0f%%.\n\n", name, matrix_value(mx->m, sl->cells[sl->cross], q),
		    p->st[sl->cross_stage].name, p->st[b0].name, c->share[sl->cross_stage] * 100,
		    c->share[b0] * 100);
	} else
		buf_printf(b, "%s stays the bottleneck from %s=%s to %s (its share %.0f%% to "
		    "%.0f%%).\n\n", p->st[b0].name, name, matrix_value(mx->m, sl->cells[0], q),
		    matrix_value(mx->m, sl->cells[sl->n - 1], q), c0->share[b0] * 100,
		    cl->share[b0] * 100);
	for (int s = 0; s < mx->nstages; s++)
		total += sl->g[s].ok_time ? sl->next_ms[s] : cl->median[s];
	buf_printf(b, "At the next step, %s=%g — **an estimate** from the fits above, not a "
	    "measurement:", name, sl->next_x);
	for (int s = 0; s < mx->nstages && total > 0; s++) {
		if (sl->g[s].ok_time)
			buf_printf(b, " %s %.1f ms (95%% CI %.1f–%.1f), %.0f%%;", p->st[s].name,
			    sl->next_ms[s], sl->next_lo[s], sl->next_hi[s],
			    sl->next_ms[s] / total * 100);
		else
			buf_printf(b, " %s not fitted (%.1f ms at the last cell);", p->st[s].name,
			    cl->median[s]);
	}
	buf_puts(b, " the shares from those medians.\n\n");
}

/* Throughput along the concurrency parameter, and where adding jobs stops paying. */
static void
md_concurrency(struct buf *b, struct prof *p)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_slice *sl = mx->conc >= 0 ? &mx->slice[mx->conc] : NULL;
	const char *name = mx->conc >= 0 ? mx->m->params[mx->conc].name : "";
	double t0, x0;
	int stop = -1;

	if (sl == NULL || sl->n < 2 || mx->cell[sl->cells[0]].throughput <= 0)
		return;
	t0 = mx->cell[sl->cells[0]].throughput;
	x0 = matrix_number(mx->m, sl->cells[0], mx->conc);
	buf_printf(b, "## Concurrency (%s)\n\nJobs per second: %s over the end-to-end median. "
	    "Speed-up against %s=%g; efficiency: the speed-up over the factor of jobs added (1: "
	    "each job as fast as alone).\n\n| %s | jobs/s | speed-up | efficiency |\n|---|---|---|"
	    "---|\n", name, name, name, x0, name);
	for (int i = 0; i < sl->n; i++) {
		const struct prof_mcell *c = &mx->cell[sl->cells[i]];
		double x = matrix_number(mx->m, sl->cells[i], mx->conc), sp = c->throughput / t0;
		double eff = sp / (x / x0);

		buf_printf(b, "| %g | %.3g | x%.2f | %.2f |\n", x, c->throughput, sp, eff);
		if (stop < 0 && i > 0 && (eff < 0.5 || c->throughput < 1.1 *
		    mx->cell[sl->cells[i - 1]].throughput))
			stop = i;
	}
	if (stop >= 0)
		buf_printf(b, "\n**Adding concurrency stops paying at %s=%s**: efficiency %.2f, "
		    "x%.2f the throughput of %s=%s.\n\n", name, matrix_value(mx->m,
		    sl->cells[stop], mx->conc), mx->cell[sl->cells[stop]].throughput / t0 /
		    (matrix_number(mx->m, sl->cells[stop], mx->conc) / x0),
		    mx->cell[sl->cells[stop]].throughput / mx->cell[sl->cells[stop - 1]].throughput,
		    name, matrix_value(mx->m, sl->cells[stop - 1], mx->conc));
	else
		buf_printf(b, "\nAdding concurrency kept paying up to %s=%s (efficiency at least 0.5, "
		    "and at least x1.1 the throughput at each step).\n\n", name,
		    matrix_value(mx->m, sl->cells[sl->n - 1], mx->conc));
}

char *
prof_matrix_summary(struct prof *p)
{
	const struct prof_matrix *mx = p->mx;
	struct buf b = { 0 };

	buf_printf(&b, "The pipeline also ran at %d cells of the spec's matrix (seed %u): "
	    "[MATRIX.md](MATRIX.md) has every cell, the fits and the charts. The figures "
	    "above are the first cell's.\n\n", mx->ncells, mx->seed);
	for (int q = 0; q < mx->m->nparams; q++) {
		const struct prof_slice *sl = &mx->slice[q];

		if (sl->n < 2)
			continue;
		md_moves(&b, p, q);
		md_fast_growth(&b, p, q);
	}
	return b.p;
}

char *
prof_matrix_md(struct prof *p)
{
	struct buf b = { 0 };
	int any = 0;

	md_intro(&b, p);
	md_cells(&b, p);
	buf_puts(&b, "## How each stage grows\n\n");
	for (int q = 0; q < p->mx->m->nparams; q++) {
		if (p->mx->slice[q].n < 2)
			continue;
		any = 1;
		md_growth(&b, p, q);
		md_moves(&b, p, q);
	}
	if (!any)
		buf_puts(&b, "No parameter has two or more numeric values with the others "
		    "held, in cells that ran: nothing to fit.\n\n");
	md_concurrency(&b, p);
	return b.p;
}

char *
prof_matrix_csv(struct prof *p)
{
	const struct prof_matrix *mx = p->mx;
	struct buf b = { 0 };

	buf_puts(&b, "cell");
	for (int q = 0; q < mx->m->nparams; q++)
		buf_printf(&b, ",%s", mx->m->params[q].name);
	buf_puts(&b, ",run,stage,wall_ms,cpu_util,peak_rss_kb,bytes_read,bytes_written\n");
	for (int k = 0; k < mx->ncells; k++) {
		const struct prof_mcell *c = &mx->cell[k];

		for (int r = 0; r < c->n; r++)
			for (int s = 0; s < mx->nstages; s++) {
				int at = r * mx->nstages + s;

				buf_puts(&b, c->label);	/* no comma in it: spec.c refuses one */
				for (int q = 0; q < mx->m->nparams; q++)
					buf_printf(&b, ",%s", matrix_value(mx->m, k, q));
				buf_printf(&b, ",%d,%s,%.3f,%.3f,%.0f,%.0f,%.0f\n", r + 1,
				    p->st[s].name, c->wall[at], c->util[at], c->rss[at],
				    c->read[at], c->bytes[at]);
			}
	}
	return b.p;
}

char *
prof_matrix_svg(struct prof *p, int q)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_slice *sl = &mx->slice[q];
	struct svg_logseries *sr = xcalloc((size_t)mx->nstages, sizeof *sr);
	double *x = xcalloc((size_t)sl->n, sizeof *x), *v;
	char *title, *svg;

	v = xcalloc((size_t)(3 * mx->nstages * sl->n), sizeof *v);
	for (int i = 0; i < sl->n; i++)
		x[i] = matrix_number(mx->m, sl->cells[i], q);
	for (int s = 0; s < mx->nstages; s++) {
		double *y = v + 3 * s * sl->n, *lo = y + sl->n, *hi = lo + sl->n;

		for (int i = 0; i < sl->n; i++) {
			y[i] = mx->cell[sl->cells[i]].median[s];
			stage_ci(mx, &mx->cell[sl->cells[i]], s, &lo[i], &hi[i]);
		}
		sr[s] = (struct svg_logseries){ p->st[s].name, y, lo, hi };
	}
	title = xasprintf("%s: stage time against %s (median, 95%% CI band)", p->a->spec->name,
	    mx->m->params[q].name);
	svg = svg_loglog(title, mx->m->params[q].name, "ms", sl->n, x, mx->nstages, sr);
	free(title);
	free(x);
	free(v);
	free(sr);
	return svg;
}

static cJSON *
cell_json(struct prof *p, int k)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_mcell *c = &mx->cell[k];
	cJSON *o = cJSON_CreateObject(), *vals = cJSON_AddObjectToObject(o, "values"), *st;

	cJSON_AddStringToObject(o, "cell", c->label);
	for (int q = 0; q < mx->m->nparams; q++)
		cJSON_AddStringToObject(vals, mx->m->params[q].name, matrix_value(mx->m, k, q));
	cJSON_AddNumberToObject(o, "runs", c->n);
	if (c->failure != NULL)
		cJSON_AddStringToObject(o, "failure", c->failure);
	if (c->n == 0)
		return o;
	cJSON_AddNumberToObject(o, "total_ms", c->total.median);
	cJSON_AddStringToObject(o, "bottleneck", p->st[c->bottleneck].name);
	if (c->throughput > 0)
		cJSON_AddNumberToObject(o, "throughput", c->throughput);
	st = cJSON_AddObjectToObject(o, "stages");
	for (int s = 0; s < mx->nstages; s++) {
		cJSON *e = cJSON_AddObjectToObject(st, p->st[s].name);

		cJSON_AddNumberToObject(e, "median_ms", c->median[s]);
		cJSON_AddNumberToObject(e, "share", c->share[s]);
	}
	return o;
}

/* Parameter q's fits and where its bottleneck moves, into arrays growth and moves. */
static void
slice_json(struct prof *p, int q, cJSON *growth, cJSON *moves)
{
	const struct prof_matrix *mx = p->mx;
	const struct prof_slice *sl = &mx->slice[q];
	const char *name = mx->m->params[q].name;

	for (int s = 0; s < mx->nstages; s++) {
		const struct prof_growth *g = &sl->g[s];
		cJSON *e;

		if (!g->ok_time)
			continue;
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "parameter", name);
		cJSON_AddStringToObject(e, "stage", p->st[s].name);
		cJSON_AddNumberToObject(e, "b", g->time.b);
		cJSON_AddNumberToObject(e, "b_lo", g->time.b_lo);
		cJSON_AddNumberToObject(e, "b_hi", g->time.b_hi);
		cJSON_AddStringToObject(e, "class", fit_class(g->time.b));
		cJSON_AddNumberToObject(e, "next_x", sl->next_x);
		cJSON_AddNumberToObject(e, "next_ms", sl->next_ms[s]);
		cJSON_AddItemToArray(growth, e);
	}
	if (sl->cross >= 0) {
		const struct prof_mcell *c = &mx->cell[sl->cells[sl->cross]];
		int b0 = mx->cell[sl->cells[0]].bottleneck;
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "parameter", name);
		cJSON_AddStringToObject(e, "at", matrix_value(mx->m, sl->cells[sl->cross], q));
		cJSON_AddStringToObject(e, "from", p->st[b0].name);
		cJSON_AddStringToObject(e, "to", p->st[sl->cross_stage].name);
		cJSON_AddNumberToObject(e, "share_to", c->share[sl->cross_stage]);
		cJSON_AddNumberToObject(e, "share_from", c->share[b0]);
		cJSON_AddItemToArray(moves, e);
	}
}

cJSON *
prof_matrix_json(struct prof *p)
{
	const struct prof_matrix *mx = p->mx;
	cJSON *o = cJSON_CreateObject(), *cells, *growth, *moves;

	cJSON_AddNumberToObject(o, "seed", mx->seed);
	cJSON_AddBoolToObject(o, "auto", mx->auto_reps);
	cJSON_AddStringToObject(o, "rounds", mx->rounds_why != NULL ? mx->rounds_why : "");
	cells = cJSON_AddArrayToObject(o, "cells");
	for (int k = 0; k < mx->ncells; k++)
		cJSON_AddItemToArray(cells, cell_json(p, k));
	growth = cJSON_AddArrayToObject(o, "growth");
	moves = cJSON_AddArrayToObject(o, "moves");
	for (int q = 0; q < mx->m->nparams; q++)
		if (mx->slice[q].n >= 2)
			slice_json(p, q, growth, moves);
	return o;
}
