/* bench-pgprobe.c - the PostgreSQL probe's cost against a plain libpq loop, and a scratch cluster's.
 *
 * usage: bench-pgprobe [ROWS]     (default 20000)
 * Starts a scratch cluster (timed: initdb, start, and the stop with its
 * folder removed are what each database agent pays once), then inserts
 * ROWS rows shaped like (ts bigint, price real, side text) with one prepared
 * statement in one transaction, by the probe and by a plain libpq loop,
 * into a table made again for each run; 7 alternating runs each. Prints the
 * probe's rows/s as a share of the loop's (goal >= 90%). A benchmark: it
 * never fails on the figure.
 */
#include "now.h"
#include "pgcluster.h"
#include "pgprobe.h"
#include "stats.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 7
#define DDL "CREATE TABLE public.t (id bigserial PRIMARY KEY, ts bigint, price real, side text)"

static double
plain_loop(const char *ci, int rows)
{
	PGconn *c = PQconnectdb(ci);
	const char *params[3];
	char ts[32], price[32], side[32];
	uint64_t t0;

	PQclear(PQexec(c, "DROP TABLE IF EXISTS public.t"));
	PQclear(PQexec(c, DDL));
	PQclear(PQprepare(c, "ins", "INSERT INTO public.t (ts, price, side) VALUES ($1, $2, $3)",
	    0, NULL));
	t0 = now_ns();
	PQclear(PQexec(c, "BEGIN"));
	for (long long n = 0; n < rows; n++) {
		snprintf(ts, sizeof ts, "%lld", n);
		snprintf(price, sizeof price, "%.1f", (double)n * 0.5);
		snprintf(side, sizeof side, "p%lld", n);
		params[0] = ts;
		params[1] = price;
		params[2] = side;
		PQclear(PQexecPrepared(c, "ins", 3, params, NULL, NULL, 0));
	}
	PQclear(PQexec(c, "COMMIT"));
	t0 = now_ns() - t0;
	PQclear(PQexec(c, "DROP TABLE public.t"));
	PQfinish(c);
	return rows / ((double)t0 / 1e9);
}

int
main(int argc, char **argv)
{
	int rows = argc > 1 ? atoi(argv[1]) : 20000;
	double pr[RUNS], lp[RUNS], start_ms, stop_ms;
	struct pgcluster cl;
	struct stats a, b;
	char *cause = NULL, *ci;
	uint64_t t0 = now_ns();

	if (pgcluster_start(&cl, "/tmp", 15, NULL, &cause) != 0) {
		fprintf(stderr, "bench-pgprobe: %s\n", cause);
		return 1;
	}
	start_ms = now_ms_since(t0);
	ci = pgcluster_conninfo(&cl);
	for (int r = 0; r < RUNS; r++) {
		struct pgprobe p;
		double secs;

		if (pgprobe_open(&p, PQconnectdb(ci), "public.t", DDL, &cause) != 0) {
			fprintf(stderr, "bench-pgprobe: %s\n", cause);
			return 1;
		}
		secs = pgprobe_insert(&p, rows, rows, 1, &cause);
		pgprobe_close(&p);
		pr[r] = rows / secs;
		lp[r] = plain_loop(ci, rows);
	}
	t0 = now_ns();
	pgcluster_stop(&cl);
	stop_ms = now_ms_since(t0);
	stats_compute(pr, RUNS, &a);
	stats_compute(lp, RUNS, &b);
	printf("scratch cluster: %.0f ms to make and start, %.0f ms to stop and remove\n",
	    start_ms, stop_ms);
	printf("probe, prepared in a transaction: %.0f rows/s (median of %d)\n", a.median, RUNS);
	printf("plain libpq loop, same inserts:   %.0f rows/s (median of %d)\n", b.median, RUNS);
	printf("probe / loop: %.1f%% (goal >= 90%%)\n", 100 * a.median / b.median);
	free(ci);
	return 0;
}
