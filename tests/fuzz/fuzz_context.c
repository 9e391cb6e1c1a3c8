/*
 * fuzz_context: arbitrary bytes as the files `perfagent context` reads —
 * requirements (with an include), pyproject.toml, Pipfile, CLAUDE.md, the
 * architecture doc, a Flask app and a Django urls.py. The input is split
 * at 0xff bytes into those files, written into one scratch project, and
 * read, turned into a result, rendered and serialized: nothing may crash,
 * hang or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/result.h"
#include "scan/context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void put(const char *name, const uint8_t *d, size_t n)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f)
		abort();
	if (n && fwrite(d, 1, n, f) != n)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"requirements.txt", "pyproject.toml", "Pipfile", "CLAUDE.md",
					    "specs/architecture.md", "app.py", "urls.py", "requirements/base.txt"};
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/pa-fuzz-ctx.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(dir))
			abort();
		char p[256];
		snprintf(p, sizeof(p), "%s/requirements", dir);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/specs", dir);
		mkdir(p, 0755);
	}
	const uint8_t *p = data, *end = data + size;
	size_t k = 0;
	while (p < end && k < nnames) {
		const uint8_t *q = memchr(p, 0xff, (size_t)(end - p));
		if (!q)
			q = end;
		put(names[k++], p, (size_t)(q - p));
		p = q < end ? q + 1 : end;
	}
	for (; k < nnames; k++)
		put(names[k], (const uint8_t *)"", 0);
	struct project_context c;
	struct perr e;
	struct ctx_opts o = {0};
	if (context_load(dir, &o, &c, &e) == 0) {
		struct pa_result *r = result_new("context");
		context_to_result(&c, r);
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			context_print_human(r, devnull);
			context_print_routes(r, devnull);
			fclose(devnull);
		}
		free(result_dumps(r));
		result_free(r);
	}
	context_free(&c);
	return 0;
}
