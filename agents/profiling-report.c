/* profiling-report.c - the profiling agent's report, chart, raw runs and JSON. */
#include "profiling.h"
#include "md.h"
#include "svg.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static cJSON *
pair(double a, double b)
{
	cJSON *arr = cJSON_CreateArray();

	cJSON_AddItemToArray(arr, cJSON_CreateNumber(a));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(b));
	return arr;
}

static int
order_by_median(const void *a, const void *b, void *arg)
{
	const struct prof *p = arg;
	double x = p->st[*(const int *)a].wall.median, y = p->st[*(const int *)b].wall.median;

	return (x < y) - (x > y);
}

/* Stage indexes, largest median first (stages without data last). */
static int *
by_median(struct prof *p)
{
	int *idx = xcalloc((size_t)p->nstages, sizeof *idx);

	for (int i = 0; i < p->nstages; i++)
		idx[i] = i;
	if (p->nstages > 1)
		qsort_r(idx, (size_t)p->nstages, sizeof *idx, order_by_median, p);
	return idx;
}

char *
prof_chart_svg(struct prof *p)
{
	struct svg_bar *bars = xcalloc((size_t)p->nstages, sizeof *bars);
	char **notes = xcalloc((size_t)p->nstages, sizeof *notes), *svg, *title;
	int *idx = by_median(p), n = 0;

	for (int k = 0; k < p->nstages; k++) {
		struct prof_stage *ps = &p->st[idx[k]];

		if (ps->n == 0)
			continue;
		notes[n] = xasprintf("%.1f%%  (median %.1f ms, p95 %.1f ms)",
		    ps->share.median * 100, ps->wall.median, ps->wall.p95);
		bars[n].label = ps->name;
		bars[n].value = ps->wall.median;
		bars[n].whisker = ps->wall.p95;
		bars[n].note = notes[n];
		n++;
	}
	title = xasprintf("%s: median time per stage (whisker: p95), %d runs",
	    p->a->spec->name, p->ntotals);
	svg = svg_hbar(title, "milliseconds", bars, n);
	for (int k = 0; k < n; k++)
		free(notes[k]);
	free(notes);
	free(bars);
	free(idx);
	free(title);
	return svg;
}

char *
prof_runs_csv(struct prof *p)
{
	struct buf b = { 0 };

	buf_puts(&b, "run,warmup,stage,kind,ok,exit,wall_ms,raw_wall_ms,user_s,sys_s,cpu_util,"
	    "peak_rss_kb,read_bytes,write_bytes,dns_ms,connect_ms,tls_ms,ttfb_ms,"
	    "transfer_ms,bytes\n");
	for (int r = 0; r < p->warmup + p->reps; r++) {
		for (int i = 0; i < p->nstages; i++) {
			const struct prof_sample *s = &p->st[i].s[r];
			const struct fetch_result *f = &s->fetch;

			if (s->raw_ms == 0 && !s->ok)
				continue;	/* never ran: an earlier stage failed */
			buf_printf(&b, "%d,%d,%s,%s,%d,%d,%.4f,%.4f,%.6f,%.6f,%.4f,%ld,%lld,"
			    "%lld,", r < p->warmup ? r + 1 : r - p->warmup + 1,
			    r < p->warmup, p->st[i].name, p->st[i].fetch ? "fetch" : "run",
			    s->ok, s->exit_code, s->wall_ms, s->raw_ms, s->user_s, s->sys_s, s->util,
			    s->rss_kb, (long long)s->read_bytes, (long long)s->write_bytes);
			if (p->st[i].fetch)
				buf_printf(&b, "%.3f,%.3f,%.3f,%.3f,%.3f,%lld\n", f->dns_ms,
				    f->connect_ms, f->tls_ms, f->ttfb_ms, f->transfer_ms,
				    (long long)f->bytes);
			else
				buf_puts(&b, ",,,,,\n");
		}
	}
	return b.p;
}

