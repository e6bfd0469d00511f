/* bench-overhead.c - perfd's cost of timing one command, against hyperfine.
 *
 * usage: bench-overhead [RUNS]     (default 200)
 * Times `true` RUNS times with perfd's command runner (fork, exec, wait4,
 * /proc/PID/io: what every stage measurement costs), then runs
 * `hyperfine -N --runs RUNS true` on the same machine, in the same run,
 * and prints the ratio of the means. Goal: <= 1.0. A benchmark: it never
 * fails on the figure.
 */
#include "run.h"
#include "stats.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
hyperfine(int runs, double *mean_ms, double *median_ms)
{
	char json[] = "/tmp/perfd-hyperfine-XXXXXX", *cmd, *text, *cause = NULL;
	int fd = mkstemp(json), rc = -1;
	cJSON *o, *r;

	if (fd < 0)
		return -1;
	close(fd);
	cmd = xasprintf("hyperfine -N --warmup 10 --runs %d --export-json %s true "
	    ">/dev/null 2>&1", runs, json);
	if (system(cmd) == 0 && (text = file_read(json, 1 << 24, NULL, &cause)) != NULL) {
		o = cJSON_Parse(text);
		r = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "results"), 0);
		if (r != NULL) {
			*mean_ms = cJSON_GetObjectItem(r, "mean")->valuedouble * 1000;
			*median_ms = cJSON_GetObjectItem(r, "median")->valuedouble * 1000;
			rc = 0;
		}
		cJSON_Delete(o);
		free(text);
	}
	free(cause);
	free(cmd);
	unlink(json);
	return rc;
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 200;
	char *const args[] = { "true", NULL };
	struct run_opts o = { .argv = args };
	double *x = xcalloc((size_t)runs, sizeof *x), hmean, hmedian;
	struct run_result r;
	struct stats st;

	for (int i = 0; i < 10; i++)
		run_command(&o, &r);
	for (int i = 0; i < runs; i++) {
		run_command(&o, &r);
		x[i] = (double)r.wall_ns / 1e6;
	}
	stats_compute(x, runs, &st);
	printf("perfd runner, true:     mean %.3f ms, median %.3f ms (%d runs)\n",
	    st.mean, st.median, runs);
	if (hyperfine(runs, &hmean, &hmedian) != 0) {
		printf("hyperfine is not installed or failed: no ratio\n");
		return 0;
	}
	printf("hyperfine -N, true:     mean %.3f ms, median %.3f ms (%d runs)\n",
	    hmean, hmedian, runs);
	printf("ratio perfd / hyperfine: mean %.2f, median %.2f (goal <= 1.0)\n",
	    st.mean / hmean, st.median / hmedian);
	free(x);
	return 0;
}
