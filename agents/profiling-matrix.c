/* profiling-matrix.c - the pipeline profiled at every cell of the spec's matrix. */
#include "profiling.h"
#include "matrix.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cell k's spec, or NULL when it could not be made (the cell says why). */
static void
mx_cells(struct prof *p, struct prof_matrix *mx)
{
	const struct spec *tmpl = p->a->matrix_spec;

	for (int k = 0; k < mx->ncells; k++) {
		struct prof_mcell *c = &mx->cell[k];

		c->label = matrix_label(mx->m, k);
		c->spec = matrix_cell_spec(tmpl, k, &c->failure);
		c->wall = xcalloc((size_t)(mx->reps * mx->nstages) + 1, sizeof *c->wall);
		c->rss = xcalloc((size_t)(mx->reps * mx->nstages) + 1, sizeof *c->rss);
		c->bytes = xcalloc((size_t)(mx->reps * mx->nstages) + 1, sizeof *c->bytes);
		c->util = xcalloc((size_t)(mx->reps * mx->nstages) + 1, sizeof *c->util);
		c->read = xcalloc((size_t)(mx->reps * mx->nstages) + 1, sizeof *c->read);
		c->median = xcalloc((size_t)mx->nstages, sizeof *c->median);
		c->share = xcalloc((size_t)mx->nstages, sizeof *c->share);
		c->share_lo = xcalloc((size_t)mx->nstages, sizeof *c->share_lo);
		c->share_hi = xcalloc((size_t)mx->nstages, sizeof *c->share_hi);
		c->klass = xcalloc((size_t)mx->nstages, sizeof *c->klass);
		c->read_median = xcalloc((size_t)mx->nstages, sizeof *c->read_median);
		c->bottleneck = -1;
	}
}

/* A stage's figures of one run into cell c's counted run r. */
static void
mx_record(struct prof *p, struct prof_mcell *c, int r, int s, const struct stage_result *res)
{
	int at = r * p->mx->nstages + s;

	c->wall[at] = p->st[s].fetch ? res->wall_ms : fmax(0, res->wall_ms - p->shell_ms);
	c->rss[at] = (double)res->run.maxrss_kb;
	c->bytes[at] = (double)res->run.write_bytes;
	c->util[at] = res->cpu_util;
	c->read[at] = p->st[s].fetch ? (double)res->fetch.bytes : (double)res->run.read_bytes;
}

/*
 * One run of cell k as a run of the pipeline: setup, every stage, teardown,
 * under the lock. Counted (r >= 0) when every stage succeeded. The cell's
 * spec is not the investigation's: nothing of what it made is handed to
 * the next holder of the lock (pipeline_settle()), which sets up its own.
 */
static void
mx_run(struct prof *p, int k, int r)
{
	struct prof_mcell *c = &p->mx->cell[k];
	char *failure = NULL, *down = NULL;
	int ok = 1;

	agent_lock(p->a);
	if (pipeline_hook(c->spec, "setup", c->spec->setup, p->a->dir, &down) != 0) {
		failure = xasprintf("setup: %s", down);
		free(down);
		down = NULL;
		ok = 0;
	}
	for (int s = 0; ok && s < p->nstages; s++) {
		struct stage_result res;

		pipeline_stage(c->spec, s, p->a->dir, NULL, &res);
		if (!res.ok) {
			failure = xasprintf("%s: %s", c->spec->stages[s].name, res.failure);
			ok = 0;
		} else if (r >= 0)
			mx_record(p, c, c->n, s, &res);
		pipeline_result_free(&res);
	}
	if (pipeline_hook(c->spec, "teardown", c->spec->teardown, p->a->dir, &down) != 0) {
		ok = 0;
		if (failure == NULL)
			failure = xasprintf("teardown: %s", down);
		free(down);
	}
	pipeline_settle();
	agent_unlock(p->a);
	if (ok && r >= 0)
		c->n++;
	if (!ok) {
		c->failed++;
		free(c->failure);
		c->failure = failure;
	}
}

static void mx_share_ci(struct prof_mcell *, int nstages, int s, double *x);

/*
 * With repetitions auto: every cell still measured has PROF_AUTO_MIN
 * counted runs or more, and every stage's share in it a CI within
 * +-PROF_AUTO_SHARE (the same rule as the first cell's profile).
 */
