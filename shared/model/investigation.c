/* investigation.c - the investigation contract: its agents, its folder, when it is done. */
#include "investigation.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Integration outlives the others' timeout to write what it has. */
#define INTEGRATION_EXTRA_MS	60000

const struct inv_agent inv_agents[INV_AGENTS] = {
	[INV_PROFILING] = { "profiling", INV_INVESTIGATOR, "PROFILING_REPORT.md",
	    "stages.svg", 0 },
	[INV_DB_CONFIG] = { "db-config", INV_INVESTIGATOR, "CONFIG_ANALYSIS.md",
	    "config.svg", 0 },
	[INV_CLIENT_LIBRARY] = { "client-library", INV_INVESTIGATOR, "CLIENT_ANALYSIS.md",
	    "client.svg", 0 },
	[INV_BATCH_SIZE] = { "batch-size", INV_INVESTIGATOR, "BATCH_ANALYSIS.md",
	    "batch.svg", 0 },
	[INV_INTEGRATION] = { "integration", INV_INTEGRATOR, NULL, NULL,
	    INTEGRATION_EXTRA_MS },
};

const char *const inv_env_names[INV_ENV_COUNT] = {
	[INV_ENV_INVESTIGATION] = "PERFD_INVESTIGATION",
	[INV_ENV_LOCK] = "PERFD_LOCK",
	[INV_ENV_SPEC_SOURCE] = "PERFD_SPEC_SOURCE",
	[INV_ENV_BASELINE] = "PERFD_BASELINE",
	[INV_ENV_DB_PASSWORD] = "PERFD_DB_PASSWORD",
};

int
inv_agent_index(const char *name)
{
	for (int i = 0; i < INV_AGENTS; i++)
		if (name != NULL && strcmp(inv_agents[i].name, name) == 0)
			return i;
	return -1;
}

const char *
inv_outcome(int cancelled, int master_written)
{
	if (cancelled)
		return "cancelled";
	return master_written ? "done" : "failed";
}

/* Whether "NAME=value" sets one of the contract's variables. */
static int
is_contract_var(const char *entry)
{
	for (int i = 0; i < INV_ENV_COUNT; i++) {
		size_t n = strlen(inv_env_names[i]);

		if (strncmp(entry, inv_env_names[i], n) == 0 && entry[n] == '=')
			return 1;
	}
	return 0;
}

/*
 * Why the inherited values go: a perfd started from a stage of another
 * investigation (or from a shell that ran one) would otherwise hand its
 * agents the outer investigation's ID and lock — its stages would then be
 * swept as the outer's leftovers, and the two would time each other.
 * The fresh values are appended after the strings borrowed from base, so
 * inv_env_free() frees exactly the last INV_ENV_COUNT.
 */
char **
inv_env(char *const *base, const char *const values[INV_ENV_COUNT])
{
	size_t n = 0, j = 0;
	char **env;

	while (base[n] != NULL)
		n++;
	env = xcalloc(n + INV_ENV_COUNT + 1, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (!is_contract_var(base[i]))
			env[j++] = base[i];
	for (int i = 0; i < INV_ENV_COUNT; i++)
		env[j++] = xasprintf("%s=%s", inv_env_names[i], values[i] != NULL ?
		    values[i] : "");
	return env;
}

void
inv_env_free(char **env)
{
	size_t n = 0;

	if (env == NULL)
		return;
	while (env[n] != NULL)
		n++;
	for (size_t k = 1; k <= INV_ENV_COUNT && k <= n; k++)
		free(env[n - k]);
	free(env);
}
