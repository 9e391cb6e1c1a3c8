/*
 * result: building, serializing and validating perfagent.result/1.
 *
 * The reader walks the document once with a small context that carries the
 * file name and the JSON path of the field being read, so every error says
 * exactly which field of which file is wrong.
 */
#include "result.h"
#include "buf.h"
#include "clock.h"
#include "fsutil.h"
#include "jsonx.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define RESULT_MAX_BYTES (64u * 1024 * 1024)
/* Metric values past this are not measurements but mistakes. */
#define METRIC_MAX 1e12

struct pa_result *result_new(const char *command)
{
	struct pa_result *r = xcalloc(1, sizeof(*r));
	char now[32];
	clock_now_rfc3339(now);
	r->schema = PA_SCHEMA;
	r->command = arena_strdup(&r->arena, command);
	r->version = PA_VERSION;
	r->started_at = arena_strdup(&r->arena, now);
	r->target = json_object();
	r->metrics = json_object();
	if (!r->target || !r->metrics)
		die_oom();
	return r;
}

void result_free(struct pa_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfindings; i++)
		json_decref(r->findings[i]->evidence);
	free(r->findings);
	free(r->artifacts);
	json_decref(r->target);
	json_decref(r->metrics);
	arena_free(&r->arena);
	free(r);
}

const char *result_str(struct pa_result *r, const char *s)
{
	return arena_strdup(&r->arena, s);
}

struct pa_finding *result_add_finding(struct pa_result *r, const char *rule,
				      enum pa_severity severity, const char *title)
{
	if (r->nfindings == r->capfindings) {
		r->capfindings = r->capfindings ? r->capfindings * 2 : 8;
		r->findings = xrealloc(r->findings, r->capfindings * sizeof(*r->findings));
	}
	struct pa_finding *f = arena_calloc(&r->arena, 1, sizeof(*f));
	f->rule = arena_strdup(&r->arena, rule);
	f->severity = severity;
	f->title = arena_strdup(&r->arena, title);
	r->findings[r->nfindings++] = f;
	return f;
}

void result_add_artifact(struct pa_result *r, const char *kind, const char *path)
{
	if (r->nartifacts == r->capartifacts) {
		r->capartifacts = r->capartifacts ? r->capartifacts * 2 : 4;
		r->artifacts = xrealloc(r->artifacts, r->capartifacts * sizeof(*r->artifacts));
	}
	r->artifacts[r->nartifacts].kind = arena_strdup(&r->arena, kind);
	r->artifacts[r->nartifacts].path = arena_strdup(&r->arena, path);
	r->nartifacts++;
}

const char *finding_escalation(const struct pa_finding *f)
{
	return f->escalate_to ? f->escalate_to : severity_escalation(f->severity);
}

enum pa_severity result_max_severity(const struct pa_result *r, int *any)
{
	enum pa_severity max = PA_SEV_INFO;
	*any = 0;
	for (size_t i = 0; i < r->nfindings; i++) {
		if (!*any || r->findings[i]->severity > max)
			max = r->findings[i]->severity;
		*any = 1;
	}
	return max;
}

/* ---- writing ---- */

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, jsonx_string(v));
}

