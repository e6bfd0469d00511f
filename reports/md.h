/* md.h - small helpers for writing markdown reports. */
#ifndef PERFD_MD_H
#define PERFD_MD_H

#include "util.h"

/* A duration in ms, readable: 850 µs, 12.3 ms, 4.56 s, 2m 03s. */
char *md_duration(double ms);
/* A rate or count for a report: 12,345 from 100 up, 4.56 below; never an exponent. */
char *md_rate(double v);
/* Escape | and newlines so text fits in a table cell. */
char *md_cell(const char *text);
/* A table row from n cells. */
void md_row(struct buf *, int n, const char *const *cells);
/* The separator row of a table with n columns. */
void md_rule(struct buf *, int n);

#endif