static int
mx_settled(struct prof_matrix *mx)
{
	double *x = xcalloc((size_t)mx->reps + 1, sizeof *x);
	int ok = 1;

	for (int k = 0; ok && k < mx->ncells; k++) {
		struct prof_mcell *c = &mx->cell[k];

		if (c->spec == NULL || c->failed >= 2)
			continue;
		ok = c->n >= PROF_AUTO_MIN;
		for (int s = 0; ok && s < mx->nstages; s++) {
			mx_share_ci(c, mx->nstages, s, x);
			ok = (c->share_hi[s] - c->share_lo[s]) / 2 <= PROF_AUTO_SHARE;
		}
	}
	free(x);
	return ok;
}

/* After counted round r (1-based): whether the rounds stop here, and why. */
static int
mx_enough(struct prof_matrix *mx, int r, int *settled_before)
{
	if (r >= mx->reps) {
		mx->rounds_why = mx->auto_reps ? xasprintf("the most auto allows (%d rounds): "
		    "the figures had not settled", r) : xasprintf("the spec's repetitions (%d)", r);
		return 1;
	}
	if (!mx->auto_reps || r < PROF_AUTO_MIN)
		return 0;
	if (!prof_twice(mx_settled(mx), settled_before))
		return 0;
	mx->rounds_why = xasprintf("settled after %d rounds: every stage's share in every cell "
	    "within +-%.0f points (95%% CI), two rounds in a row", r, PROF_AUTO_SHARE * 100);
	return 1;
}

/*
 * Round by round: every cell once a round, in an order shuffled afresh
 * from the seed each round, the first round a warm-up. Drift of the
 * machine (a disk slowing for a minute) then spreads over every cell
 * instead of landing on the cells measured at that time, where it would
 * read as growth.
 */
void
prof_matrix_measure(struct prof *p)
{
	struct prof_matrix *mx = p->mx;
	int *order = xcalloc((size_t)mx->ncells, sizeof *order), settled = 0;
	double longest = 0;

	mx_cells(p, mx);
	for (int round = 0; round <= mx->reps && mx->stopped == NULL; round++) {
		matrix_shuffle(order, mx->ncells, mx->seed + (uint32_t)round);
		for (int i = 0; i < mx->ncells && mx->stopped == NULL; i++) {
			struct prof_mcell *c = &mx->cell[order[i]];
			double held = agent_held_ms(p->a);

			if (c->spec == NULL || c->failed >= 2)
				continue;
			if (round > 0 && !agent_fits(p->a, longest)) {
				mx->stopped = xasprintf("the budget: %d counted round%s fitted", round - 1,
				    round - 1 == 1 ? "" : "s");
				agent_cut(p->a, "the matrix: %d of %d rounds", round - 1, mx->reps);
				break;
			}
			agent_progress(p->a, 80 + 10 * round / (mx->reps + 1), "matrix: %s, %s %d%s",
			    c->label, round == 0 ? "warm-up" : "round", round, mx->auto_reps ?
			    " (auto: until the figures settle)" : "");
			mx_run(p, order[i], round == 0 ? -1 : round - 1);
			longest = fmax(longest, agent_held_ms(p->a) - held);
		}
		if (round > 0 && mx->stopped == NULL && mx_enough(mx, round, &settled))
			break;
	}
	if (mx->rounds_why == NULL)
		mx->rounds_why = xstrdup(mx->stopped);
	free(order);
}

/* The median over cell c's counted runs of stage s's value in v (wall, util, read). */
static double
mx_median(const struct prof_mcell *c, int nstages, const double *v, int s, double *x)
{
	struct stats st;

	for (int r = 0; r < c->n; r++)
		x[r] = v[r * nstages + s];
	stats_compute(x, c->n, &st);
	return st.median;
}

/* Each run's share of stage s, and the CI of their median. */
static void
mx_share_ci(struct prof_mcell *c, int nstages, int s, double *x)
{
	struct stats st;

	for (int r = 0; r < c->n; r++) {
		double sum = 0;

		for (int t = 0; t < nstages; t++)
			sum += c->wall[r * nstages + t];
		x[r] = sum > 0 ? c->wall[r * nstages + s] / sum : 0;
	}
	stats_compute(x, c->n, &st);
	c->share_lo[s] = st.ci_lo;
	c->share_hi[s] = st.ci_hi;
}