static void set_int(json_t *o, const char *key, long v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

static json_t *location_to_json(const struct pa_location *l)
{
	json_t *o = json_object();
	set_str(o, "file", l->file);
	set_int(o, "line", l->line);
	set_int(o, "column", l->column);
	set_str(o, "function", l->function);
	set_str(o, "endpoint", l->endpoint);
	set_str(o, "url", l->url);
	set_str(o, "table", l->table);
	set_str(o, "index", l->index);
	set_str(o, "query_id", l->query_id);
	set_int(o, "pid", l->pid);
	return o;
}

json_t *finding_to_json(const struct pa_finding *f)
{
	json_t *o = json_object();
	set_str(o, "id", f->id);
	set_str(o, "rule", f->rule);
	set_str(o, "severity", severity_name(f->severity));
	set_str(o, "title", f->title);
	json_t *loc = location_to_json(&f->location);
	if (json_object_size(loc))
		json_object_set_new(o, "location", loc);
	else
		json_decref(loc);
	if (f->evidence)
		json_object_set(o, "evidence", f->evidence);
	set_str(o, "problem", f->problem);
	set_str(o, "solution", f->solution);
	set_str(o, "impact", f->impact);
	set_str(o, "expected_improvement", f->expected_improvement);
	set_str(o, "escalate_to", finding_escalation(f));
	set_str(o, "recommendation", f->recommendation);
	set_str(o, "found_by", f->found_by);
	if (f->has_impact_score)
		json_object_set_new(o, "impact_score", json_real(f->impact_score));
	return o;
}

json_t *result_to_json(const struct pa_result *r)
{
	json_t *o = json_object();
	set_str(o, "schema", r->schema);
	set_str(o, "command", r->command);
	set_str(o, "version", r->version);
	set_str(o, "started_at", r->started_at);
	json_object_set_new(o, "duration_s", json_real(r->duration_s));
	json_object_set(o, "target", r->target);
	json_object_set(o, "metrics", r->metrics);
	json_t *fs = json_array();
	for (size_t i = 0; i < r->nfindings; i++)
		json_array_append_new(fs, finding_to_json(r->findings[i]));
	json_object_set_new(o, "findings", fs);
	json_t *as = json_array();
	for (size_t i = 0; i < r->nartifacts; i++) {
		json_t *a = json_object();
		set_str(a, "kind", r->artifacts[i].kind);
		set_str(a, "path", r->artifacts[i].path);
		json_array_append_new(as, a);
	}
	json_object_set_new(o, "artifacts", as);
	return o;
}

char *result_dumps(const struct pa_result *r)
{
	json_t *o = result_to_json(r);
	char *s = json_dumps(o, PA_JSON_FLAGS);
	json_decref(o);
	if (!s)
		die_oom();
	struct buf b = BUF_INIT;
	buf_puts(&b, s);
	buf_putc(&b, '\n');
	free(s);
	return buf_detach(&b);
}

/* ---- reading ---- */

struct rd {
	const char *name; /* file, for messages */
	char path[256];   /* JSON path of the object being read: "findings[2]" */
	struct pa_result *r;
	struct perr *e;
};

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

/* The dotted path of `key` inside the object being read. */
static const char *field(struct rd *d, const char *key, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s", d->path, d->path[0] ? "." : "", key);
	return out;
}

/* Look up key; -1 with an error for a missing required field or a wrong type. */
static int get(struct rd *d, const json_t *o, const char *key, json_type want, int required,
	       json_t **out)
{
	char f[300];
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return perr_set(d->e, "%s: field '%s' is missing", d->name, field(d, key, f, sizeof(f)));
		return 0;
	}
	int ok = json_typeof(v) == want || (want == JSON_REAL && json_is_integer(v));
	if (!ok) {
		const char *w = want == JSON_OBJECT ? "an object"
			      : want == JSON_ARRAY   ? "an array"
			      : want == JSON_STRING  ? "a string"
			      : want == JSON_INTEGER ? "an integer"
						     : "a number";
		return perr_set(d->e, "%s: field '%s' must be %s, not %s", d->name,
				field(d, key, f, sizeof(f)), w, type_name(v));
	}
	*out = v;
	return 0;
}

static int get_str(struct rd *d, const json_t *o, const char *key, int required, const char **out)
{
	json_t *v;
	char f[300];
	*out = NULL;
	if (get(d, o, key, JSON_STRING, required, &v))
		return -1;
	if (!v)
		return 0;
	if (json_string_length(v) == 0) {
		if (required)
			return perr_set(d->e, "%s: field '%s' is empty", d->name, field(d, key, f, sizeof(f)));
		return 0; /* an empty optional text is no text */
	}
	*out = arena_strndup(&d->r->arena, json_string_value(v), json_string_length(v));
	return 0;
}

