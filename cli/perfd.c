/* perfd.c - the perfd command: parse the command line, run a command. */
#include "cli.h"
#include "dbdriver.h"
#include "paths.h"
#include "server.h"
#include "store.h"
#include "spec.h"
#include "util.h"

#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static const struct command {
	const char	*name;
	int		(*fn)(struct cli *);
	int		 nargs;		/* operands: exact, or -1 for 0 or 1 */
	const char	*usage;
	const char	*help;
} commands[] = {
	{ "daemon", cmd_daemon, 0, "daemon [--socket PATH] [--state DIR] [--max-parallel N]",
	  "Run the daemon in the foreground, logging to stderr. It listens on the\n"
	  "socket (default $XDG_RUNTIME_DIR/perfd/perfd.sock, else\n"
	  "/tmp/perfd-UID/perfd.sock), keeps its state in DIR/perfd.db (default\n"
	  "$XDG_STATE_HOME/perfd, else ~/.local/state/perfd) and runs up to N\n"
	  "investigations at once (default 1); the others wait in a queue." },
	{ "submit", cmd_submit, 1, "submit SPEC [--out DIR] [--wait] [--json] [--baseline ID]",
	  "Validate SPEC and queue its investigation on the daemon. Prints the ID\n"
	  "(--json: the daemon's answer). The investigation's folder is\n"
	  "DIR/tmp/perf-optimization/ID (default DIR: the spec's folder). --wait\n"
	  "follows it to the end and prints the master report's path. --baseline\n"
	  "ID (or folder): the master report compares this run with it." },
	{ "status", cmd_status, -1, "status [ID] [--json]",
	  "One investigation in detail, or those running and queued." },
	{ "list", cmd_list, 0, "list [--json]",
	  "The last 50 investigations, newest first." },
	{ "watch", cmd_watch, 1, "watch ID [--json]",
	  "Follow an investigation's progress until it ends: one live line per\n"
	  "agent on a terminal, the events as JSON lines otherwise (or --json)." },
	{ "cancel", cmd_cancel, 1, "cancel ID",
	  "Stop a running investigation's five agents, or drop a queued one." },
	{ "report", cmd_report, 1, "report ID [--cat]",
	  "Print the path of the master report (--cat: its text)." },
	{ "check", cmd_check, 1, "check SPEC",
	  "Validate SPEC and print what would run, or every problem with its\n"
	  "file:line:column. Runs nothing." },
	{ "compare", cmd_compare, 2, "compare BASE CAND [--threshold 5%] [--metric median|p95] "
	  "[--json] [--markdown FILE] [--openmetrics FILE]",
	  "Compare two investigations (IDs, or investigation folders copied from\n"
	  "anywhere) stage by stage and end to end: median and p95 with their CIs,\n"
	  "the change, and a two-sided Mann-Whitney U test on the raw runs (exact\n"
	  "up to 20 runs a side without ties, normal approximation otherwise).\n"
	  "FAIL: slower by more than the threshold and significant (p < 0.05);\n"
	  "WARN: slower by more than the threshold, not significant; PASS otherwise.\n"
	  "A stage's own threshold (stages[].threshold in CAND's spec) wins.\n"
	  "--openmetrics FILE: the verdict as metrics (docs/compare.md).\n"
	  "Exit 0 when nothing fails, 1 when something fails, 2 on bad input." },
	{ "export", cmd_export, 1, "export ID [--format openmetrics] [--out FILE]",
	  "An investigation's headline figures (end-to-end and per-stage medians\n"
	  "and shares, the top recommendation's predicted speed-up) in the\n"
	  "OpenMetrics text format, for node_exporter's textfile collector or a\n"
	  "Pushgateway; --out writes FILE whole or not at all. ID: an ID or an\n"
	  "investigation folder." },
	{ "history", cmd_history, 1, "history NAME [--last N] [--out DIR]",
	  "One row per finished investigation of spec NAME (oldest first): time,\n"
	  "workdir commit, end-to-end and per-stage medians, and the steps: a\n"
	  "significant (Mann-Whitney p < 0.05) shift of over 5% from the previous\n"
	  "investigation. Writes history.svg (DIR/history.svg with --out, else\n"
	  "history-NAME.svg here)." },
	{ "run", cmd_run, 1, "run SPEC [--out DIR] [--state DIR] [--json] [--baseline ID]",
	  "Run the investigation in this process, without a daemon, showing its\n"
	  "progress, and print the master report's path at the end. --baseline\n"
	  "ID (or folder): the master report compares this run with it." },
};

