/*
 * units: parsing with unit suffixes and three-digit formatting.
 */
#include "units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *unit_symbol(enum unit_kind k)
{
	switch (k) {
	case UNIT_MS:
		return "ms";
	case UNIT_MB:
		return "MB";
	case UNIT_MB_PER_MIN:
		return "MB/min";
	}
	return "";
}

struct suffix {
	const char *name;
	double factor; /* multiply to reach the base unit */
};

static const struct suffix time_suffixes[] = {
	{"us", 0.001}, {"\xc2\xb5s", 0.001}, {"ms", 1}, {"s", 1000}, {"sec", 1000},
	{"min", 60000}, {"m", 60000}, {"h", 3600000}, {NULL, 0},
};

static const struct suffix mem_suffixes[] = {
	{"b", 1.0 / (1024 * 1024)}, {"kb", 1.0 / 1024}, {"k", 1.0 / 1024}, {"kib", 1.0 / 1024},
	{"mb", 1}, {"m", 1}, {"mib", 1}, {"gb", 1024}, {"g", 1024}, {"gib", 1024},
	{NULL, 0},
};

/* Per-time suffixes for growth: divide the amount by the period in minutes. */
static const struct suffix per_suffixes[] = {
	{"/s", 1.0 / 60}, {"/sec", 1.0 / 60}, {"/min", 1}, {"/m", 1}, {"/h", 60}, {"/hour", 60},
	{NULL, 0},
};

static int find_suffix(const struct suffix *t, const char *s, size_t len, double *factor)
{
	for (; t->name; t++) {
		if (strlen(t->name) == len && strncasecmp(t->name, s, len) == 0) {
			*factor = t->factor;
			return 0;
		}
	}
	return -1;
}

int unit_parse(enum unit_kind k, const char *text, double *out)
{
	while (*text == ' ')
		text++;
	if (!*text || *text == '-' || *text == '+')
		return -1;
	char *end;
	double v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return -1;
	/* strtod accepts "inf", "nan" and hex floats: only plain decimals here. */
	for (const char *p = text; p < end; p++)
		if (!strchr("0123456789.eE", *p) && !((*p == '-' || *p == '+') && p > text && (p[-1] == 'e' || p[-1] == 'E')))
			return -1;
	const char *u = end;
	size_t ulen = strlen(u);
	while (ulen && u[ulen - 1] == ' ')
		ulen--;
	if (ulen == 0) {
		*out = v;
		return 0;
	}
	double f = 1;
	switch (k) {
	case UNIT_MS:
		if (find_suffix(time_suffixes, u, ulen, &f))
			return -1;
		break;
	case UNIT_MB:
		if (find_suffix(mem_suffixes, u, ulen, &f))
			return -1;
		break;
	case UNIT_MB_PER_MIN: {
		const char *slash = memchr(u, '/', ulen);
		double per = 1;
		if (!slash || slash == u)
			return -1;
		if (find_suffix(mem_suffixes, u, (size_t)(slash - u), &f) ||
		    find_suffix(per_suffixes, slash, ulen - (size_t)(slash - u), &per))
			return -1;
		f /= per;
		break;
	}
	}
	*out = v * f;
	return isfinite(*out) ? 0 : -1;
}

int unit_parse_seconds(const char *text, double *seconds)
{
	double v;
	char *end;
	double bare = strtod(text, &end);
	if (end != text && *end == '\0' && unit_parse(UNIT_MS, text, &v) == 0) {
		*seconds = bare;
		return 0;
	}
	if (unit_parse(UNIT_MS, text, &v))
		return -1;
	*seconds = v / 1000;
	return 0;
}

void fmt_num(double v, char *out, size_t n)
{
	if (!isfinite(v)) {
		snprintf(out, n, "%s", "n/a");
		return;
	}
	double a = fabs(v);
	int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : a >= 0.01 ? 4 : 5;
	if (a == 0)
		decimals = 0;
	snprintf(out, n, "%.*f", decimals, v);
	if (decimals > 0 && strchr(out, '.')) {
		size_t len = strlen(out);
		while (len > 0 && out[len - 1] == '0')
			out[--len] = '\0';
		if (len > 0 && out[len - 1] == '.')
			out[--len] = '\0';
	}
	if (strcmp(out, "-0") == 0)
		snprintf(out, n, "0");
}

void fmt_ms(double ms, char *out, size_t n)
{
	char num[64];
	if (fabs(ms) >= 999.5) {
		fmt_num(ms / 1000, num, sizeof(num));
		snprintf(out, n, "%ss", num);
	} else {
		fmt_num(ms, num, sizeof(num));
		snprintf(out, n, "%sms", num);
	}
}

void fmt_mb(double mb, char *out, size_t n)
{
	char num[64];
	if (fabs(mb) >= 1023.5) {
		fmt_num(mb / 1024, num, sizeof(num));
		snprintf(out, n, "%sGB", num);
	} else {
		fmt_num(mb, num, sizeof(num));
		snprintf(out, n, "%sMB", num);
	}
}

void fmt_unit(enum unit_kind k, double v, char *out, size_t n)
{
	char num[64];
	switch (k) {
	case UNIT_MS:
		fmt_ms(v, out, n);
		return;
	case UNIT_MB:
		fmt_mb(v, out, n);
		return;
	case UNIT_MB_PER_MIN:
		fmt_num(v, num, sizeof(num));
		snprintf(out, n, "%sMB/min", num);
		return;
	}
}

void fmt_fraction_pct(double frac, char *out, size_t n)
{
	char num[64];
	double pct = frac * 100;
	/* Whole percents from 10% up; below that one decimal, so 0.4% is
	 * not rounded to a reassuring 0%. */
	if (pct > 0 && pct < 0.05) {
		snprintf(out, n, "<0.1%%");
		return;
	}
	if (pct >= 9.95 || pct == 0)
		snprintf(num, sizeof(num), "%.0f", pct);
	else
		fmt_num(round(pct * 10) / 10, num, sizeof(num));
	snprintf(out, n, "%s%%", num);
}