static int get_pos_int(struct rd *d, const json_t *o, const char *key, long *out)
{
	json_t *v;
	char f[300];
	*out = 0;
	if (get(d, o, key, JSON_INTEGER, 0, &v))
		return -1;
	if (!v)
		return 0;
	json_int_t i = json_integer_value(v);
	if (i < 1 || i > 0x7fffffff)
		return perr_set(d->e, "%s: field '%s' must be a positive integer, not %lld", d->name,
				field(d, key, f, sizeof(f)), (long long)i);
	*out = (long)i;
	return 0;
}

static int read_location(struct rd *d, const json_t *o, struct pa_location *l)
{
	return get_str(d, o, "file", 0, &l->file) || get_pos_int(d, o, "line", &l->line) ||
	       get_pos_int(d, o, "column", &l->column) ||
	       get_str(d, o, "function", 0, &l->function) ||
	       get_str(d, o, "endpoint", 0, &l->endpoint) || get_str(d, o, "url", 0, &l->url) ||
	       get_str(d, o, "table", 0, &l->table) || get_str(d, o, "index", 0, &l->index) ||
	       get_str(d, o, "query_id", 0, &l->query_id) || get_pos_int(d, o, "pid", &l->pid)
		       ? -1
		       : 0;
}

static int read_finding(struct rd *d, const json_t *o)
{
	const char *rule, *sev, *title;
	char f[300];
	if (get_str(d, o, "rule", 1, &rule) || get_str(d, o, "severity", 1, &sev) ||
	    get_str(d, o, "title", 1, &title))
		return -1;
	enum pa_severity s;
	if (severity_parse(sev, &s))
		return perr_set(d->e, "%s: field '%s' is '%s'; expected critical, high, medium, low or info",
				d->name, field(d, "severity", f, sizeof(f)), sev);
	struct pa_finding *fd = result_add_finding(d->r, rule, s, title);
	json_t *loc, *ev, *score;
	if (get_str(d, o, "id", 0, &fd->id) || get(d, o, "location", JSON_OBJECT, 0, &loc))
		return -1;
	if (loc) {
		size_t n = strlen(d->path);
		snprintf(d->path + n, sizeof(d->path) - n, ".location");
		int rc = read_location(d, loc, &fd->location);
		d->path[n] = '\0';
		if (rc)
			return -1;
	}
	if (get(d, o, "evidence", JSON_OBJECT, 0, &ev))
		return -1;
	if (ev)
		fd->evidence = json_incref(ev);
	if (get_str(d, o, "problem", 0, &fd->problem) || get_str(d, o, "solution", 0, &fd->solution) ||
	    get_str(d, o, "impact", 0, &fd->impact) ||
	    get_str(d, o, "expected_improvement", 0, &fd->expected_improvement) ||
	    get_str(d, o, "escalate_to", 0, &fd->escalate_to) ||
	    get_str(d, o, "recommendation", 0, &fd->recommendation) ||
	    get_str(d, o, "found_by", 0, &fd->found_by) ||
	    get(d, o, "impact_score", JSON_REAL, 0, &score))
		return -1;
	if (score) {
		fd->impact_score = json_number_value(score);
		fd->has_impact_score = 1;
	}
	return 0;
}

/* A number >= 0 (and <= max when max > 0) at key, when present. */
static int get_nonneg(struct rd *d, const json_t *o, const char *key, double max)
{
	json_t *v;
	char f[300];
	if (get(d, o, key, JSON_REAL, 0, &v))
		return -1;
	if (v && (json_number_value(v) < 0 || json_number_value(v) > (max > 0 ? max : METRIC_MAX)))
		return perr_set(d->e, "%s: field '%s' is %g; expected a number from 0%s", d->name,
				field(d, key, f, sizeof(f)), json_number_value(v),
				max == 1 ? " to 1 (a fraction)" : " to 1e12");
	return 0;
}