static void
usage_all(FILE *f)
{
	fprintf(f, "usage: perfd COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < PERFD_ARRAY_LEN(commands); i++)
		fprintf(f, "  perfd %s\n", commands[i].usage);
	fprintf(f, "  perfd --version\n  perfd help [COMMAND]\n\n"
	    "Every command takes --socket PATH and --state DIR.\n\n"
	    "exit codes:\n"
	    "  0  success (run, submit --wait, watch: the investigation finished\n"
	    "     and wrote its master report)\n"
	    "  1  the investigation failed, was cancelled or was interrupted;\n"
	    "     compare: a row FAILed\n"
	    "  2  bad arguments, an invalid spec, an unknown ID\n"
	    "  3  no daemon answers on the socket\n"
	    "  4  an internal error (state database, I/O)\n");
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < PERFD_ARRAY_LEN(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static int
cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 1) {
		usage_all(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[0]);
	if (c == NULL) {
		fprintf(stderr, "perfd: no command '%s'\n", argv[0]);
		return EXIT_USAGE;
	}
	printf("usage: perfd %s\n\n%s\n", c->usage, c->help);
	return EXIT_OK;
}

/* The options every command takes (each command ignores what it does not use). */
static const struct option cli_options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "state", required_argument, NULL, 'S' },
	{ "out", required_argument, NULL, 'o' },
	{ "wait", no_argument, NULL, 'w' },
	{ "json", no_argument, NULL, 'j' },
	{ "cat", no_argument, NULL, 'c' },
	{ "max-parallel", required_argument, NULL, 'm' },
	{ "threshold", required_argument, NULL, 't' },
	{ "metric", required_argument, NULL, 'M' },
	{ "markdown", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'F' },
	{ "openmetrics", required_argument, NULL, 'O' },
	{ "baseline", required_argument, NULL, 'b' },
	{ "last", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* optarg as a number from lo to hi into *out: 0, or -1. */
static int
int_option(const char *arg, int lo, int hi, int *out)
{
	int v = atoi(arg);

	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* An option that takes a text as it is into its field of *cli: 1, or 0 when ch is another. */
static int
text_option(int ch, struct cli *cli)
{
	static const struct { int ch; size_t off; } texts[] = {
		{ 's', offsetof(struct cli, socket) }, { 'S', offsetof(struct cli, state) },
		{ 'o', offsetof(struct cli, out) }, { 't', offsetof(struct cli, threshold) },
		{ 'M', offsetof(struct cli, metric) }, { 'k', offsetof(struct cli, markdown) },
		{ 'b', offsetof(struct cli, baseline) }, { 'F', offsetof(struct cli, format) },
		{ 'O', offsetof(struct cli, openmetrics) },
	};

	for (size_t i = 0; i < PERFD_ARRAY_LEN(texts); i++)
		if (texts[i].ch == ch) {
			*(const char **)((char *)cli + texts[i].off) = optarg;
			return 1;
		}
	return 0;
}

/*
 * The options after the command into *cli: -1 when they are all taken,
 * else the exit code (help asked for, or a bad option).
 */
static int
parse_options(int argc, char **argv, const struct command *cmd, struct cli *cli)
{
	int ch;

	memset(cli, 0, sizeof *cli);
	cli->max_parallel = 1;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", cli_options, NULL)) != -1) {
		if (text_option(ch, cli))
			continue;
		switch (ch) {
		case 'w':
			cli->wait = 1;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'c':
			cli->cat = 1;
			break;
		case 'm':
			if (int_option(optarg, 1, 64, &cli->max_parallel) != 0) {
				fprintf(stderr, "perfd: --max-parallel takes 1 to 64\n");
				return EXIT_USAGE;
			}
			break;
		case 'l':
			if (int_option(optarg, 1, INT_MAX, &cli->last) != 0) {
				fprintf(stderr, "perfd: --last takes a number >= 1\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			return cmd_help(1, &argv[1]);
		default:
			fprintf(stderr, "usage: perfd %s\n", cmd->usage);
			return EXIT_USAGE;
		}
	}
	cli->argc = argc - optind;
	cli->argv = argv + optind;
	return -1;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	struct cli cli;
	int n, rc;

	uv_disable_stdio_inheritance();
	if (argc < 2) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("perfd %s\n", PERFD_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return cmd_help(argc - 2, argv + 2);
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "perfd: unknown command '%s'\n", argv[1]);
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if ((rc = parse_options(argc, argv, cmd, &cli)) >= 0)
		return rc;
	n = cmd->nargs;
	if ((n >= 0 && cli.argc != n) || (n < 0 && cli.argc > 1)) {
		fprintf(stderr, "usage: perfd %s\n", cmd->usage);
		return EXIT_USAGE;
	}
	return cmd->fn(&cli);
}

int
cmd_daemon(struct cli *cli)
{
	struct server_opts o = { cli->socket, cli->state, cli->max_parallel };

	return server_main(&o) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

int
cmd_check(struct cli *cli)
{
	char *errors = NULL, reps[32];
	struct spec *sp = spec_parse_file(cli->argv[0], &db_driver_spec_kinds, &errors);

	if (sp == NULL) {
		fputs(errors, stderr);
		free(errors);
		return EXIT_USAGE;
	}
	if (sp->repetitions == SPEC_REPS_AUTO)
		snprintf(reps, sizeof reps, "auto");
	else
		snprintf(reps, sizeof reps, "%lld", (long long)sp->repetitions);
	printf("%s: valid spec '%s': %d stage%s, %lld warmup + %s counted runs, "
	    "workdir %s\n", cli->argv[0], sp->name, sp->nstages, sp->nstages == 1 ?
	    "" : "s", (long long)sp->warmup, reps, sp->workdir);
	spec_free(sp);
	return EXIT_OK;
}

int
cli_status_exit(const char *status)
{
	return status != NULL && strcmp(status, "done") == 0 ? EXIT_OK : EXIT_FAILED;
}

struct store *
cli_store(const struct cli *cli, char **cause)
{
	char *state = paths_state_dir(cli->state, cause);
	struct store *st = state != NULL ? store_open(state, cause) : NULL;

	free(state);
	return st;
}
