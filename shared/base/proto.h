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
	int		paused;
	struct buf	held;		/* bytes fed while paused, not yet split */
	int		nul;		/* the line being delivered holds a NUL
					   byte (its text stops there) */
};

/*
 * Feed n bytes. Calls line(arg, text) for each complete line (without
 * its newline, NUL-terminated, modifiable) and toolong(arg) once for
 * each line over max, whose bytes are dropped up to its newline. A line
 * callback may pause the buffer: the rest of the bytes are held, unread,
 * until proto_line_resume() (so a reader can stop taking requests without
 * losing the ones already received).
 */
void proto_line_feed(struct linebuf *, const char *data, size_t n,
    void (*line)(void *, char *), void (*toolong)(void *), void *arg);
void proto_line_pause(struct linebuf *);
/* Split what was held while paused (which may pause again). */
void proto_line_resume(struct linebuf *, void (*line)(void *, char *),
    void (*toolong)(void *), void *arg);
void proto_line_free(struct linebuf *);

/*
 * One request line (has_nul: the line held a NUL byte, and text stops
 * there): the request object, with a string "cmd" and no other "v" than
 * the integer 1, and nothing after it on the line. NULL with the error's
 * code and its message (caller frees) otherwise.
 */
struct cJSON;
struct cJSON *proto_request(const char *line, int has_nul, const char **code,
    char **msg);

/* {"v":1,"ok":false,"error":{"code":code,"message":message}} */
char *proto_error(const char *code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
