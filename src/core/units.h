/*
 * units: reading and writing the quantities budgets and reports speak in —
 * durations (base: milliseconds), memory (base: MB, 1 MB = 1024 KiB, as RSS
 * is counted) and memory growth (base: MB per minute).
 *
 * Printing uses at most three significant digits and never an exponent:
 * "0.42ms", "812ms", "1.5s", "500MB", "1.2GB".
 */
#ifndef PA_UNITS_H
#define PA_UNITS_H

#include <stddef.h>

enum unit_kind {
	UNIT_MS,         /* a duration in milliseconds */
	UNIT_MB,         /* memory in MB */
	UNIT_MB_PER_MIN, /* memory growth in MB/min */
};

/* "ms", "MB", "MB/min". */
const char *unit_symbol(enum unit_kind k);

/*
 * Parse "250", "250ms", "1.5s", "2min", "300us" (UNIT_MS); "512", "512MB",
 * "2GB", "900KB", "1GiB" (UNIT_MB); "5", "5MB/min", "300MB/h", "20KB/s"
 * (UNIT_MB_PER_MIN). A bare number is in the base unit. Units are
 * case-insensitive. Returns 0 and the value in the base unit, or -1 when the
 * text is not a finite non-negative number with a unit of that kind.
 */
int unit_parse(enum unit_kind k, const char *text, double *out);

/*
 * A duration in seconds for flags like --duration: a bare number is seconds
 * ("10", "0.5"); with a unit it is that unit ("500ms", "2min"). 0 and -1 as
 * unit_parse.
 */
int unit_parse_seconds(const char *text, double *seconds);

/* Three significant digits, no exponent, trailing zeros dropped: "812", "1.5", "0.042". */
void fmt_num(double v, char *out, size_t n);
/* A duration given in ms: "0.42ms", "812ms", "1.5s", "12.3s". */
void fmt_ms(double ms, char *out, size_t n);
/* Memory given in MB: "12.5MB", "500MB", "1.5GB". */
void fmt_mb(double mb, char *out, size_t n);
/* A value of the given kind in its natural unit. */
void fmt_unit(enum unit_kind k, double v, char *out, size_t n);
/* A fraction 0..1 as a percentage: "0%", "0.4%", "12%", "100%". */
void fmt_fraction_pct(double frac, char *out, size_t n);

#endif
