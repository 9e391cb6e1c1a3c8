/*
 * detect: log format detection and --type names.
 *
 * The decision is made by the readers' own line tests, in an order that
 * puts the most specific first: a slow-log header cannot be mistaken for
 * anything, a general-log entry needs a MySQL time and a tab-separated
 * command, a csvlog record a PostgreSQL time and a comma; the stderr
 * severity test ("LOG:  ") is looser, and comes after them.
 */
#include "detect.h"

#include <string.h>

#include "accesslog.h"
#include "genlog.h"
#include "pglog.h"
#include "slowlog.h"

static const struct {
	enum dg_format f;
	const char *name;
} names[] = {
	{DG_MYSQL_SLOW, "slowlog"},
	{DG_MYSQL_GENERAL, "genlog"},
	{DG_PG_STDERR, "pglog"},
	{DG_PG_CSV, "pgcsv"},
	{DG_ACCESS, "access"},
	{DG_SLOW_LINES, "slow-lines"},
};

const char *detect_name(enum dg_format f)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].f == f)
			return names[i].name;
	return "unknown";
}

int detect_parse_name(const char *s, enum dg_format *out)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].f;
			return 0;
		}
	}
	return -1;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* A slow-log header line: "# Word:" with the words the server writes first. */
static int is_slow_header(const char *s, size_t n)
{
	static const char *const heads[] = {"# Time: ", "# User@Host: ", "# Query_time: ",
					    "# Thread_id: ", "# administrator command: "};
	if (n < 8 || s[0] != '#')
		return 0;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		size_t k = strlen(heads[i]);
		if (n >= k && memcmp(s, heads[i], k) == 0)
			return 1;
	}
	return 0;
}

enum dg_format detect_format(const char *buf, size_t len)
{
	size_t lim = len < DETECT_WINDOW ? len : DETECT_WINDOW;
	size_t pos = 0;
	int access = 0;
	while (pos < lim) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos = nl ? pos + n + 1 : len;
		if (is_blank(s, n) || slowlog_is_banner(s, n))
			continue;
		struct dg_hit h;
		if (is_slow_header(s, n))
			return DG_MYSQL_SLOW;
		if (genlog_is_entry(s, n))
			return DG_MYSQL_GENERAL;
		if (pglog_is_csv_start(s, n))
			return DG_PG_CSV;
		if (pglog_is_entry(s, n))
			return DG_PG_STDERR;
		if (accesslog_parse_slow(s, n, &h) > 0)
			return DG_SLOW_LINES;
		if (!access && accesslog_parse(s, n, &h))
			access = 1;
	}
	return access ? DG_ACCESS : DG_UNKNOWN;
}
