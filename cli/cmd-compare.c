/* cmd-compare.c - perfd compare and perfd history: the regression gate and trends. */
#include "cli.h"
#include "compare.h"
#include "paths.h"
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

int
cmd_compare(struct cli *cli)
{
	struct runset base, cand;
	struct comparison c;
	double threshold = parse_threshold(cli->threshold);
	char *cause = NULL, *text;
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
	if (compare_runset_load(cli->argv[1], cli->state, &cand, &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		goto out;
	}
	if (compare_run(&base, &cand, threshold, p95, &c, &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		goto out;
	}
	if (cli->json) {
		cJSON *o = compare_json(&c);

		text = cJSON_Print(o);
		cJSON_Delete(o);
		printf("%s\n", text);
	} else {
		text = compare_text(&c);
		fputs(text, stdout);
	}
	free(text);
	if (cli->markdown != NULL) {
		text = compare_markdown(&c);
		if (file_write_atomic(cli->markdown, text, strlen(text), &cause) != 0) {
			fprintf(stderr, "perfd: %s\n", cause);
			free(text);
			compare_free(&c);
			rc = EXIT_INTERNAL;
			goto out;
		}
		free(text);
	}
	if (c.machine != NULL)
		fprintf(stderr, "perfd: warning: %s\n", c.machine);
	rc = c.fails > 0 ? EXIT_FAILED : EXIT_OK;
	compare_free(&c);
out:
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

int
cmd_history(struct cli *cli)
{
	char *cause = NULL, *state = paths_state_dir(cli->state, &cause), *svg, *path;
	struct store *st = state != NULL ? store_open(state, &cause) : NULL;
	int limit = cli->last > 0 ? cli->last : 20, n = 0, nst = 0;
	struct runset *rs;
	cJSON *list, *inv;
	char **labels, **marks;
	double **vals;

	free(state);
	if (st == NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		return EXIT_INTERNAL;
	}
	list = store_by_name(st, cli->argv[0], limit);
	store_close(st);
	rs = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *rs);
	cJSON_ArrayForEach(inv, list) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(inv, "id"));

		if (compare_runset_load(id, cli->state, &rs[n], &cause) != 0) {
			fprintf(stderr, "perfd: skipping %s: %s\n", id, cause);
			free(cause);
			cause = NULL;
			compare_runset_free(&rs[n]);
			continue;
		}
		if (n > 0 && rs[n].nstages != rs[0].nstages) {
			fprintf(stderr, "perfd: skipping %s: its stages differ\n", id);
			compare_runset_free(&rs[n]);
			continue;
		}
		n++;
	}
	cJSON_Delete(list);
	if (n == 0) {
		fprintf(stderr, "perfd: no finished investigation of '%s' with its folder "
		    "in place\n", cli->argv[0]);
		free(rs);
		return EXIT_USAGE;
	}
	nst = rs[0].nstages;
	labels = xcalloc((size_t)n, sizeof *labels);
	marks = xcalloc((size_t)n, sizeof *marks);
	vals = xcalloc((size_t)nst + 1, sizeof *vals);
	for (int s = 0; s <= nst; s++)
		vals[s] = xcalloc((size_t)n, sizeof **vals);
	printf("%-28s %-20s %-9s %12s", "investigation", "time", "commit", "end to end");
	for (int s = 0; s < nst; s++)
		printf(" %12s", rs[0].stages[s]);
	printf("  steps\n");
	for (int i = 0; i < n; i++) {
		struct buf steps = { 0 };
		char *when = rs[i].when_ms > 0 ? now_iso((int64_t)rs[i].when_ms) : xstrdup("-");
		double change;

		labels[i] = xstrndup(when, 16);
		vals[nst][i] = median_of(rs[i].total, rs[i].ntotal);
		printf("%-28s %-20.19s %-9.8s %12.2f", rs[i].id, when,
		    rs[i].commit ? rs[i].commit : "-", vals[nst][i]);
		for (int s = 0; s < nst; s++) {
			vals[s][i] = median_of(rs[i].wall[s], rs[i].n[s]);
			printf(" %12.2f", vals[s][i]);
			if (i > 0 && step(rs[i - 1].wall[s], rs[i - 1].n[s], rs[i].wall[s],
			    rs[i].n[s], &change))
				buf_printf(&steps, "%s%s %+.0f%%", steps.len ? ", " : "",
				    rs[0].stages[s], change * 100);
		}
		if (i > 0 && step(rs[i - 1].total, rs[i - 1].ntotal, rs[i].total,
		    rs[i].ntotal, &change))
			buf_printf(&steps, "%send to end %+.0f%%", steps.len ? ", " : "",
			    change * 100);
		printf("  %s\n", steps.p != NULL ? steps.p : "");
		marks[i] = steps.p;
		free(when);
	}
	{
		const char **names = xcalloc((size_t)nst + 1, sizeof *names);
		char *title = xasprintf("%s: median per stage over %d investigations "
		    "(steps: significant shifts over 5%%)", cli->argv[0], n);

		for (int s = 0; s < nst; s++)
			names[s] = rs[0].stages[s];
		names[nst] = "end to end";
		svg = svg_lines(title, "median (ms)", nst + 1, names, n,
		    (const char *const *)labels, (const double *const *)vals,
		    (const char *const *)marks);
		free(names);
		free(title);
	}
	path = cli->out != NULL ? path_join(cli->out, "history.svg") : xasprintf("history-%s.svg",
	    cli->argv[0]);
	if (file_write_atomic(path, svg, strlen(svg), &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
	} else
		printf("chart: %s\n", path);
	free(path);
	free(svg);
	for (int i = 0; i < n; i++) {
		free(labels[i]);
		free(marks[i]);
		compare_runset_free(&rs[i]);
	}
	for (int s = 0; s <= nst; s++)
		free(vals[s]);
	free(vals);
	free(labels);
	free(marks);
	free(rs);
	return EXIT_OK;
}
