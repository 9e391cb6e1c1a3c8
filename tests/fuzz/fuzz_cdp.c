/*
 * fuzz_cdp: arbitrary bytes as what Chromium writes on its DevTools pipe.
 * The input is fed to the message reader in pieces (sizes taken from the
 * input itself, so message boundaries fall anywhere), each message goes
 * through the dispatcher, and each event into a page — the code that reads
 * every field Chromium sends. A made-up event "Perf.metrics" stands for
 * the metrics script's answer and Performance.getMetrics. The page is then
 * turned into a HAR and a result. Nothing may crash, hang or leak, and the
 * page keeps its promises: bounded lists, every request with an id, a URL,
 * a method and a type, durations -1 or not negative, sizes -1 or not
 * negative.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "web/cdp.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(void *ud, const char *session, const char *method, json_t *params)
{
	struct web_page *p = ud;
	(void)session;
	if (strcmp(method, "Perf.metrics") == 0) {
		page_apply_metrics(p, params);
		page_apply_perf_metrics(p, params);
		return;
	}
	page_event(p, method, params);
}

static void check(const struct web_page *p)
{
	if (p->nreq > PAGE_MAX_REQUESTS || p->ncon > PAGE_MAX_CONSOLE || page_inflight(p) > p->nreq)
		abort();
	for (size_t i = 0; i < p->nreq; i++) {
		const struct web_request *r = p->req[i];
		if (!r->id || !r->url || !r->method || !r->type)
			abort();
		if ((r->duration_ms < 0 && r->duration_ms != -1) || r->transferred < -1 || r->decoded < -1)
			abort();
	}
	for (size_t i = 0; i < p->ncon; i++)
		if (!p->con[i].text || !p->con[i].source || p->con[i].level > WEB_ERROR)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdp c;
	cdp_init(&c, -1, -1, NULL);
	c.rd.max = 1 << 20; /* a smaller limit, so the too-long path is reachable */
	struct web_run run = {0};
	run.pages = calloc(1, sizeof(*run.pages));
	run.screenshots = calloc(1, sizeof(*run.screenshots));
	run.npages = 1;
	run.repeat = 1;
	page_init(&run.pages[0], "http://127.0.0.1/", 800, 600);
	cdp_set_handler(&c, on_event, &run.pages[0]);
	c.wait_id = 1; /* so a response with id 1 is kept and the reply path runs */
	size_t off = 0, step = size ? (size_t)data[0] % 97 + 1 : 1;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		if (cdp_reader_feed(&c.rd, data + off, n))
			break;
		off += n;
		const char *msg;
		size_t len;
		while (cdp_reader_next(&c.rd, &msg, &len)) {
			if (len != strlen(msg))
				abort();
			cdp_dispatch(&c, msg, len);
		}
		step = step * 7 % 113 + 1;
	}
	check(&run.pages[0]);
	json_t *har = har_build(run.pages, 1, "Chrome/1.0");
	if (!json_is_object(har))
		abort();
	json_decref(har);
	struct budgets b;
	budgets_defaults(&b);
	const char *url = run.pages[0].url;
	struct web_opts o = {.urls = &url, .nurls = 1, .repeat = 1, .width = 800, .height = 600, .timeout_s = 30};
	struct pa_result *r = web_result_build(&o, &run, &b, WEB_DEBUG, NULL);
	char *text = result_dumps(r);
	free(text);
	result_free(r);
	web_run_free(&run);
	cdp_close(&c);
	return 0;
}
