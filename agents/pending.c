/* pending.c - the agents whose analysis this version does not have yet. */
#include "agents.h"
#include "util.h"

#include <stdlib.h>

/*
 * An agent without its analysis says so: status "skipped", an abstain
 * vote per stage with the reason, and no figure of any kind. Integration
 * then computes its consensus over the agents that did answer.
 */
int
agent_pending(struct agent *a)
{
	struct findings *f = findings_new(a->name, "skipped");
	struct buf md = { 0 };
	int rc;

	f->headline = xasprintf("The %s analysis is not part of perfd %s yet: "
	    "nothing was measured.", a->name, PERFD_VERSION);
	for (int i = 0; i < a->spec->nstages; i++)
		findings_vote(f, a->spec->stages[i].name, "abstain",
		    "%s analysis not available in this version", a->name);
	buf_printf(&md, "# %s\n\n%s\n", a->name, f->headline);
	agent_progress(a, 100, "skipped: not available in this version");
	rc = agent_publish(a, f, "REPORT.md", md.p);
	buf_free(&md);
	findings_free(f);
	return rc == 0 ? 0 : 1;
}
