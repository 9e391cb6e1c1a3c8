/*
 * clock: monotonic time for durations, wall time only for timestamps.
 *
 * Durations are never computed from wall-clock time: it jumps (NTP, DST,
 * an operator). Timestamps in results are RFC 3339 UTC strings.
 */
#ifndef PA_CLOCK_H
#define PA_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC. */
int64_t clock_mono_ns(void);

/* Seconds between two clock_mono_ns() readings. */
double clock_elapsed_s(int64_t start_ns, int64_t end_ns);

/* Format t as "2026-11-24T13:00:00Z" into out (at least 21 bytes). */
void clock_format_rfc3339(time_t t, char out[static 32]);

/* Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's method). */
int64_t clock_days_from_civil(int64_t y, int m, int d);

/* The current wall time as RFC 3339 UTC. */
void clock_now_rfc3339(char out[static 32]);

/*
 * Parse an RFC 3339 timestamp: "YYYY-MM-DDTHH:MM:SS", optional fraction,
 * then "Z" or "+hh:mm"/"-hh:mm" ('t', 'z' and a space for 'T' accepted).
 * On success stores seconds since the epoch (UTC) and returns 0; -1 when the
 * text is not such a timestamp or a field is out of range.
 */
int clock_parse_rfc3339(const char *s, int64_t *epoch);

#endif
