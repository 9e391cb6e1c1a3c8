/*
 * detect: which kind of log a file is, from its first lines, and the names
 * --type knows the kinds by.
 *
 * Detection asks each reader's own line test (slowlog_is_banner,
 * genlog_is_entry, pglog_is_entry, pglog_is_csv_start, accesslog_parse,
 * accesslog_parse_slow) about the lines of the first 64 KiB, so that a file
 * is called what its reader will understand.
 */
#ifndef PA_DIGEST_DETECT_H
#define PA_DIGEST_DETECT_H

#include <stddef.h>

#include "event.h"

/* How much of the start of a file detect_format looks at. */
#define DETECT_WINDOW (64 * 1024)

/*
 * The format of the log in buf[0, len), judged line by line over its first
 * DETECT_WINDOW bytes, skipping blank lines and MySQL banners:
 *
 *   "# Time:", "# User@Host:", "# Query_time:" ...   DG_MYSQL_SLOW
 *   "<time>\t<id> <Command>\t" or "\t\t<id> ..."      DG_MYSQL_GENERAL
 *   "<time>,...": a csvlog record                     DG_PG_CSV
 *   "<prefix> LOG:  ..." and other severities          DG_PG_STDERR
 *   "... SLOW: /path took 0.62s"                       DG_SLOW_LINES
 *   an access-log request line                         DG_ACCESS
 *
 * The first line that is one of the first five decides. Access-log lines
 * only count when no SLOW line turns up in the window: a Flask app's output
 * holds both the development server's access lines and the SLOW lines,
 * and the SLOW lines are the ones with timings. DG_UNKNOWN when nothing
 * matches (an empty file, a banner alone).
 */
enum dg_format detect_format(const char *buf, size_t len);

/*
 * The --type name of a format: "slowlog", "genlog", "pglog", "pgcsv",
 * "access", "slow-lines"; "unknown" for DG_UNKNOWN or anything else.
 */
const char *detect_name(enum dg_format f);

/* The format named s (a --type value, as above). 0, or -1 for an unknown name. */
int detect_parse_name(const char *s, enum dg_format *out);

#endif
