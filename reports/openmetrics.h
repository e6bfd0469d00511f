/* openmetrics.h - metrics written in the OpenMetrics text format. */
#ifndef PERFD_OPENMETRICS_H
#define PERFD_OPENMETRICS_H

#include "buf.h"

/*
 * The OpenMetrics text format, which the Prometheus text parsers read too
 * (# UNIT and # EOF are comments to them): node_exporter's textfile
 * collector, a Pushgateway, promtool. No timestamps: the textfile
 * collector refuses samples that carry one.
 */

/* A family's # TYPE, # UNIT (unit NULL: none) and # HELP lines. */
void openmetrics_family(struct buf *, const char *name, const char *type, const char *unit,
    const char *help);
/*
 * One sample: labels are name, value pairs, NULL-terminated (a NULL
 * value drops its label); values escaped as the format wants.
 */
void openmetrics_sample(struct buf *, const char *name, const char *const *labels, double value);
/* The last line. */
void openmetrics_end(struct buf *);

#endif