/* The whole pipeline's time, and the bottleneck and hypothesis (null when none). */
static void
data_verdicts(struct prof *p, cJSON *o)
{
	const struct spec *sp = p->a->spec;
	cJSON *t = cJSON_AddObjectToObject(o, "total");

	cJSON_AddNumberToObject(t, "n", p->total.n);
	cJSON_AddNumberToObject(t, "median_ms", p->total.median);
	cJSON_AddItemToObject(t, "ci_ms", pair(p->total.ci_lo, p->total.ci_hi));
	cJSON_AddNumberToObject(t, "p95_ms", p->total.p95);
	if (sp->rows > 0 && p->total.median > 0)
		cJSON_AddNumberToObject(t, "rows_per_s", (double)sp->rows * 1000 / p->total.median);
	if (p->bottleneck >= 0) {
		struct prof_stage *b = &p->st[p->bottleneck];

		t = cJSON_AddObjectToObject(o, "bottleneck");
		cJSON_AddStringToObject(t, "stage", b->name);
		cJSON_AddNumberToObject(t, "share", b->share.median);
		cJSON_AddItemToObject(t, "share_ci", pair(b->share.ci_lo, b->share.ci_hi));
		cJSON_AddStringToObject(t, "class", b->klass);
		cJSON_AddBoolToObject(t, "cpu_bound", strcmp(b->klass, "cpu-bound") == 0);
	} else
		cJSON_AddNullToObject(o, "bottleneck");
	if (sp->hypothesis != NULL && p->bottleneck >= 0) {
		int h = spec_stage_index(sp, sp->hypothesis);

		t = cJSON_AddObjectToObject(o, "hypothesis");
		cJSON_AddStringToObject(t, "stage", sp->hypothesis);
		cJSON_AddNumberToObject(t, "share", p->st[h].share.median);
		cJSON_AddItemToObject(t, "share_ci", pair(p->st[h].share.ci_lo,
		    p->st[h].share.ci_hi));
		cJSON_AddBoolToObject(t, "confirmed", h == p->bottleneck);
	} else
		cJSON_AddNullToObject(o, "hypothesis");
}

/* One stage's figures; a stage that never ran has its name, kind and n only. */
static cJSON *
data_stage(const struct prof_stage *ps)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "name", ps->name);
	cJSON_AddStringToObject(s, "kind", ps->fetch ? "fetch" : "run");
	cJSON_AddNumberToObject(s, "n", ps->n);
	if (ps->n == 0)
		return s;
	cJSON_AddNumberToObject(s, "median_ms", ps->wall.median);
	cJSON_AddItemToObject(s, "ci_ms", pair(ps->wall.ci_lo, ps->wall.ci_hi));
	cJSON_AddNumberToObject(s, "mean_ms", ps->wall.mean);
	cJSON_AddNumberToObject(s, "sd_ms", ps->wall.sd);
	cJSON_AddNumberToObject(s, "min_ms", ps->wall.min);
	cJSON_AddNumberToObject(s, "p95_ms", ps->wall.p95);
	cJSON_AddNumberToObject(s, "p99_ms", ps->wall.p99);
	cJSON_AddNumberToObject(s, "max_ms", ps->wall.max);
	cJSON_AddNumberToObject(s, "cv", ps->wall.cv);
	cJSON_AddNumberToObject(s, "share", ps->share.median);
	cJSON_AddItemToObject(s, "share_ci", pair(ps->share.ci_lo, ps->share.ci_hi));
	cJSON_AddNumberToObject(s, "cpu_util", ps->util);
	cJSON_AddStringToObject(s, "class", ps->klass);
	cJSON_AddNumberToObject(s, "peak_rss_kb", (double)ps->rss_kb);
	cJSON_AddNumberToObject(s, "read_bytes", ps->read_bytes);
	cJSON_AddNumberToObject(s, "write_bytes", ps->write_bytes);
	cJSON_AddNumberToObject(s, "outliers", ps->outliers);
	if (ps->nconc > 0) {
		cJSON *c = cJSON_AddArrayToObject(s, "concurrency");

		for (int k = 0; k < ps->nconc; k++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddNumberToObject(e, "n", ps->conc[k].n);
			cJSON_AddNumberToObject(e, "runs", ps->conc[k].runs);
			cJSON_AddBoolToObject(e, "from_stage_runs", ps->conc[k].from_runs);
			cJSON_AddNumberToObject(e, "throughput_Bps", ps->conc[k].throughput);
			cJSON_AddNumberToObject(e, "speedup", ps->conc[k].speedup);
			cJSON_AddItemToArray(c, e);
		}
	}
	return s;
}

