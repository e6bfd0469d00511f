/* dbshared.c - what the two database agents share: the target stage, bad input, the probe runs. */
#include "dbshared.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct db_driver *
db_drv(const struct spec *sp)
{
	const struct db_driver *d = db_driver(sp->db_kind);

	if (d == NULL)
		fatal("no driver for database kind '%s'", sp->db_kind);
	return d;
}

void
db_count_rows(void *arg, int after)
{
	struct row_count *rc = arg;
	char *cause = NULL;
	long long n = db_drv(rc->spec)->count(rc->spec, &cause);

	free(cause);
	if (!after)
		rc->before = n;
	else if (rc->before >= 0 && n >= rc->before && rc->rows <= 0)
		rc->rows = (double)(n - rc->before);
}

int
db_check(struct agent *a, char **cause)
{
	int rc;

	agent_lock(a);
	rc = db_drv(a->spec)->check(a->spec, 5000, cause);
	agent_unlock(a);
	return rc;
}

int
db_stage(const struct spec *sp)
{
	if (sp->client_stage != NULL)
		return spec_stage_index(sp, sp->client_stage);
	if (sp->has_batch)
		return spec_stage_index(sp, sp->batch_stage);
	return -1;
}

int
db_abstain(struct agent *a, const char *status, const char *report_name,
    const char *title, const char *why)
{
	struct findings *f = findings_new(a->name, status);
	char *md;
	int rc;

	f->headline = xstrdup(why);
	for (int s = 0; s < a->spec->nstages; s++)
		findings_vote(f, a->spec->stages[s].name, "abstain", "%s", why);
	md = xasprintf("# %s: %s\n\n%s\n", title, a->spec->name, why);
	rc = agent_publish(a, f, report_name, md);
	agent_progress(a, 100, "%s", why);
	free(md);
	findings_free(f);
	return rc == 0 ? 0 : 1;
}

/* One run on a fresh scratch copy: rows/s, or -1 with *cause. */
static double
one_run(struct agent *a, const char *const *settings, int rows, int cadence,
    int prepared, char **cause)
{
	const struct db_driver *d = db_drv(a->spec);
	char *path = agent_path(a, "scratch.db");
	struct db_scratch *s;
	double secs = -1;

	/* The copy reads the user's database: under the lock, see db_locked(). */
	agent_lock(a);
	s = d->scratch(a->spec, path, cause);
	free(path);
	if (s == NULL) {
		agent_unlock(a);
		return -1;
	}
	for (int i = 0; settings != NULL && settings[i] != NULL; i++) {
		char *name = xstrdup(settings[i]), *eq = strchr(name, '=');
		int rc;

		*eq = '\0';
		rc = d->set(s, name, eq + 1, cause);
		free(name);
		if (rc != 0) {
			agent_unlock(a);
			d->close(s);
			return -1;
		}
	}
	secs = d->insert(s, rows, cadence, prepared, cause);
	agent_unlock(a);
	d->close(s);
	return secs > 0 ? rows / secs : -1;
}

int
db_measure(struct agent *a, const char *const *pragmas, int rows, int cadence,
    int prepared, int reps, struct stats *st, char **cause)
{
	double *x = xcalloc((size_t)reps, sizeof *x);
	int n = 0;

	for (int r = -1; r < reps; r++) {	/* r = -1: a warm-up, not counted */
		double v = one_run(a, pragmas, rows, cadence, prepared, cause);

		if (v < 0) {
			free(x);
			return -1;
		}
		if (r >= 0)
			x[n++] = v;
	}
	stats_compute(x, n, st);
	free(x);
	return 0;
}

int
db_measure_pair(struct agent *a, const char *const *base, const char *const *cand,
    int rows, int cadence, int reps, struct stats *sb, struct stats *sc,
    struct stats *ratio, char **cause)
{
	double *xb = xcalloc((size_t)reps, sizeof *xb), *xc = xcalloc((size_t)reps, sizeof *xc);
	double *xr = xcalloc((size_t)reps, sizeof *xr);
	int rc = -1;

	if (one_run(a, base, rows, cadence, 1, cause) < 0)	/* warm-up */
		goto out;
	for (int r = 0; r < reps; r++) {
		xb[r] = one_run(a, base, rows, cadence, 1, cause);
		if (xb[r] < 0)
			goto out;
		xc[r] = one_run(a, cand, rows, cadence, 1, cause);
		if (xc[r] < 0)
			goto out;
		xr[r] = xc[r] / xb[r];
	}
	stats_compute(xb, reps, sb);
	stats_compute(xc, reps, sc);
	stats_compute(xr, reps, ratio);
	rc = 0;
out:
	free(xb);
	free(xc);
	free(xr);
	return rc;
}
