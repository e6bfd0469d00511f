/* cmd-compare.c - perfd compare and perfd history: the regression gate and trends. */
#include "cli.h"
#include "compare.h"
#include "store.h"
#include "svg.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "5%" or "5" -> 0.05; -1 when malformed. */
static double
parse_threshold(const char *s)
{
	char *end;
	double v;

	if (s == NULL)
		return 0.05;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtod(s, &end);
	if (!(*end == '\0' || (end[0] == '%' && end[1] == '\0')) || v > 1000)
		return -1;
	return v / 100;
}

/* text (then freed) into path, whole or not at all: 0, or -1 after saying why. */
static int
write_made(const char *path, char *text)
{
	char *cause = NULL;
	int rc = file_write_atomic(path, text, strlen(text), &cause);

	if (rc != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
	}
	free(text);
	return rc;
}

/* The comparison as text or JSON, and as markdown and metrics when asked: the exit code. */
static int
compare_show(struct cli *cli, struct comparison *c)
{
	char *text;

	if (cli->json) {
		cJSON *o = compare_json(c);

		text = cJSON_Print(o);
		cJSON_Delete(o);
		printf("%s\n", text);
	} else {
		text = compare_text(c);
		fputs(text, stdout);
	}
	free(text);
	if ((cli->markdown != NULL && write_made(cli->markdown, compare_markdown(c)) != 0) ||
	    (cli->openmetrics != NULL && write_made(cli->openmetrics,
	    cli_openmetrics_compare(c)) != 0))
		return EXIT_INTERNAL;
	if (c->machine != NULL)
		fprintf(stderr, "perfd: warning: %s\n", c->machine);
	return c->fails > 0 ? EXIT_FAILED : EXIT_OK;
}

int
cmd_compare(struct cli *cli)
{
	struct runset base, cand;
	struct comparison c;
	double threshold = parse_threshold(cli->threshold);
	char *cause = NULL;
	int p95 = 0, rc = EXIT_USAGE;

	if (threshold < 0) {
		fprintf(stderr, "perfd: --threshold takes a percentage such as 5%%\n");
		return EXIT_USAGE;
	}
	if (cli->metric != NULL) {
		if (strcmp(cli->metric, "p95") == 0)
			p95 = 1;
		else if (strcmp(cli->metric, "median") != 0) {
			fprintf(stderr, "perfd: --metric is median or p95\n");
			return EXIT_USAGE;
		}
	}
	if (compare_runset_load(cli->argv[0], cli->state, &base, &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		compare_runset_free(&base);
		return EXIT_USAGE;
	}
	if (compare_runset_load(cli->argv[1], cli->state, &cand, &cause) != 0)
		fprintf(stderr, "perfd: %s\n", cause);
	else if (compare_run(&base, &cand, threshold, p95, &c, &cause) != 0)
		fprintf(stderr, "perfd: %s\n", cause);
	else {
		rc = compare_show(cli, &c);
		compare_free(&c);
	}
	free(cause);
	compare_runset_free(&base);
	compare_runset_free(&cand);
	return rc;
}

/* A step between consecutive investigations: significant and over 5%. */
static int
step(const double *a, int na, const double *b, int nb, double *change)
{
	struct stats sa, sb;
	struct mwu t;

	if (na < MWU_MIN_N || nb < MWU_MIN_N)
		return 0;
	stats_compute(a, na, &sa);
	stats_compute(b, nb, &sb);
	mwu_test(a, na, b, nb, &t);
	*change = sa.median > 0 ? (sb.median - sa.median) / sa.median : 0;
	return t.p < 0.05 && fabs(*change) > 0.05;
}

static double
median_of(const double *x, int n)
{
	struct stats s;

	if (n == 0)
		return NAN;
	stats_compute(x, n, &s);
	return s.median;
}

/* The history's table and chart: one column per investigation. */
struct history {
	struct runset	 *rs;
	int		  n;		/* investigations */
	int		  nst;		/* stages */
	char		**labels;	/* when each ran */
	char		**marks;	/* its steps, or NULL */
	double		**vals;		/* [stage or nst: end to end][investigation] */
};

/*
 * The finished investigations of name with their folders in place, the
 * newest limit, skipping (and saying so) any whose stages differ from the
 * first's: how many, or -1 with *cause.
 */
static int
history_load(struct cli *cli, struct history *h, char **cause)
{
	struct store *st = cli_store(cli, cause);
	cJSON *list, *inv;

	if (st == NULL)
		return -1;
	list = store_by_name(st, cli->argv[0], cli->last > 0 ? cli->last : 20);
	store_close(st);
	h->rs = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *h->rs);
	cJSON_ArrayForEach(inv, list) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(inv, "id"));
		struct runset *r = &h->rs[h->n];

		if (compare_runset_load(id, cli->state, r, cause) != 0) {
			fprintf(stderr, "perfd: skipping %s: %s\n", id, *cause);
			free(*cause);
			*cause = NULL;
			compare_runset_free(r);
			continue;
		}
		if (h->n > 0 && r->nstages != h->rs[0].nstages) {
			fprintf(stderr, "perfd: skipping %s: its stages differ\n", id);
			compare_runset_free(r);
			continue;
		}
		h->n++;
	}
	cJSON_Delete(list);
	return h->n;
}

