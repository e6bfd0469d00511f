/* main.c - perfd-agent: run one agent of an investigation. */
#include "agents.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char	*name;
	int		(*fn)(struct agent *);
} table[] = {
	{ "profiling", profiling_main },
	{ "db-config", dbconfig_main },
	{ "client-library", client_main },
	{ "batch-size", batch_main },
	{ "integration", integration_main },
};

int
main(int argc, char **argv)
{
	struct agent a;
	int rc = 2;

	if (agent_init(&a, argc, argv) != 0)
		return 2;
	for (size_t i = 0; i < PERFD_ARRAY_LEN(table); i++) {
		if (strcmp(table[i].name, a.name) == 0) {
			rc = table[i].fn(&a);
			break;
		}
	}
	if (rc == 2 && agent_index(a.name) < 0)
		fprintf(stderr, "perfd-agent: no agent '%s'\n", a.name);
	agent_done(&a);
	return rc;
}
