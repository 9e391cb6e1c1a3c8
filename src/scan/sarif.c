/*
 * sarif: a scan report as a SARIF 2.1.0 log (see sarif.h). Built as a
 * jansson tree from the report alone, so the same function serves stdout,
 * -o FILE.sarif and any later caller; the key order follows the spec's
 * examples so a human reading the file finds version and tool first.
 */
#include "sarif.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/jsonx.h"
#include "../core/version.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

const char *scan_sarif_level(enum pa_severity s)
{
	switch (s) {
	case PA_SEV_CRITICAL:
	case PA_SEV_HIGH:
		return "error";
	case PA_SEV_MEDIUM:
		return "warning";
	default:
		return "note";
	}
}

void scan_sarif_anchor(const struct scan_rule *rule, char *out, size_t size)
{
	/* GitHub's heading slug of "n-plus-one (high)": lower case, punctuation but '-' dropped, ' ' -> '-' */
	snprintf(out, size, "%s-%s", rule->name, severity_name(rule->severity));
}

/* Percent-encode a path for a URI: unreserved characters and '/' stay. */
static void uri_path(struct buf *b, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/') {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/* An artifactLocation for a file as the scan named it. */
static json_t *artifact(const char *file)
{
	json_t *a = json_object();
	struct buf b = BUF_INIT;
	if (strcmp(file, "-") == 0) {
		buf_puts(&b, "stdin");
	} else if (file[0] == '/') {
		buf_puts(&b, "file://");
		uri_path(&b, file);
	} else {
		uri_path(&b, file);
	}
	json_object_set_new(a, "uri", jsonx_string(buf_str(&b)));
	if (file[0] != '/')
		json_object_set_new(a, "uriBaseId", json_string("%SRCROOT%"));
	buf_free(&b);
	return a;
}

static json_t *text(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", jsonx_string(s ? s : ""));
	return o;
}

static json_t *location(const char *file, unsigned line, unsigned col, unsigned end_line)
{
	json_t *phys = json_object();
	json_object_set_new(phys, "artifactLocation", artifact(file));
	if (line) {
		json_t *region = json_object();
		json_object_set_new(region, "startLine", json_integer(line));
		if (col)
			json_object_set_new(region, "startColumn", json_integer(col));
		if (end_line > line)
			json_object_set_new(region, "endLine", json_integer(end_line));
		json_object_set_new(phys, "region", region);
	}
	json_t *loc = json_object();
	json_object_set_new(loc, "physicalLocation", phys);
	json_t *arr = json_array();
	json_array_append_new(arr, loc);
	return arr;
}

static uint64_t fnv(uint64_t h, const char *s, int with_nul)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t')
			continue; /* re-indenting the code keeps the fingerprint */
		h ^= (unsigned char)*s;
		h *= 0x100000001b3u;
	}
	if (with_nul)
		h *= 0x100000001b3u;
	return h;
}

static json_t *driver(const struct scan_report *r)
{
	json_t *d = json_object();
	json_object_set_new(d, "name", json_string("perfagent"));
	json_object_set_new(d, "version", json_string(PA_VERSION));
	json_object_set_new(d, "semanticVersion", json_string(PA_VERSION));
	/*
	 * perfagent has no public home page to point to; a project that
	 * publishes its copy of the docs sets PERFAGENT_DOCS_URL (the URL of
	 * the docs/ directory) and gets informationUri and helpUri. Without it
	 * the help text names docs/scan.md and the rule's section.
	 */
	const char *base = getenv("PERFAGENT_DOCS_URL");
	if (base && !*base)
		base = NULL;
	if (base)
		json_object_set_new(d, "informationUri", json_string(base));
	json_t *rules = json_array();
	for (size_t i = 0; i < r->nrules; i++) {
		const struct scan_rule *sr = r->rules[i];
		char anchor[160];
		scan_sarif_anchor(sr, anchor, sizeof(anchor));
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(sr->name));
		json_object_set_new(o, "name", json_string(sr->name));
		json_object_set_new(o, "shortDescription", text(sr->summary));
		size_t sl = strlen(sr->summary);
		const char *stop = sl && sr->summary[sl - 1] == '.' ? "" : ".";
		struct buf full = BUF_INIT, uri = BUF_INIT, md = BUF_INIT;
		if (base)
			buf_printf(&uri, "%s%sscan.md#%s", base, base[strlen(base) - 1] == '/' ? "" : "/", anchor);
		else
			buf_printf(&uri, "docs/scan.md#%s", anchor);
		buf_printf(&full, "%s%s Severity: %s.", sr->summary, stop, severity_name(sr->severity));
		json_object_set_new(o, "fullDescription", text(buf_str(&full)));
		buf_printf(&full, " What it finds, why it is slow and the fix: %s", buf_str(&uri));
		buf_printf(&md, "%s%s\n\nSeverity: **%s**. What it finds, why it is slow and the fix: [docs/scan.md](%s).",
			   sr->summary, stop, severity_name(sr->severity), buf_str(&uri));
		json_t *help = text(buf_str(&full));
		json_object_set_new(help, "markdown", jsonx_string(buf_str(&md)));
		json_object_set_new(o, "help", help);
		if (base)
			json_object_set_new(o, "helpUri", json_string(buf_str(&uri)));
		buf_free(&full);
		buf_free(&uri);
		buf_free(&md);
		json_t *cfg = json_object();
		json_object_set_new(cfg, "level", json_string(scan_sarif_level(sr->severity)));
		json_object_set_new(o, "defaultConfiguration", cfg);
		json_t *props = json_object();
		json_t *tags = json_array();
		json_array_append_new(tags, json_string("performance"));
		json_object_set_new(props, "tags", tags);
		json_object_set_new(props, "severity", json_string(severity_name(sr->severity)));
		json_object_set_new(o, "properties", props);
		json_array_append_new(rules, o);
	}
	json_object_set_new(d, "rules", rules);
	return d;
}