/* Row i of the table, printed, and its column of the chart. */
static void
history_row(struct history *h, int i)
{
	const struct runset *r = &h->rs[i], *prev = i > 0 ? &h->rs[i - 1] : NULL;
	struct buf steps = { 0 };
	char *when = r->when_ms > 0 ? now_iso((int64_t)r->when_ms) : xstrdup("-");
	double change;

	h->labels[i] = xstrndup(when, 16);
	h->vals[h->nst][i] = median_of(r->total, r->ntotal);
	printf("%-28s %-20.19s %-9.8s %12.2f", r->id, when, r->commit ? r->commit : "-",
	    h->vals[h->nst][i]);
	for (int s = 0; s < h->nst; s++) {
		h->vals[s][i] = median_of(r->wall[s], r->n[s]);
		printf(" %12.2f", h->vals[s][i]);
		if (prev != NULL && step(prev->wall[s], prev->n[s], r->wall[s], r->n[s],
		    &change))
			buf_printf(&steps, "%s%s %+.0f%%", steps.len ? ", " : "",
			    h->rs[0].stages[s], change * 100);
	}
	if (prev != NULL && step(prev->total, prev->ntotal, r->total, r->ntotal, &change))
		buf_printf(&steps, "%send to end %+.0f%%", steps.len ? ", " : "",
		    change * 100);
	printf("  %s\n", steps.p != NULL ? steps.p : "");
	h->marks[i] = steps.p;
	free(when);
}

/* The chart, written beside the output or in the current folder. */
static void
history_chart(struct cli *cli, struct history *h)
{
	const char **names = xcalloc((size_t)h->nst + 1, sizeof *names);
	char *title = xasprintf("%s: median per stage over %d investigations "
	    "(steps: significant shifts over 5%%)", cli->argv[0], h->n);
	char *svg, *path, *cause = NULL;

	for (int s = 0; s < h->nst; s++)
		names[s] = h->rs[0].stages[s];
	names[h->nst] = "end to end";
	svg = svg_lines(title, "median (ms)", h->nst + 1, names, h->n,
	    (const char *const *)h->labels, (const double *const *)h->vals,
	    (const char *const *)h->marks);
	free(names);
	free(title);
	path = cli->out != NULL ? path_join(cli->out, "history.svg") :
	    xasprintf("history-%s.svg", cli->argv[0]);
	if (file_write_atomic(path, svg, strlen(svg), &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
	} else
		printf("chart: %s\n", path);
	free(path);
	free(svg);
}

static void
history_free(struct history *h)
{
	for (int i = 0; i < h->n; i++) {
		if (h->labels != NULL) {
			free(h->labels[i]);
			free(h->marks[i]);
		}
		compare_runset_free(&h->rs[i]);
	}
	for (int s = 0; h->vals != NULL && s <= h->nst; s++)
		free(h->vals[s]);
	free(h->vals);
	free(h->labels);
	free(h->marks);
	free(h->rs);
}

int
cmd_history(struct cli *cli)
{
	struct history h = { 0 };
	char *cause = NULL;
	int n = history_load(cli, &h, &cause);

	if (n < 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		return EXIT_INTERNAL;
	}
	if (n == 0) {
		fprintf(stderr, "perfd: no finished investigation of '%s' with its folder "
		    "in place\n", cli->argv[0]);
		history_free(&h);
		return EXIT_USAGE;
	}
	h.nst = h.rs[0].nstages;
	h.labels = xcalloc((size_t)n, sizeof *h.labels);
	h.marks = xcalloc((size_t)n, sizeof *h.marks);
	h.vals = xcalloc((size_t)h.nst + 1, sizeof *h.vals);
	for (int s = 0; s <= h.nst; s++)
		h.vals[s] = xcalloc((size_t)n, sizeof **h.vals);
	printf("%-28s %-20s %-9s %12s", "investigation", "time", "commit", "end to end");
	for (int s = 0; s < h.nst; s++)
		printf(" %12s", h.rs[0].stages[s]);
	printf("  steps\n");
	for (int i = 0; i < n; i++)
		history_row(&h, i);
	history_chart(cli, &h);
	history_free(&h);
	return EXIT_OK;
}