/* Where and when it was measured: versions, machine, load, commit, spec. */
static void
data_context(struct prof *p, cJSON *ctx)
{
	cJSON_AddStringToObject(ctx, "perfd", PERFD_VERSION);
	cJSON_AddStringToObject(ctx, "started", p->started);
	cJSON_AddStringToObject(ctx, "ended", p->ended);
	cJSON_AddStringToObject(ctx, "kernel", p->kernel);
	cJSON_AddStringToObject(ctx, "cpu_model", p->cpu_model);
	cJSON_AddNumberToObject(ctx, "cores", p->cores);
	cJSON_AddNumberToObject(ctx, "load_before", p->load_before);
	cJSON_AddNumberToObject(ctx, "load_after", p->load_after);
	if (p->git_commit != NULL)
		cJSON_AddStringToObject(ctx, "git_commit", p->git_commit);
	else
		cJSON_AddNullToObject(ctx, "git_commit");
	cJSON_AddStringToObject(ctx, "spec_hash", p->spec_hash);
}

/* How many counted runs there were, and why it stopped there. */
static cJSON *
runs_json(const struct prof *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "warmup", p->warmup);
	cJSON_AddNumberToObject(o, "counted", p->reps);
	cJSON_AddBoolToObject(o, "auto", p->auto_reps);
	cJSON_AddStringToObject(o, "stopped", p->stopped);
	return o;
}

cJSON *
prof_data_json(struct prof *p)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	data_verdicts(p, o);
	cJSON_AddStringToObject(o, "ci_method", "order statistics (binomial, >= 95%)");
	cJSON_AddNumberToObject(o, "shell_start_ms", p->shell_ms);
	cJSON_AddItemToObject(o, "runs", runs_json(p));
	arr = cJSON_AddArrayToObject(o, "stages");
	for (int i = 0; i < p->nstages; i++)
		cJSON_AddItemToArray(arr, data_stage(&p->st[i]));
	arr = cJSON_AddArrayToObject(o, "failures");
	for (int i = 0; i < p->nfail; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "run", p->fail[i].run);
		cJSON_AddStringToObject(e, "stage", p->fail[i].stage);
		cJSON_AddStringToObject(e, "error", p->fail[i].text);
		cJSON_AddItemToArray(arr, e);
	}
	data_context(p, cJSON_AddObjectToObject(o, "context"));
	return o;
}

static char *
ms(double v)
{
	return md_duration(v);
}

static void
stage_table(struct buf *b, struct prof *p)
{
	static const char *head[] = { "stage", "median", "95% CI", "p95", "share",
	    "CPU util", "peak RSS", "class", "runs" };
	int *idx = by_median(p);

	md_row(b, 9, head);
	md_rule(b, 9);
	for (int k = 0; k < p->nstages; k++) {
		struct prof_stage *ps = &p->st[idx[k]];
		char *c[9], *a, *z;

		if (ps->n == 0) {
			const char *row[9] = { ps->name, "failed", "", "", "", "", "", "", "0" };

			md_row(b, 9, row);
			continue;
		}
		a = ms(ps->wall.ci_lo);
		z = ms(ps->wall.ci_hi);
		c[0] = xstrdup(ps->name);
		c[1] = ms(ps->wall.median);
		c[2] = ps->wall.ci_exact ? xasprintf("%s – %s", a, z) : xstrdup("n < 6");
		c[3] = ms(ps->wall.p95);
		c[4] = xasprintf("%.1f%% (%.1f–%.1f)", ps->share.median * 100,
		    ps->share.ci_lo * 100, ps->share.ci_hi * 100);
		c[5] = xasprintf("%.2f", ps->util);
		c[6] = ps->fetch ? xstrdup("–") : xasprintf("%.1f MB", ps->rss_kb / 1024.0);
		c[7] = xstrdup(ps->klass);
		c[8] = xasprintf("%d", ps->n);
		md_row(b, 9, (const char *const *)c);
		for (int j = 0; j < 9; j++)
			free(c[j]);
		free(a);
		free(z);
	}
	free(idx);
}