static json_t *notification(const char *level, const char *msg, const char *file, unsigned line, unsigned col)
{
	json_t *n = json_object();
	json_object_set_new(n, "level", json_string(level));
	json_object_set_new(n, "message", text(msg));
	json_object_set_new(n, "locations", location(file, line, col, 0));
	return n;
}

json_t *scan_sarif(const struct scan_report *r, const char *cwd)
{
	json_t *run = json_object();
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver(r));
	json_object_set_new(run, "tool", tool);

	json_t *inv = json_object();
	json_object_set_new(inv, "executionSuccessful", json_boolean(r->nread_errors == 0));
	json_t *notes = json_array();
	for (size_t i = 0; i < r->nread_errors; i++)
		json_array_append_new(notes, notification("error", r->read_errors[i].msg, r->read_errors[i].file, 0, 0));
	for (size_t i = 0; i < r->nparse_errors; i++)
		json_array_append_new(notes, notification("warning", "syntax error; rules ran on what parsed",
							  r->parse_errors[i].file, r->parse_errors[i].line,
							  r->parse_errors[i].col));
	for (size_t i = 0; i < r->nnotes; i++)
		json_array_append_new(notes, notification("note", r->notes[i].msg, r->notes[i].file, r->notes[i].line, 0));
	json_object_set_new(inv, "toolExecutionNotifications", notes);
	json_t *invs = json_array();
	json_array_append_new(invs, inv);
	json_object_set_new(run, "invocations", invs);

	if (cwd) {
		struct buf b = BUF_INIT;
		buf_puts(&b, "file://");
		uri_path(&b, cwd);
		if (b.len && b.data[b.len - 1] != '/')
			buf_putc(&b, '/');
		json_t *root = json_object();
		json_object_set_new(root, "uri", jsonx_string(buf_str(&b)));
		json_t *bases = json_object();
		json_object_set_new(bases, "%SRCROOT%", root);
		json_object_set_new(run, "originalUriBaseIds", bases);
		buf_free(&b);
	}
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));

	json_t *results = json_array();
	/* fingerprints seen so far, for the ":N" occurrence suffix of identical lines */
	uint64_t *seen = xmalloc((r->nfindings ? r->nfindings : 1) * sizeof(*seen));
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct scan_finding *f = &r->findings[i];
		json_t *o = json_object();
		json_object_set_new(o, "ruleId", jsonx_string(f->rule));
		for (size_t k = 0; k < r->nrules; k++)
			if (strcmp(r->rules[k]->name, f->rule) == 0) {
				json_object_set_new(o, "ruleIndex", json_integer((json_int_t)k));
				break;
			}
		json_object_set_new(o, "level", json_string(scan_sarif_level(f->severity)));
		json_object_set_new(o, "message", text(f->message));
		json_object_set_new(o, "locations", location(f->file, f->line, f->col, f->end_line));
		uint64_t h = 0xcbf29ce484222325u;
		h = fnv(h, f->rule, 1);
		h = fnv(h, f->file, 1);
		h = fnv(h, f->source ? f->source : f->message, 0);
		seen[i] = h;
		size_t occ = 1;
		for (size_t k = i; k-- > 0 && strcmp(r->findings[k].file, f->file) == 0;)
			occ += seen[k] == h;
		char fp[48];
		snprintf(fp, sizeof(fp), "%016llx:%zu", (unsigned long long)h, occ);
		json_t *pfp = json_object();
		json_object_set_new(pfp, "perfagentFingerprint/v1", json_string(fp));
		json_object_set_new(o, "partialFingerprints", pfp);
		json_t *props = json_object();
		json_object_set_new(props, "severity", json_string(severity_name(f->severity)));
		if (f->fix)
			json_object_set_new(props, "fix", jsonx_string(f->fix));
		if (f->function)
			json_object_set_new(props, "function", jsonx_string(f->function));
		json_object_set_new(o, "properties", props);
		json_array_append_new(results, o);
	}
	free(seen);
	json_object_set_new(run, "results", results);

	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_t *log = json_object();
	json_object_set_new(log, "version", json_string("2.1.0"));
	json_object_set_new(log, "$schema", json_string(SARIF_SCHEMA));
	json_object_set_new(log, "runs", runs);
	return log;
}
