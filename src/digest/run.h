/*
 * run: feed log files to a digest — map each file (a gzip file is first
 * inflated into an unlinked temporary file), detect its format, and, for
 * formats whose readers can start at an event boundary, split it between
 * the cores; every part is digested by its own thread and the parts are
 * merged in order.
 *
 * Pages already digested are dropped from memory as the readers move on,
 * so peak RSS depends on the number of distinct queries, not the file size.
 */
#ifndef PA_DIGEST_RUN_H
#define PA_DIGEST_RUN_H

#include "../core/err.h"
#include "../core/progress.h"
#include "digest.h"

struct dgrun_file {
	const char *path;
	enum dg_format format; /* detected (or forced) */
	int64_t events;        /* statements or requests read */
	int64_t garbled;       /* skipped as garbled or truncated */
	int64_t bytes;
	int failed;            /* could not be read; see the error printed */
};

/*
 * Digest one file into d. `forced`: DG_UNKNOWN to detect. `threads`: the
 * most to use. On an unreadable or unrecognised file returns -1 with e set
 * and d untouched.
 */
int dgrun_file(struct digest *d, const char *path, enum dg_format forced, int threads,
	       struct progress *progress, struct dgrun_file *info, struct perr *e);

#endif