/* Cell c's medians, shares with their CI, classes, bottleneck, total and throughput. */
static void
mx_cell_figures(struct prof *p, int k)
{
	struct prof_matrix *mx = p->mx;
	struct prof_mcell *c = &mx->cell[k];
	double *x = xcalloc((size_t)c->n + 1, sizeof *x), sum = 0;

	for (int s = 0; s < mx->nstages && c->n > 0; s++) {
		c->median[s] = mx_median(c, mx->nstages, c->wall, s, x);
		c->klass[s] = prof_class(mx_median(c, mx->nstages, c->util, s, x));
		c->read_median[s] = mx_median(c, mx->nstages, c->read, s, x);
		mx_share_ci(c, mx->nstages, s, x);
		sum += c->median[s];
	}
	for (int s = 0; s < mx->nstages && sum > 0; s++) {
		c->share[s] = c->median[s] / sum;
		if (c->bottleneck < 0 || c->share[s] > c->share[c->bottleneck])
			c->bottleneck = s;
	}
	for (int r = 0; r < c->n; r++) {
		x[r] = 0;
		for (int s = 0; s < mx->nstages; s++)
			x[r] += c->wall[r * mx->nstages + s];
	}
	if (c->n > 0) {
		stats_compute(x, c->n, &c->total);
		if (mx->conc >= 0 && c->total.median > 0)
			c->throughput = matrix_number(mx->m, k, mx->conc) / (c->total.median / 1000);
		else if (c->spec->rows > 0 && c->total.median > 0)
			c->throughput = (double)c->spec->rows / (c->total.median / 1000);
	}
	free(x);
}

/* Whether cells a and b hold every parameter but p at the same value. */
static int
mx_same_but(const struct matrix *m, int a, int b, int p)
{
	for (int q = 0; q < m->nparams; q++)
		if (q != p && m->cells[a * m->nparams + q] != m->cells[b * m->nparams + q])
			return 0;
	return 1;
}

static const struct matrix *sort_m;
static int sort_p;

static int
mx_by_value(const void *a, const void *b)
{
	double x = matrix_number(sort_m, *(const int *)a, sort_p);
	double y = matrix_number(sort_m, *(const int *)b, sort_p);

	return (x > y) - (x < y);
}

/*
 * The cells along parameter p: the most of them that hold every other
 * parameter at one value (those of the first cell when it ties), by p's
 * value. None when p is not numeric.
 */
static void
mx_slice_cells(struct prof_matrix *mx, int p, struct prof_slice *sl)
{
	const struct matrix *m = mx->m;
	int best = -1, most = 0;

	if (!m->params[p].numeric || m->params[p].nvalues < 2)
		return;
	for (int k = 0; k < mx->ncells; k++) {
		int n = 0;

		for (int j = 0; j < mx->ncells; j++)
			n += mx->cell[j].n > 0 && mx_same_but(m, k, j, p);
		if (n > most) {
			most = n;
			best = k;
		}
	}
	if (most < 2)
		return;
	sl->cells = xcalloc((size_t)most, sizeof *sl->cells);
	for (int j = 0; j < mx->ncells; j++)
		if (mx->cell[j].n > 0 && mx_same_but(m, best, j, p))
			sl->cells[sl->n++] = j;
	sort_m = m;
	sort_p = p;
	qsort(sl->cells, (size_t)sl->n, sizeof *sl->cells, mx_by_value);
}

/* Stage s's fits along the slice: time, peak RSS and bytes written against p's values. */
static void
mx_fit_stage(struct prof_matrix *mx, int p, struct prof_slice *sl, int s)
{
	int most = 0, n = 0;
	double *x, *t, *rss, *bytes;

	for (int i = 0; i < sl->n; i++)
		most += mx->cell[sl->cells[i]].n;
	x = xcalloc((size_t)most + 1, sizeof *x);
	t = xcalloc((size_t)most + 1, sizeof *t);
	rss = xcalloc((size_t)most + 1, sizeof *rss);
	bytes = xcalloc((size_t)most + 1, sizeof *bytes);
	for (int i = 0; i < sl->n; i++) {
		const struct prof_mcell *c = &mx->cell[sl->cells[i]];

		for (int r = 0; r < c->n; r++, n++) {
			x[n] = matrix_number(mx->m, sl->cells[i], p);
			t[n] = c->wall[r * mx->nstages + s];
			rss[n] = c->rss[r * mx->nstages + s];
			bytes[n] = c->bytes[r * mx->nstages + s];
		}
	}
	sl->g[s].ok_time = fit_power(x, t, n, &sl->g[s].time) == 0;
	sl->g[s].ok_rss = fit_power(x, rss, n, &sl->g[s].rss) == 0;
	sl->g[s].ok_bytes = fit_power(x, bytes, n, &sl->g[s].bytes) == 0;
	free(x);
	free(t);
	free(rss);
	free(bytes);
}

