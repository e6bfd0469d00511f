/* csv.h - comma-separated lines. */
#ifndef PERFD_CSV_H
#define PERFD_CSV_H

/* Split a line at commas, in place, into at most max fields; the count. */
int csv_split(char *line, char **fields, int max);
/* The index of column name among n header fields, or -1. */
int csv_column(char *const *head, int n, const char *name);

#endif