/*
 * The metrics that `report` reads are validated here as well, so a result
 * whose p95 is a string is an error naming the field, not a silent gap in
 * the Summary table. Other metrics are command-specific and pass as they are.
 */
static int read_known_metrics(struct rd *d, const json_t *m)
{
	static const char *const summary[] = {"avg_response_ms", "p95_ms", "memory_mb", "throughput_rps"};
	static const char *const stage_nums[] = {"rate_rps", "avg_ms", "p95_ms", "throughput_rps"};
	json_t *stages, *s;
	const char *str;
	snprintf(d->path, sizeof(d->path), "metrics");
	for (size_t i = 0; i < sizeof(summary) / sizeof(summary[0]); i++)
		if (get_nonneg(d, m, summary[i], 0))
			return -1;
	if (get_str(d, m, "bottleneck", 0, &str) || get_str(d, m, "recommendation", 0, &str) ||
	    get(d, m, "stages", JSON_ARRAY, 0, &stages))
		return -1;
	size_t i;
	json_t *v;
	if (stages) {
		json_array_foreach(stages, i, v) {
			snprintf(d->path, sizeof(d->path), "metrics.stages[%zu]", i);
			if (!json_is_object(v))
				return perr_set(d->e, "%s: field '%s' must be an object, not %s", d->name,
						d->path, type_name(v));
			if (get(d, v, "concurrency", JSON_INTEGER, 0, &s) || get_nonneg(d, v, "error_rate", 1))
				return -1;
			if (s && json_integer_value(s) < 1)
				return perr_set(d->e, "%s: field '%s.concurrency' must be at least 1", d->name, d->path);
			for (size_t k = 0; k < sizeof(stage_nums) / sizeof(stage_nums[0]); k++)
				if (get_nonneg(d, v, stage_nums[k], 0))
					return -1;
		}
	}
	d->path[0] = '\0';
	return 0;
}

static int read_result(struct rd *d, const json_t *root)
{
	const char *schema, *cmd, *version, *started;
	json_t *dur, *target, *metrics, *findings, *artifacts;
	int64_t epoch;

	if (!json_is_object(root))
		return perr_set(d->e, "%s: expected a JSON object at the top level, found %s", d->name,
				type_name(root));
	if (get_str(d, root, "schema", 1, &schema))
		return -1;
	if (strcmp(schema, PA_SCHEMA) != 0)
		return perr_set(d->e, "%s: field 'schema' is '%s'; this perfagent reads %s", d->name,
				schema, PA_SCHEMA);
	if (get_str(d, root, "command", 1, &cmd) || get_str(d, root, "version", 1, &version) ||
	    get_str(d, root, "started_at", 1, &started))
		return -1;
	if (clock_parse_rfc3339(started, &epoch))
		return perr_set(d->e, "%s: field 'started_at' is '%s', not an RFC 3339 time like "
				      "2026-11-24T13:00:00Z",
				d->name, started);
	if (get(d, root, "duration_s", JSON_REAL, 1, &dur))
		return -1;
	if (json_number_value(dur) < 0)
		return perr_set(d->e, "%s: field 'duration_s' is negative", d->name);
	if (get(d, root, "target", JSON_OBJECT, 1, &target) ||
	    get(d, root, "metrics", JSON_OBJECT, 1, &metrics) ||
	    get(d, root, "findings", JSON_ARRAY, 1, &findings) ||
	    get(d, root, "artifacts", JSON_ARRAY, 0, &artifacts) || read_known_metrics(d, metrics))
		return -1;

	struct pa_result *r = d->r;
	r->schema = PA_SCHEMA;
	r->command = cmd;
	r->version = version;
	r->started_at = started;
	r->duration_s = json_number_value(dur);
	json_decref(r->target);
	json_decref(r->metrics);
	r->target = json_incref(target);
	r->metrics = json_incref(metrics);

	size_t i;
	json_t *v;
	json_array_foreach(findings, i, v) {
		snprintf(d->path, sizeof(d->path), "findings[%zu]", i);
		if (!json_is_object(v))
			return perr_set(d->e, "%s: field '%s' must be an object, not %s", d->name, d->path,
					type_name(v));
		if (read_finding(d, v))
			return -1;
	}
	if (artifacts) {
		json_array_foreach(artifacts, i, v) {
			const char *kind, *path;
			snprintf(d->path, sizeof(d->path), "artifacts[%zu]", i);
			if (!json_is_object(v))
				return perr_set(d->e, "%s: field '%s' must be an object, not %s", d->name,
						d->path, type_name(v));
			if (get_str(d, v, "kind", 1, &kind) || get_str(d, v, "path", 1, &path))
				return -1;
			result_add_artifact(r, kind, path);
		}
	}
	d->path[0] = '\0';
	return 0;
}

