/* buf.h - a growable byte buffer. */
#ifndef PERFD_BUF_H
#define PERFD_BUF_H

#include <stddef.h>

/* A growable byte buffer, always NUL-terminated; { 0 } is an empty one. */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void buf_add(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

#endif