static void
fetch_tables(struct buf *b, struct prof *p)
{
	for (int i = 0; i < p->nstages; i++) {
		struct prof_stage *ps = &p->st[i];
		double dns[1024], con[1024], ttfb[1024], xfer[1024], mbps[1024];
		struct stats s[5];
		int n = 0;

		if (!ps->fetch || ps->n == 0)
			continue;
		for (int r = p->warmup; r < p->warmup + p->reps && n < 1024; r++) {
			if (!ps->s[r].ok)
				continue;
			dns[n] = ps->s[r].fetch.dns_ms;
			con[n] = ps->s[r].fetch.connect_ms;
			ttfb[n] = ps->s[r].fetch.ttfb_ms;
			xfer[n] = ps->s[r].fetch.transfer_ms;
			mbps[n] = ps->s[r].fetch.bytes_per_s / 1e6;
			n++;
		}
		stats_compute(dns, n, &s[0]);
		stats_compute(con, n, &s[1]);
		stats_compute(ttfb, n, &s[2]);
		stats_compute(xfer, n, &s[3]);
		stats_compute(mbps, n, &s[4]);
		buf_printf(b, "\n### Fetch: %s\n\n`%s`, %.1f MB per transfer. Medians over "
		    "%d runs, in ms from the start of the request:\n\n| DNS | connect | "
		    "first byte | transfer (first to last byte) | throughput |\n"
		    "|---|---|---|---|---|\n| %.2f | %.2f | %.2f | %.2f | %.1f MB/s |\n",
		    ps->name, p->a->spec->stages[i].fetch_url,
		    (double)ps->s[p->warmup].fetch.bytes / 1e6, n, s[0].median,
		    s[1].median, s[2].median, s[3].median, s[4].median);
		if (ps->nconc > 0) {
			buf_puts(b, "\nConcurrent transfers of the same URL: the speed-up of "
			    "their aggregate throughput over one transfer, which is the stage's "
			    "own (its counted runs above, one transfer each). Each level ran 3 "
			    "times, and up to 5 when its speed-ups spread over 20% of their "
			    "median; medians, with the range of the runs:\n\n"
			    "| transfers at once | aggregate throughput | speed-up | range | "
			    "runs |\n|---|---|---|---|---|\n");
			for (int k = 0; k < ps->nconc; k++) {
				struct prof_conc *c = &ps->conc[k];

				if (c->runs == 0)
					buf_printf(b, "| %d | %s%s | | | 0 |\n", c->n,
					    c->error != NULL && strncmp(c->error, "not measured",
					    12) == 0 ? "" : "failed: ", c->error ? c->error : "?");
				else
					buf_printf(b, "| %d%s | %.1f MB/s | x%.2f | x%.2f–x%.2f | "
					    "%d |\n", c->n, c->from_runs ? " (the stage as it "
					    "runs)" : "", c->throughput / 1e6, c->speedup,
					    c->speedup_lo, c->speedup_hi, c->runs);
			}
		}
	}
}

/* The end-to-end line: median, its CI, rows per second. */
static void
md_total(struct buf *b, struct prof *p)
{
	char *t;

	if (p->ntotals == 0)
		return;
	t = ms(p->total.median);
	buf_printf(b, "End to end: median %s over %d complete runs", t, p->ntotals);
	free(t);
	if (p->total.ci_exact) {
		char *lo = ms(p->total.ci_lo), *hi = ms(p->total.ci_hi);

		buf_printf(b, " (95%% CI %s – %s)", lo, hi);
		free(lo);
		free(hi);
	}
	if (p->a->spec->rows > 0)
		buf_printf(b, ", %.0f rows/s for %lld rows", (double)p->a->spec->rows *
		    1000 / p->total.median, (long long)p->a->spec->rows);
	buf_puts(b, ".\n\n");
}

