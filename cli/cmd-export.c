/* cmd-export.c - perfd export: an investigation's headline figures as metrics. */
#include "cli.h"
#include "compare.h"
#include "openmetrics.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The investigation's figures from its master report's JSON: end to end, stages, top change. */
static void
export_master(struct buf *b, const struct runset *r)
{
	const cJSON *m = r->master, *st, *top = cJSON_GetArrayItem(cJSON_GetObjectItem(m,
	    "recommendations"), 0);
	const cJSON *total = cJSON_GetObjectItem(m, "total_ms");
	const char *base[] = { "pipeline", r->name, "investigation", r->id, NULL };

	openmetrics_family(b, "perfd_end_to_end_seconds", "gauge", "seconds", "The pipeline's "
	    "end-to-end median run time, as perfd's profiling measured it.");
	if (cJSON_IsNumber(total))
		openmetrics_sample(b, "perfd_end_to_end_seconds", base, total->valuedouble / 1000);
	openmetrics_family(b, "perfd_stage_seconds", "gauge", "seconds", "Each stage's median run time.");
	cJSON_ArrayForEach(st, cJSON_GetObjectItem(m, "stages")) {
		const char *l[] = { "pipeline", r->name, "investigation", r->id, "stage",
		    cJSON_GetStringValue(cJSON_GetObjectItem(st, "name")), NULL };
		const cJSON *v = cJSON_GetObjectItem(st, "median_ms");

		if (cJSON_IsNumber(v))
			openmetrics_sample(b, "perfd_stage_seconds", l, v->valuedouble / 1000);
	}
	openmetrics_family(b, "perfd_stage_share_ratio", "gauge", "ratio", "Each stage's share of the "
	    "end-to-end time (0 to 1).");
	cJSON_ArrayForEach(st, cJSON_GetObjectItem(m, "stages")) {
		const char *l[] = { "pipeline", r->name, "investigation", r->id, "stage",
		    cJSON_GetStringValue(cJSON_GetObjectItem(st, "name")), NULL };
		const cJSON *v = cJSON_GetObjectItem(st, "share");

		if (cJSON_IsNumber(v))
			openmetrics_sample(b, "perfd_stage_share_ratio", l, v->valuedouble);
	}
	openmetrics_family(b, "perfd_top_recommendation_speedup_ratio", "gauge", "ratio", "The top "
	    "recommendation's predicted end-to-end speed-up (2 is twice as fast), with its "
	    "stage, priority and evidence kind (pipeline, probe or estimate).");
	if (top != NULL && cJSON_IsNumber(cJSON_GetObjectItem(top, "end_to_end_speedup"))) {
		const char *l[] = { "pipeline", r->name, "investigation", r->id, "stage",
		    cJSON_GetStringValue(cJSON_GetObjectItem(top, "stage")), "priority",
		    cJSON_GetStringValue(cJSON_GetObjectItem(top, "priority")), "evidence",
		    cJSON_GetStringValue(cJSON_GetObjectItem(top, "evidence_kind")), NULL };

		openmetrics_sample(b, "perfd_top_recommendation_speedup_ratio", l,
		    cJSON_GetObjectItem(top, "end_to_end_speedup")->valuedouble);
	}
}

char *
cli_openmetrics_compare(const struct comparison *c)
{
	struct buf b = { 0 };
	const char *pair[] = { "base", c->base->id, "candidate", c->cand->id, NULL };

	openmetrics_family(&b, "perfd_compare_verdict", "gauge", NULL, "perfd compare's verdict: 0 pass, "
	    "1 warn (slower beyond the threshold, not significant), 2 fail (slower beyond the "
	    "threshold, significant).");
	openmetrics_sample(&b, "perfd_compare_verdict", pair, c->fails > 0 ? 2 : c->warns > 0 ? 1 : 0);
	openmetrics_family(&b, "perfd_compare_failed_rows", "gauge", NULL, "Rows that failed (stages, "
	    "end to end, matrix cells).");
	openmetrics_sample(&b, "perfd_compare_failed_rows", pair, c->fails);
	openmetrics_family(&b, "perfd_compare_change_ratio", "gauge", "ratio", "Each stage's change of "
	    "the compared metric, (candidate - base) / base: 0.1 is 10% slower.");
	for (int i = 0; i < c->nrows; i++) {
		const char *l[] = { "base", c->base->id, "candidate", c->cand->id, "stage",
		    c->rows[i].stage != NULL ? c->rows[i].stage : "end to end", NULL };

		openmetrics_sample(&b, "perfd_compare_change_ratio", l, c->rows[i].change);
	}
	openmetrics_end(&b);
	return b.p;
}

int
cmd_export(struct cli *cli)
{
	struct runset r;
	struct buf b = { 0 };
	char *cause = NULL;
	int rc = EXIT_OK;

	if (cli->format != NULL && strcmp(cli->format, "openmetrics") != 0) {
		fprintf(stderr, "perfd: --format takes openmetrics\n");
		return EXIT_USAGE;
	}
	if (compare_runset_load(cli->argv[0], cli->state, &r, &cause) != 0 || r.master == NULL) {
		fprintf(stderr, "perfd: %s\n", cause != NULL ? cause : "the investigation has no "
		    "master report to export");
		free(cause);
		compare_runset_free(&r);
		return EXIT_USAGE;
	}
	export_master(&b, &r);
	openmetrics_end(&b);
	if (cli->out == NULL)
		fputs(b.p, stdout);
	else if (file_write_atomic(cli->out, b.p, b.len, &cause) != 0) {
		/* Atomic: a textfile collector never reads half a file. */
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		rc = EXIT_INTERNAL;
	}
	buf_free(&b);
	compare_runset_free(&r);
	return rc;
}
