/*
 * severity: names, titles and escalation targets.
 */
#include "severity.h"

#include <stddef.h>
#include <strings.h>

static const char *const names[PA_SEV_COUNT] = {"info", "low", "medium", "high", "critical"};
static const char *const titles[PA_SEV_COUNT] = {"Info", "Low", "Medium", "High", "Critical"};

const char *severity_name(enum pa_severity s)
{
	return (unsigned)s < PA_SEV_COUNT ? names[s] : "info";
}

const char *severity_title(enum pa_severity s)
{
	return (unsigned)s < PA_SEV_COUNT ? titles[s] : "Info";
}

int severity_parse(const char *name, enum pa_severity *out)
{
	for (int i = 0; i < PA_SEV_COUNT; i++) {
		if (strcasecmp(name, names[i]) == 0) {
			*out = (enum pa_severity)i;
			return 0;
		}
	}
	return -1;
}

const char *severity_escalation(enum pa_severity s)
{
	switch (s) {
	case PA_SEV_CRITICAL:
		return "/dev + /tl";
	case PA_SEV_HIGH:
	case PA_SEV_MEDIUM:
	case PA_SEV_LOW:
		return "/dev";
	default:
		return NULL;
	}
}