/* The flame graph and the self-time table, or why there is none. */
static void
md_cpu(struct buf *b, struct prof *p)
{
	buf_puts(b, "\n## CPU profile\n\n");
	if (p->have_flame) {
		buf_printf(b, "%s\n\n![flame graph](flamegraph.svg)\n\nStacks: "
		    "[stacks.folded](stacks.folded). Functions with the most samples "
		    "of their own (self time):\n\n| function | self samples | share |\n"
		    "|---|---|---|\n", p->perf_note);
		for (int i = 0; i < p->ntop; i++) {
			char *c = md_cell(p->top[i].func);

			buf_printf(b, "| `%s` | %ld | %.1f%% |\n", c, p->top[i].samples,
			    100.0 * p->top[i].samples / (double)p->perf_samples);
			free(c);
		}
	} else
		buf_printf(b, "%s\n", p->perf_note);
}

/* Where and how it was measured. */
static void
md_context(struct buf *b, struct prof *p)
{
	buf_printf(b, "\n## Context\n\n- perfd %s; %s to %s\n- %s; %s, %d cores\n"
	    "- load average %.2f before, %.2f after, %.2f at most between runs\n"
	    "- workdir `%s`, commit %s\n- spec hash %s; %lld warmup + %lld counted runs "
	    "(repetitions %s; it stopped there: %s); process start %.3f ms (median of %d "
	    "empty runs, subtracted)\n"
	    "- raw runs: [runs.csv](runs.csv)\n", PERFD_VERSION, p->started, p->ended,
	    p->kernel, p->cpu_model, p->cores, p->load_before, p->load_after, p->load_max,
	    p->a->spec->workdir, p->git_commit ? p->git_commit : "(not a git repository)",
	    p->spec_hash, (long long)p->warmup, (long long)p->reps, p->auto_reps ? "auto" :
	    "fixed", p->stopped, p->shell_ms,
	    PROF_CALIBRATION_RUNS);
}

char *
prof_report_md(struct prof *p)
{
	struct buf b = { 0 };

	buf_printf(&b, "# Profiling report: %s\n\n", p->a->spec->name);
	buf_printf(&b, "## Verdict\n\n%s\n\n", p->f->headline);
	md_total(&b, p);
	buf_puts(&b, "## Stages\n\nLargest first. Times are wall-clock, with the cost of "
	    "starting `/bin/sh` subtracted from `run` stages; the CI is that of the "
	    "median (order statistics, distribution-free); the share is the stage's "
	    "part of each run's total, median and CI over runs.\n\n");
	stage_table(&b, p);
	buf_puts(&b, "\n![stages](stages.svg)\n");
	fetch_tables(&b, p);
	if (p->mx != NULL) {
		char *sum = prof_matrix_summary(p);

		buf_printf(&b, "\n## Scaling matrix\n\n%s", sum);
		free(sum);
	}
	buf_puts(&b, "\n## Votes\n\n");
	for (int i = 0; i < p->f->nvotes; i++)
		buf_printf(&b, "- **%s**: %s — %s\n", p->f->votes[i].stage,
		    p->f->votes[i].vote, p->f->votes[i].reason);
	if (p->f->nrecs > 0) {
		buf_puts(&b, "\n## Recommendations\n\n");
		for (int i = 0; i < p->f->nrecs; i++) {
			struct recommendation *r = &p->f->recs[i];

			buf_printf(&b, "- **%s** (%s, local x%.2f on %s). %s. How: %s\n",
			    r->title, findings_kind_phrase(r->kind), r->local_speedup,
			    r->stage, r->evidence, r->apply);
		}
	}
	if (p->nfail > 0) {
		buf_puts(&b, "\n## Failures\n\n");
		for (int i = 0; i < p->nfail; i++)
			buf_printf(&b, "- %s %d, %s:\n\n```\n%s\n```\n", p->fail[i].run < 0 ?
			    "warmup" : "run", abs(p->fail[i].run), p->fail[i].stage,
			    p->fail[i].text);
	}
	buf_puts(&b, "\n## Warnings\n\n");
	if (p->f->nwarnings == 0)
		buf_puts(&b, "None.\n");
	for (int i = 0; i < p->f->nwarnings; i++)
		buf_printf(&b, "- %s\n", p->f->warnings[i]);
	md_cpu(&b, p);
	md_context(&b, p);
	return b.p;
}
