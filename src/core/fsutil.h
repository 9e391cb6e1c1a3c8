/*
 * fsutil: writing output files so that a failed run never leaves half of one.
 */
#ifndef PA_FSUTIL_H
#define PA_FSUTIL_H

#include <stddef.h>

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

/* The extension of path without the dot ("md"), or "" when it has none. */
const char *fs_extension(const char *path);

#endif
