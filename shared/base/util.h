/* util.h - memory, buffers, files and clocks shared by every perfd program. */
#ifndef PERFD_UTIL_H
#define PERFD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#define PERFD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* An impossible state: print and abort. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* s with every `from` replaced by `to` (from not empty; caller frees). */
char *xstrreplace(const char *s, const char *from, const char *to);

/* A growable byte buffer, always NUL-terminated. */
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

/*
 * Write data to path atomically: a temporary file in the same folder,
 * fsync, rename over path, fsync the folder. Readers see the old file or
 * the whole new one, never a half-written one. Returns 0, or -1 with
 * *cause set (caller frees).
 */
int atomic_write(const char *path, const void *data, size_t len, char **cause);

/* Read a whole file of at most max bytes; NULL with *cause on failure. */
char *read_file(const char *path, size_t max, size_t *len, char **cause);

/* mkdir -p with mode for created folders; 0 or -1 with errno. */
int mkdir_p(const char *path, int mode);

/* The last nlines lines of a file (at most 64 KiB are read). */
char *file_tail(const char *path, int nlines);
/*
 * Cut a file longer than 2 * keep to its first and last keep bytes, with a
 * line between them saying how much was cut. 1 when it cut, 0 when there
 * was nothing to cut, -1 on an error (the file is then left as it was).
 */
int file_keep_ends(const char *path, off_t keep);
/* This process's CPU time so far, user and system, in seconds. */
double cpu_self_s(void);
/* s with every byte that is not part of valid UTF-8 written as \xNN (caller frees). */
char *utf8_escape(const char *s);

/* Split a line at commas, in place, into at most max fields; the count. */
int csv_split(char *line, char **fields, int max);
/* The index of column name among n header fields, or -1. */
int csv_column(char *const *head, int n, const char *name);

char *path_join(const char *a, const char *b);
char *path_dirname(const char *path);
/* Absolute form of path relative to base (base NULL: the current folder). */
char *path_absolute(const char *base, const char *path);

uint64_t now_ns(void);		/* CLOCK_MONOTONIC, for durations */
int64_t now_unix_ms(void);	/* CLOCK_REALTIME, for timestamps */
char *time_iso(int64_t unix_ms);	/* 2026-11-21T09:15:39.123Z */

/* FNV-1a 64 of a byte string, printed as 16 hex digits into out[17]. */
void hash_hex(const void *data, size_t len, char out[17]);

#endif
