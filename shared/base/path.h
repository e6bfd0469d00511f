/* path.h - path strings: joined, cut, made absolute. */
#ifndef PERFD_PATH_H
#define PERFD_PATH_H

char *path_join(const char *a, const char *b);
char *path_dirname(const char *path);
/* Absolute form of path relative to base (base NULL: the current folder). */
char *path_absolute(const char *base, const char *path);

#endif
