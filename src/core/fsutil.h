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
 * reason. The file gets mode 0644 (less the umask), like one made by fopen.
 */
int fs_write_atomic(const char *path, const void *data, size_t len, struct perr *e);

/* The extension of path without the dot ("md"), or "" when it has none. */
const char *fs_extension(const char *path);

#endif
