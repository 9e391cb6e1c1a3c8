/*
 * severity: how bad a finding is, and whom it goes to (the seed's
 * Escalation table).
 */
#ifndef PA_SEVERITY_H
#define PA_SEVERITY_H

/* Ordered: a larger value is more severe. */
enum pa_severity {
	PA_SEV_INFO,
	PA_SEV_LOW,
	PA_SEV_MEDIUM,
	PA_SEV_HIGH,
	PA_SEV_CRITICAL,
};

#define PA_SEV_COUNT 5

/* "critical", "high", ... as in result files. */
const char *severity_name(enum pa_severity s);
/* "Critical", "High", ... as in the report. */
const char *severity_title(enum pa_severity s);
/* Case-insensitive; 0 on success, -1 for an unknown name. */
int severity_parse(const char *name, enum pa_severity *out);
/*
 * The seed's escalation target for a severity: critical goes to
 * "/dev + /tl", high, medium and low to "/dev", info to nobody (NULL).
 */
const char *severity_escalation(enum pa_severity s);

#endif
