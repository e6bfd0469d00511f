/* bench-probe.c - the SQLite probe's cost against a plain C loop of the same inserts.
 *
 * usage: bench-probe [ROWS]     (default 50000)
 * Both insert ROWS rows shaped like (ts INTEGER, price REAL, side TEXT) with
 * one prepared statement in one transaction, into fresh copies of the same
 * database; 7 alternating runs each. Prints the probe's rows/s as a share
 * of the loop's (goal >= 90%). A benchmark: it never fails on the figure.
 */
#include "sqlprobe.h"
#include "stats.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define RUNS 7

static double
plain_loop(const char *path, int rows)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	uint64_t t0;
	char text[48];

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "INSERT INTO t (ts, price, side) VALUES (?, ?, ?)", -1, &st, NULL);
	t0 = now_ns();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long long n = 1000000000000LL; n < 1000000000000LL + rows; n++) {
		sqlite3_bind_int64(st, 1, n);
		sqlite3_bind_double(st, 2, (double)n * 0.5);
		snprintf(text, sizeof text, "perfd-probe-%lld", n);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	t0 = now_ns() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rows / ((double)t0 / 1e9);
}

int
main(int argc, char **argv)
{
	int rows = argc > 1 ? atoi(argv[1]) : 50000;
	char dir[] = "/tmp/perfd-bench-probe-XXXXXX", *src, *scratch, *cause = NULL, *cmd;
	double pr[RUNS], lp[RUNS];
	struct stats a, b;
	sqlite3 *db;

	if (mkdtemp(dir) == NULL)
		return 1;
	src = path_join(dir, "src.db");
	scratch = path_join(dir, "scratch.db");
	sqlite3_open(src, &db);
	sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, ts INTEGER, price REAL, "
	    "side TEXT)", NULL, NULL, NULL);
	sqlite3_close(db);
	for (int r = 0; r < RUNS; r++) {
		struct probe p;
		double secs;

		if (sqlprobe_open(&p, src, scratch, "t", &cause) != 0) {
			fprintf(stderr, "bench-probe: %s\n", cause);
			return 1;
		}
		secs = sqlprobe_insert(&p, rows, rows, 1, &cause);
		sqlprobe_close(&p);
		pr[r] = rows / secs;
		unlink(scratch);
		cmd = xasprintf("cp '%s' '%s'", src, scratch);
		if (system(cmd) != 0)
			return 1;
		free(cmd);
		lp[r] = plain_loop(scratch, rows);
		unlink(scratch);
	}
	stats_compute(pr, RUNS, &a);
	stats_compute(lp, RUNS, &b);
	printf("probe, prepared in a transaction: %.0f rows/s (median of %d)\n", a.median, RUNS);
	printf("plain C loop, same inserts:       %.0f rows/s (median of %d)\n", b.median, RUNS);
	printf("probe / loop: %.1f%% (goal >= 90%%)\n", 100 * a.median / b.median);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(src);
	free(scratch);
	return 0;
}
