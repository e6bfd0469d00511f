/* agents.h - the five agents' entry points (one file or folder each). */
#ifndef PERFD_AGENTS_H
#define PERFD_AGENTS_H

#include "agentrt.h"
#include "profiling.h"

/* Each returns the process exit status; findings are written on success. */
int integ_main(struct agent *);
int batch_main(struct agent *);
int dbconfig_main(struct agent *);
int clientlib_main(struct agent *);

#endif
