/* file.h - whole files: atomic writes, bounded reads, folders, tails, removal. */
#ifndef PERFD_FILE_H
#define PERFD_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write data to path atomically: a temporary file in the same folder,
 * fsync, rename over path, fsync the folder. Readers see the old file or
 * the whole new one, never a half-written one. Returns 0, or -1 with
 * *cause set (caller frees).
 */
int file_write_atomic(const char *path, const void *data, size_t len, char **cause);
/*
 * The same without the fsyncs: readers still never see a half-written
 * file, but a crash of the machine may lose it. For state that is only
 * worth its cost while it is cheap (pipeline_handover_give(), which runs
 * in every release of the measurement lock: two fsyncs there would be
 * paid a hundred times an investigation).
 */
int file_write_untorn(const char *path, const void *data, size_t len, char **cause);

/* Read a whole file of at most max bytes; NULL with *cause on failure. */
char *file_read(const char *path, size_t max, size_t *len, char **cause);

/* mkdir -p with mode for created folders; 0 or -1 with errno. */
int file_mkdir_p(const char *path, int mode);

/*
 * rm -rf path: the folder and everything under it, symbolic links removed
 * as links (never followed). 0 (also when there was nothing), or -1 with
 * errno when something remained.
 */
int file_remove_tree(const char *path);

/* The last nlines lines of a file (at most 64 KiB are read). */
char *file_tail(const char *path, int nlines);
/*
 * Cut a file longer than 2 * keep to its first and last keep bytes, with a
 * line between them saying how much was cut. 1 when it cut, 0 when there
 * was nothing to cut, -1 on an error (the file is then left as it was).
 */
int file_keep_ends(const char *path, off_t keep);

#endif
