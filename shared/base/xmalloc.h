/* xmalloc.h - allocation that cannot fail (it aborts), and fatal(). */
#ifndef PERFD_XMALLOC_H
#define PERFD_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* An impossible state: print and abort. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* As malloc() and friends, but out of memory is fatal(): callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* s with every `from` replaced by `to` (from not empty; caller frees). */
char *xstrreplace(const char *s, const char *from, const char *to);

#endif
