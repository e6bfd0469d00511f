/* cli.h - the perfd command line: one file per group of commands. */
#ifndef PERFD_CLI_H
#define PERFD_CLI_H

/* Exit codes (perfd help lists them). */
#define EXIT_OK		0	/* done; the investigation finished with a report */
#define EXIT_FAILED	1	/* the investigation failed, was cancelled or interrupted */
#define EXIT_USAGE	2	/* bad arguments, invalid spec, unknown ID */
#define EXIT_NODAEMON	3	/* no daemon on the socket */
#define EXIT_INTERNAL	4	/* an error inside perfd or its state */

struct cli {
	const char	*socket;
	const char	*state;
	const char	*out;
	int		 wait;
	int		 json;
	int		 cat;
	int		 max_parallel;
	const char	*threshold;
	const char	*metric;
	const char	*markdown;
	const char	*format;	/* export: openmetrics */
	const char	*openmetrics;	/* compare: its verdict as metrics, into this file */
	const char	*baseline;
	int		 last;
	int		 argc;		/* the operands */
	char		**argv;
};

int cmd_daemon(struct cli *);
int cmd_submit(struct cli *);
int cmd_watch(struct cli *);
int cmd_cancel(struct cli *);
int cmd_status(struct cli *);
int cmd_list(struct cli *);
int cmd_report(struct cli *);
int cmd_run(struct cli *);
int cmd_check(struct cli *);
int cmd_compare(struct cli *);
int cmd_history(struct cli *);
int cmd_export(struct cli *);
/* perfd compare's verdict in the OpenMetrics text format (caller frees). */
struct comparison;
char *cli_openmetrics_compare(const struct comparison *);

/* Follow an investigation's events on an open connection to its end. */
struct conn;
int cli_follow(struct cli *, struct conn *, const char *id);
/* The exit code for an investigation's final status. */
int cli_status_exit(const char *status);
/* The state database (--state, or the per-user folder); NULL with *cause. */
struct store;
struct store *cli_store(const struct cli *, char **cause);

#endif
