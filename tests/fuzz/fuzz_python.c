/*
 * fuzz_python: arbitrary bytes as a Python file, through the whole scan
 * driver — py_parse, every rule's check, collect and finish, suppression
 * comments, the merge — with the driver's real collector, then the
 * report as a perfagent result and as SARIF. Nothing may crash, hang or
 * leak, and the report must keep its promises: findings sorted by line,
 * column and rule, every position inside the file (1-based, columns
 * counted in characters), every string present and NUL-terminated, the
 * rule a known one. The first two lines also go through the gitignore
 * glob matcher as a pattern and a path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "scan/sarif.h"
#include "scan/scan.h"
#include "scan/walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_report(const struct scan_report *r, const char *src, size_t size)
{
	unsigned lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += src[i] == '\n';
	if (r->files > 1 || r->lines > lines || r->bytes != size)
		abort();
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct scan_finding *f = &r->findings[i];
		if (!f->rule || !f->message || !f->file || !scan_rule_find(f->rule))
			abort();
		if (f->line < 1 || f->line > lines || f->end_line < f->line || f->end_line > lines || f->col < 1)
			abort();
		if ((unsigned)f->severity >= PA_SEV_COUNT)
			abort();
		if (f->source && strlen(f->source) > 240 + 4)
			abort();
		if (f->fix)
			(void)strlen(f->fix);
		if (f->function)
			(void)strlen(f->function);
		if (i) {
			const struct scan_finding *p = &r->findings[i - 1];
			if (p->line > f->line || (p->line == f->line && p->col > f->col) ||
			    (p->line == f->line && p->col == f->col && strcmp(p->rule, f->rule) > 0))
				abort();
		}
	}
	for (size_t i = 0; i < r->nparse_errors; i++)
		if (r->parse_errors[i].line < 1 || r->parse_errors[i].line > lines)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct scan_opts o = {.rules = scan_rules, .nrules = scan_nrules, .threads = 1};
	struct scan_report r;
	struct perr e;
	if (scan_buffer("fuzz.py", src, size, &o, &r, &e) == 0) {
		check_report(&r, src, size);
		struct pa_result *res = result_new("scan");
		scan_to_result(&r, res);
		char *s = result_dumps(res);
		if (!s)
			abort();
		free(s);
		result_free(res);
		json_t *log = scan_sarif(&r, "/src");
		s = json_dumps(log, 0);
		if (!s)
			abort();
		free(s);
		json_decref(log);
	}
	scan_report_free(&r);

	/* the first line as a gitignore pattern, the second as a path */
	const char *nl = memchr(src, '\n', size);
	if (nl && size < 4096) {
		char *buf = malloc(size + 1);
		memcpy(buf, src, size);
		buf[size] = '\0';
		char *pat = buf, *path = buf + (nl - src) + 1;
		buf[nl - src] = '\0';
		char *nl2 = strchr(path, '\n');
		if (nl2)
			*nl2 = '\0';
		int m = scan_glob_match(pat, path);
		if (m != 0 && m != 1)
			abort();
		free(buf);
	}
	return 0;
}
