/*
 * fsutil: writing output files so that a failed run never leaves half of one.
 */
#ifndef PA_FSUTIL_H
#define PA_FSUTIL_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/*
 * Write len bytes to path atomically: into a temporary file in the same
 * directory, flushed to disk, then renamed over path. On any failure the
 * temporary file is removed, path is untouched, and -1 comes back with the
 * reason. A new file gets mode 0666 less the umask, like one made by
 * fopen; an existing file keeps its mode; a symbolic link keeps pointing at
 * the file, which is the one replaced.
 */
int fs_write_atomic(const char *path, const void *data, size_t len, struct perr *e);

/*
 * Read a stream to its end into memory, at most max bytes: for pipes and
 * standard input, whose size is unknown up front. Returns the bytes with a
 * NUL after them (free() them) and their length, or NULL when the stream
 * fails or holds more than max (*too_big tells which).
 */
char *fs_read_stream(FILE *f, size_t max, size_t *len, int *too_big);

/* The extension of path without the dot ("md"), or "" when it has none. */
const char *fs_extension(const char *path);

#endif
