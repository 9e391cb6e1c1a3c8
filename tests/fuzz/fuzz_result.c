/*
 * fuzz_result: arbitrary bytes as a result file. Reading must never crash,
 * hang or leak; whatever reads cleanly must also render (Markdown, HTML,
 * merged JSON) and survive a write/read round trip unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pa_result *r;
	struct perr e;
	if (result_from_string((const char *)data, size, "fuzz.json", &r, &e))
		return 0;
	struct report rep;
	report_build(&rep, &r, 1, &r, 1, NULL);
	struct doc *d = report_doc(&rep);
	struct buf out = BUF_INIT;
	doc_render_md(d, &out);
	doc_render_html(d, &out);
	doc_free(d);
	json_t *j = report_json(&rep);
	json_decref(j);
	report_free(&rep);
	buf_free(&out);

	char *text = result_dumps(r);
	struct pa_result *again;
	if (result_from_string(text, strlen(text), "again.json", &again, &e))
		abort(); /* what we write, we must read */
	char *text2 = result_dumps(again);
	if (strcmp(text, text2) != 0)
		abort();
	free(text);
	free(text2);
	result_free(again);
	result_free(r);
	return 0;
}
