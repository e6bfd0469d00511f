/* cmd-run.c - "perfd run": the supervisor in this process, no daemon. */
#include "cli.h"
#include "dbdriver.h"
#include "store.h"
#include "supervisor.h"
#include "ui.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The signals that end a run as a cancel: agents stopped, the investigation
 * recorded `cancelled`. SIGHUP too: a closed terminal must not leave the
 * agents running unsupervised and the investigation `running` forever.
 */
static const int run_signals[] = { SIGINT, SIGTERM, SIGHUP };

struct run_state {
	struct sup	*sup;
	struct ui	*ui;
	uv_signal_t	 sig[3];	/* run_signals[] */
	char		*id;
	char		*status;
	char		*report;
	int		 interrupted;
};

static void
on_event(void *arg, const char *id, int64_t seq, const char *line)
{
	struct run_state *r = arg;

	(void)id;
	(void)seq;
	ui_event(r->ui, line);
}

static void
signals_close(struct run_state *r)
{
	for (size_t i = 0; i < PERFD_ARRAY_LEN(run_signals); i++)
		uv_close((uv_handle_t *)&r->sig[i], NULL);
}

static void
on_finished(void *arg, const char *id, const char *status, const char *report)
{
	struct run_state *r = arg;

	(void)id;
	r->status = xstrdup(status);
	r->report = report != NULL ? xstrdup(report) : NULL;
	signals_close(r);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct run_state *r = s->data;
	char *cause = NULL;

	(void)signum;
	if (r->interrupted++ == 0 && r->id != NULL)
		sup_cancel(r->sup, r->id, &cause);
	free(cause);
}

/*
 * The state database, and the baseline's folder when --baseline names
 * one: 0, or the exit code after saying why.
 */
static int
open_state(struct cli *cli, struct store **st, char **base_dir)
{
	char *cause = NULL;

	if ((*st = cli_store(cli, &cause)) == NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		return EXIT_INTERNAL;
	}
	if (cli->baseline != NULL &&
	    (*base_dir = sup_resolve_baseline(*st, cli->baseline, &cause)) == NULL) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	return 0;
}

/* The signals that end a run as a cancel (see on_signal()). */
static void
signals_open(struct run_state *r, uv_loop_t *loop)
{
	for (size_t i = 0; i < PERFD_ARRAY_LEN(run_signals); i++) {
		uv_signal_init(loop, &r->sig[i]);
		r->sig[i].data = r;
		uv_signal_start(&r->sig[i], on_signal, run_signals[i]);
	}
}

int
cmd_run(struct cli *cli)
{
	struct run_state r;
	struct sup_hooks hooks = { on_event, on_finished, &r };
	char *errors = NULL, *cause = NULL, *spec_path, *out, *dir = NULL;
	char *base_dir = NULL;
	uv_loop_t *loop = uv_default_loop();
	struct store *st = NULL;
	struct spec *spec;
	int rc;

	memset(&r, 0, sizeof r);
	signal(SIGPIPE, SIG_IGN);
	spec_path = path_absolute(NULL, cli->argv[0]);
	spec = spec_parse_file(cli->argv[0], &db_driver_spec_kinds, &errors);
	if (spec == NULL) {
		fputs(errors, stderr);
		free(errors);
		free(spec_path);
		return EXIT_USAGE;
	}
	if ((rc = open_state(cli, &st, &base_dir)) != 0) {
		spec_free(spec);
		goto out;
	}
	rc = EXIT_INTERNAL;
	r.ui = ui_new(stdout, !cli->json && isatty(STDOUT_FILENO));
	r.sup = sup_new(loop, st, 1, &hooks);
	signals_open(&r, loop);
	out = cli->out != NULL ? path_absolute(NULL, cli->out) : path_dirname(spec_path);
	if (sup_submit(r.sup, spec, spec_path, out, base_dir, &r.id, &dir, &cause) != 0) {
		fprintf(stderr, "perfd: %s\n", cause);
		free(out);
		signals_close(&r);
		uv_run(loop, UV_RUN_DEFAULT);
		goto out;
	}
	free(out);
	uv_run(loop, UV_RUN_DEFAULT);
	rc = cli_status_exit(r.status);
	if (r.report != NULL)
		printf("master report: %s\n", r.report);
	else
		fprintf(stderr, "perfd: investigation %s %s without a master report "
		    "(see %s)\n", r.id, r.status ? r.status : "ended", dir);
out:
	uv_loop_close(loop);
	sup_free(r.sup);
	store_close(st);
	ui_free(r.ui);
	free(cause);
	free(spec_path);
	free(base_dir);
	free(dir);
	free(r.id);
	free(r.status);
	free(r.report);
	return rc;
}