int result_from_json(json_t *root, const char *name, struct pa_result **out, struct perr *e)
{
	struct rd d = {.name = name, .e = e};
	d.r = result_new("");
	d.r->source = arena_strdup(&d.r->arena, name);
	if (read_result(&d, root)) {
		result_free(d.r);
		*out = NULL;
		return -1;
	}
	*out = d.r;
	return 0;
}

static int syntax_error(const char *name, const json_error_t *je, struct perr *e)
{
	if (je->line > 0)
		return perr_set(e, "%s:%d:%d: invalid JSON: %s", name, je->line, je->column, je->text);
	return perr_set(e, "%s: invalid JSON: %s", name, je->text);
}

#define PA_JSON_LOAD_FLAGS (JSON_REJECT_DUPLICATES)

int result_from_string(const char *text, size_t len, const char *name, struct pa_result **out,
		       struct perr *e)
{
	json_error_t je;
	*out = NULL;
	json_t *root = json_loadb(text, len, PA_JSON_LOAD_FLAGS, &je);
	if (!root)
		return syntax_error(name, &je, e);
	int rc = result_from_json(root, name, out, e);
	json_decref(root);
	return rc;
}

int result_load(const char *path, struct pa_result **out, struct perr *e)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	FILE *fp = stdin;
	*out = NULL;
	if (strcmp(path, "-") != 0) {
		struct stat st;
		if (stat(path, &st) != 0)
			return perr_set(e, "cannot read result file '%s': %s", path, strerror(errno));
		if (S_ISDIR(st.st_mode))
			return perr_set(e, "'%s' is a directory, not a result file", path);
		/* Sizes are known only for regular files; pipes are capped as read. */
		if (S_ISREG(st.st_mode) && st.st_size > (off_t)RESULT_MAX_BYTES)
			return perr_set(e, "'%s' is %lld MB; result files over %u MB are refused", path,
					(long long)(st.st_size / (1024 * 1024)), RESULT_MAX_BYTES / (1024 * 1024));
		fp = fopen(path, "rb");
		if (!fp)
			return perr_set(e, "cannot read result file '%s': %s", path, strerror(errno));
	}
	size_t len = 0;
	int too_big;
	int err = 0;
	char *text = fs_read_stream(fp, RESULT_MAX_BYTES, &len, &too_big);
	if (!text)
		err = errno;
	if (fp != stdin)
		fclose(fp);
	if (!text && too_big)
		return perr_set(e, "'%s' is over %u MB; larger result files are refused", name,
				RESULT_MAX_BYTES / (1024 * 1024));
	if (!text)
		return perr_set(e, "cannot read result file '%s': %s", name, strerror(err ? err : EIO));
	int rc;
	if (len == 0)
		rc = perr_set(e, "'%s' is empty, not a result file", name);
	else
		rc = result_from_string(text, len, name, out, e);
	free(text);
	return rc;
}
