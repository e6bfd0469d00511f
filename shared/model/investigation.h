/* investigation.h - the investigation contract: its agents, its folder, when it is done. */
#ifndef PERFD_INVESTIGATION_H
#define PERFD_INVESTIGATION_H

#include <stdint.h>

/*
 * Every process of an investigation — the supervisor, the five agents,
 * `perfd compare` reading old folders — agrees on what is here, and reads
 * it from here: no agent name or file name is spelled anywhere else.
 */

/* The agents, in the order the supervisor spawns them. */
enum inv_agent_id {
	INV_PROFILING,
	INV_DB_CONFIG,
	INV_CLIENT_LIBRARY,
	INV_BATCH_SIZE,
	INV_INTEGRATION,
	INV_AGENTS
};

/* The investigators come first: integration waits for their reports. */
#define INV_INVESTIGATORS	INV_INTEGRATION

enum inv_role {
	INV_INVESTIGATOR,	/* measures, writes its report and findings.json */
	INV_INTEGRATOR,		/* reads theirs, writes the master report */
};

struct inv_agent {
	const char	*name;
	enum inv_role	 role;
	const char	*report;	/* markdown, in its own folder (the integrator's
					   reports are INV_MASTER_*, in the investigation's) */
	const char	*chart;		/* SVG, in its own folder; NULL: none */
	int64_t		 extra_timeout_ms;	/* beyond agents.timeout */
};

extern const struct inv_agent inv_agents[INV_AGENTS];

/* The index of the agent called name, or -1. */
int inv_agent_index(const char *name);

/*
 * The folder: <out>/<ID>/ holds the spec as perfd normalised it and the
 * master reports; <ID>/<agent>/ holds each agent's log, status, findings
 * and report.
 */
#define INV_SPEC_FILE		"spec.json"
#define INV_MASTER_MD		"MASTER_INTEGRATION_REPORT.md"
#define INV_MASTER_JSON		"MASTER_INTEGRATION_REPORT.json"
#define INV_STATUS_FILE		"status.json"	/* the supervisor's word on an agent */
#define INV_FINDINGS_FILE	"findings.json"	/* the agent's own (docs/findings.md) */
#define INV_LOG_FILE		"agent.log"
#define INV_RUNS_FILE		"runs.csv"	/* profiling's raw runs */
#define INV_MATRIX_MD		"MATRIX.md"	/* profiling's scaling matrix, when the spec has one */
#define INV_MATRIX_CSV		"matrix.csv"	/* its raw runs, cell by cell */

/*
 * When every agent has ended, the investigation is: cancelled when it was
 * cancelled, done when the master report exists, else failed.
 */
const char *inv_outcome(int cancelled, int master_written);

/* The variables an agent receives from the supervisor (docs/agents.md). */
enum inv_env_id {
	INV_ENV_INVESTIGATION,	/* its ID: what a leftover process is found by */
	INV_ENV_LOCK,		/* the measurement lock's file */
	INV_ENV_SPEC_SOURCE,	/* the spec file as the user gave it */
	INV_ENV_BASELINE,	/* a previous investigation's folder, or "" */
	INV_ENV_DB_PASSWORD,	/* the password the spec's dsn held, or "" (spec.db_secret) */
	INV_ENV_COUNT
};

extern const char *const inv_env_names[INV_ENV_COUNT];

/*
 * The environment for the agents: base (the supervisor's own) without any
 * of the variables above, then each set to values[i]. Caller frees with
 * inv_env_free() (base's strings are borrowed, not copied).
 */
char **inv_env(char *const *base, const char *const values[INV_ENV_COUNT]);
void inv_env_free(char **);

#endif
