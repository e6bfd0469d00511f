/* main.c - perfd-agent: run one agent of an investigation. */
#include "agents.h"
#include "util.h"

#include <stdio.h>

/* Each agent of the contract's roster (investigation.h), by its index there. */
static int (*const table[INV_AGENTS])(struct agent *) = {
	[INV_PROFILING] = prof_main,
	[INV_DB_CONFIG] = dbconfig_main,
	[INV_CLIENT_LIBRARY] = clientlib_main,
	[INV_BATCH_SIZE] = batch_main,
	[INV_INTEGRATION] = integ_main,
};

int
main(int argc, char **argv)
{
	struct agent a;
	int rc = 2, i;

	if (agent_init(&a, argc, argv) != 0)
		return 2;
	if ((i = inv_agent_index(a.name)) >= 0)
		rc = table[i](&a);
	else
		fprintf(stderr, "perfd-agent: no agent '%s'\n", a.name);
	agent_done(&a);
	return rc;
}