/* Where along the slice another stage's share first passes the first cell's bottleneck's. */
static void
mx_crossover(struct prof_matrix *mx, struct prof_slice *sl)
{
	int b0 = mx->cell[sl->cells[0]].bottleneck;

	sl->cross = -1;
	for (int i = 1; i < sl->n && b0 >= 0; i++) {
		const struct prof_mcell *c = &mx->cell[sl->cells[i]];

		if (c->bottleneck >= 0 && c->bottleneck != b0) {
			sl->cross = i;
			sl->cross_stage = c->bottleneck;
			return;
		}
	}
}

/*
 * The step after the last value (times the last ratio when the values
 * grow by one factor, else plus the last difference), and each stage's
 * time there from its fit: an estimate, and said so wherever shown.
 */
static void
mx_next_step(struct prof_matrix *mx, int p, struct prof_slice *sl)
{
	double last = matrix_number(mx->m, sl->cells[sl->n - 1], p);
	double prev = matrix_number(mx->m, sl->cells[sl->n - 2], p), ratio = last / prev;
	int geometric = ratio > 1;

	for (int i = 1; i < sl->n; i++) {
		double a = matrix_number(mx->m, sl->cells[i - 1], p);
		double b = matrix_number(mx->m, sl->cells[i], p);

		geometric &= fabs(b / a / ratio - 1) < 0.01;
	}
	sl->next_x = geometric ? last * ratio : last + (last - prev);
	sl->next_ms = xcalloc((size_t)mx->nstages, sizeof *sl->next_ms);
	sl->next_lo = xcalloc((size_t)mx->nstages, sizeof *sl->next_lo);
	sl->next_hi = xcalloc((size_t)mx->nstages, sizeof *sl->next_hi);
	for (int s = 0; s < mx->nstages; s++)
		if (sl->g[s].ok_time)
			sl->next_ms[s] = fit_predict(&sl->g[s].time, sl->next_x, &sl->next_lo[s],
			    &sl->next_hi[s]);
}

void
prof_matrix_analyse(struct prof *p)
{
	struct prof_matrix *mx = p->mx;

	for (int k = 0; k < mx->ncells; k++)
		mx_cell_figures(p, k);
	mx->slice = xcalloc((size_t)mx->m->nparams, sizeof *mx->slice);
	for (int q = 0; q < mx->m->nparams; q++) {
		struct prof_slice *sl = &mx->slice[q];

		mx_slice_cells(mx, q, sl);
		if (sl->n < 2)
			continue;
		sl->g = xcalloc((size_t)mx->nstages, sizeof *sl->g);
		for (int s = 0; s < mx->nstages; s++)
			mx_fit_stage(mx, q, sl, s);
		mx_crossover(mx, sl);
		mx_next_step(mx, q, sl);
	}
}

struct prof_matrix *
prof_matrix_new(struct prof *p)
{
	const struct spec *tmpl = p->a->matrix_spec;
	struct prof_matrix *mx;

	if (tmpl == NULL)
		return NULL;
	mx = xcalloc(1, sizeof *mx);
	mx->m = tmpl->matrix;
	mx->ncells = mx->m->ncells;
	mx->nstages = p->nstages;
	mx->auto_reps = mx->m->repetitions == MATRIX_REPS_AUTO;
	mx->reps = mx->auto_reps ? PROF_AUTO_MAX : (int)mx->m->repetitions;
	/* A seed the spec gives, else one drawn now: reported either way, so a run can be repeated. */
	mx->seed = mx->m->seed > 0 ? (uint32_t)mx->m->seed : (uint32_t)(now_ns() % 4294967291u) | 1;
	mx->conc = mx->m->concurrency != NULL ? matrix_param_index(mx->m, mx->m->concurrency,
	    strlen(mx->m->concurrency)) : -1;
	mx->cell = xcalloc((size_t)mx->ncells, sizeof *mx->cell);
	return mx;
}

void
prof_matrix_free(struct prof_matrix *mx)
{
	if (mx == NULL)
		return;
	for (int k = 0; k < mx->ncells; k++) {
		struct prof_mcell *c = &mx->cell[k];

		spec_free(c->spec);
		free(c->label);
		free(c->failure);
		free(c->wall);
		free(c->rss);
		free(c->bytes);
		free(c->util);
		free(c->read);
		free(c->median);
		free(c->share);
		free(c->share_lo);
		free(c->share_hi);
		free(c->klass);
		free(c->read_median);
	}
	for (int q = 0; mx->slice != NULL && q < mx->m->nparams; q++) {
		free(mx->slice[q].cells);
		free(mx->slice[q].g);
		free(mx->slice[q].next_ms);
		free(mx->slice[q].next_lo);
		free(mx->slice[q].next_hi);
	}
	free(mx->slice);
	free(mx->cell);
	free(mx->stopped);
	free(mx->rounds_why);
	free(mx);
}
