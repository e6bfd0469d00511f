/* proto.h - the control protocol: JSON lines over a unix stream socket. */
#ifndef PERFD_PROTO_H
#define PERFD_PROTO_H

#include <stddef.h>

#include "util.h"

/* Bump when a request or response changes incompatibly (docs/protocol.md). */
#define PROTO_VERSION	1
#define PROTO_MAX_LINE	(1024 * 1024)

/* Splits a byte stream into lines, with a cap on a line's length. */
struct linebuf {
	struct buf	b;
	size_t		max;
	int		discarding;	/* inside a line over max */
};

/*
 * Feed n bytes. Calls line(arg, text) for each complete line (without
 * its newline, NUL-terminated, modifiable) and toolong(arg) once for
 * each line over max, whose bytes are dropped up to its newline.
 */
void linebuf_feed(struct linebuf *, const char *data, size_t n,
    void (*line)(void *, char *), void (*toolong)(void *), void *arg);
void linebuf_free(struct linebuf *);

/* {"v":1,"ok":false,"error":{"code":code,"message":message}} */
char *proto_error(const char *code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
