/*
 * scan: `perfagent scan PATH...` — the seed's performance anti-patterns
 * found statically in Python code (N+1 queries, queries in loops,
 * quadratic loops, blocking I/O in async code, ...). The walk is
 * src/scan/walk.c, the driver src/scan/scan.c, the rules src/scan/rules/,
 * SARIF src/scan/sarif.c; this file is flags in, findings out.
 *
 * Output: the human view (file:line:col: rule [severity] message, the
 * line, the fix), --json / --format json (perfagent.result/1), or
 * --format sarif; -o FILE writes .json/.md/.html as every command does
 * and .sarif here.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/clock.h"
#include "../core/fsutil.h"
#include "../core/jsonx.h"
#include "../scan/sarif.h"
#include "../scan/scan.h"
#include "../scan/walk.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SKIPPED_LISTED 200 /* skipped paths listed in the metrics; the count is exact */

static const struct cli_opt scan_opts[] = {
	{"select", 0, CLI_REPEAT, "RULES", "run only these rules (comma-separated; see --list-rules)"},
	{"ignore", 0, CLI_REPEAT, "RULES", "do not run these rules (comma-separated)"},
	{"format", 0, CLI_VALUE, "text|json|sarif",
	 "what to print on stdout (default: text; --json is --format json); with -o FILE of another "
	 "extension, what to write there"},
	{"exclude", 0, CLI_REPEAT, "PATTERN", "skip paths matching this gitignore-style pattern, e.g. 'migrations/' or '*_pb2.py'"},
	{"no-ignore", 0, CLI_FLAG, NULL, "scan files .gitignore files would skip (virtualenvs, node_modules and the like stay skipped)"},
	{"jobs", 'j', CLI_VALUE, "N", "threads to scan with (default: one per core)"},
	{"list-files", 0, CLI_FLAG, NULL, "print the files that would be scanned, one per line, and exit"},
	{"list-rules", 0, CLI_FLAG, NULL, "print the rules with their severity and summary, and exit"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_scan_spec = {
	.name = "scan",
	.summary = "Find the seed's performance anti-patterns in Python code.",
	.args = "PATH...",
	.min_args = 0, /* --list-rules needs none; checked in cmd_scan */
	.max_args = -1,
	.opts = scan_opts,
	.description =
		"Static rules over Python source (tree-sitter): n-plus-one, query-in-loop,\n"
		"quadratic, string-concat-in-loop, blocking-io-in-async, missing-cache,\n"
		"missing-index, unbounded-query, sql-smells. A PATH that is a directory is\n"
		"walked for *.py files, skipping .git, virtualenvs, node_modules, build output,\n"
		"caches and what .gitignore files ignore; files are scanned in parallel, one per\n"
		"core. '# perfagent: ignore[RULE]' at the end of a line silences RULE there.\n"
		"Exit 3 when a file could not be read (the others are still reported).",
};

/* Print s with control characters shown as '?': source lines come from arbitrary files. */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		fputc(c < 0x20 && c != '\t' ? '?' : c == 0x7f ? '?' : c, out);
	}
}

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	size_t nfiles_hit = 0, bysev[PA_SEV_COUNT] = {0};
	const char *last = NULL;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct pa_finding *f = r->findings[i];
		const char *file = f->location.file ? f->location.file : "?";
		if (!last || strcmp(last, file) != 0)
			nfiles_hit++;
		last = file;
		bysev[f->severity]++;
		if (i)
			fputc('\n', out);
		put_clean(out, file);
		fprintf(out, ":%ld:%ld: %s [%s] ", f->location.line, f->location.column, f->rule,
			severity_name(f->severity));
		put_clean(out, f->title ? f->title : "");
		fputc('\n', out);
		if (f->problem && *f->problem) {
			fputs("    ", out);
			put_clean(out, f->problem);
			fputc('\n', out);
		}
		if (f->solution && *f->solution) {
			fputs("  fix: ", out);
			for (const char *p = f->solution; *p; p++) {
				if (*p == '\n') {
					fputs("\n       ", out);
					continue;
				}
				unsigned char c = (unsigned char)*p;
				fputc(c < 0x20 && c != '\t' ? '?' : c, out);
			}
			fputc('\n', out);
		}
	}
	if (r->nfindings)
		fputc('\n', out);
	int ok;
	double files = jsonx_number(r->metrics, "files", &ok);
	double lines = jsonx_number(r->metrics, "lines", &ok);
	double dur = jsonx_number(r->metrics, "duration_s", &ok);
	double supp = jsonx_number(r->metrics, "suppressed", &ok);
	if (r->nfindings) {
		fprintf(out, "%zu finding%s in %zu file%s (", r->nfindings, r->nfindings == 1 ? "" : "s", nfiles_hit,
			nfiles_hit == 1 ? "" : "s");
		int first = 1;
		for (int s = PA_SEV_COUNT - 1; s >= 0; s--) {
			if (!bysev[s])
				continue;
			fprintf(out, "%s%zu %s", first ? "" : ", ", bysev[s], severity_name((enum pa_severity)s));
			first = 0;
		}
		fputs(")", out);
	} else {
		fputs("no findings", out);
	}
	fprintf(out, "; %.0f line%s in %.0f file%s scanned in ", lines, lines == 1 ? "" : "s", files,
		files == 1 ? "" : "s");
	if (dur < 10)
		fprintf(out, "%.0f ms", dur * 1000);
	else
		fprintf(out, "%.1f s", dur);
	if (supp > 0)
		fprintf(out, "; %.0f suppressed", supp);
	fputc('\n', out);
}

/* The values of a repeatable option joined with commas, or NULL when it was not given. */
static char *joined(const struct cmd_ctx *ctx, const char *name)
{
	const struct cli_val *v = cli_get(&ctx->args, name);
	if (!v || !v->n)
		return NULL;
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, v->v[i]);
	}
	return buf_detach(&b);
}

static int list_rules(struct cmd_ctx *ctx)
{
	if (ctx->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < scan_nrules; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(scan_rules[i]->name));
			json_object_set_new(o, "severity", json_string(severity_name(scan_rules[i]->severity)));
			json_object_set_new(o, "summary", jsonx_string(scan_rules[i]->summary));
			json_array_append_new(a, o);
		}
		char *s = json_dumps(a, PA_JSON_FLAGS);
		json_decref(a);
		int rc = cmd_write(ctx, NULL, s, strlen(s));
		cmd_write(ctx, NULL, "\n", 1);
		free(s);
		return rc;
	}
	for (size_t i = 0; i < scan_nrules; i++)
		printf("%-22s %-7s %s\n", scan_rules[i]->name, severity_name(scan_rules[i]->severity),
		       scan_rules[i]->summary);
	return EXIT_DONE;
}

static int list_files(struct cmd_ctx *ctx, const struct scan_files *fl)
{
	if (ctx->json) {
		json_t *o = json_object(), *files = json_array(), *skipped = json_array();
		for (size_t i = 0; i < fl->n; i++)
			json_array_append_new(files, jsonx_string(fl->paths[i]));
		for (size_t i = 0; i < fl->nskipped; i++) {
			json_t *s = json_object();
			json_object_set_new(s, "path", jsonx_string(fl->skipped[i].path));
			json_object_set_new(s, "reason", json_string(fl->skipped[i].reason));
			json_array_append_new(skipped, s);
		}
		json_object_set_new(o, "files", files);
		json_object_set_new(o, "skipped", skipped);
		char *s = json_dumps(o, PA_JSON_FLAGS);
		json_decref(o);
		int rc = cmd_write(ctx, NULL, s, strlen(s));
		cmd_write(ctx, NULL, "\n", 1);
		free(s);
		return rc;
	}
	for (size_t i = 0; i < fl->n; i++)
		printf("%s\n", fl->paths[i]);
	return EXIT_DONE;
}

enum out_kind { OUT_TEXT, OUT_JSON, OUT_SARIF };

static int parse_format(const char *v, enum out_kind *k)
{
	if (strcmp(v, "text") == 0)
		*k = OUT_TEXT;
	else if (strcmp(v, "json") == 0)
		*k = OUT_JSON;
	else if (strcmp(v, "sarif") == 0)
		*k = OUT_SARIF;
	else
		return -1;
	return 0;
}

/* The SARIF log as text with a final newline; free() it. */
static char *sarif_text(const struct scan_report *rep)
{
	char *cwd = getcwd(NULL, 0);
	json_t *log = scan_sarif(rep, cwd);
	free(cwd);
	char *s = json_dumps(log, PA_JSON_FLAGS);
	json_decref(log);
	struct buf b = BUF_INIT;
	buf_puts(&b, s);
	buf_putc(&b, '\n');
	free(s);
	return buf_detach(&b);
}

int cmd_scan(struct cmd_ctx *ctx)
{
	/* What goes to stdout, and what -o FILE gets. */
	enum out_kind stdout_kind = ctx->json ? OUT_JSON : OUT_TEXT, file_kind = OUT_JSON;
	const char *v = cli_str(&ctx->args, "format");
	if (v) {
		enum out_kind k;
		if (parse_format(v, &k)) {
			cmd_error(ctx, "--format '%s': expected text, json or sarif", v);
			return EXIT_USAGE;
		}
		if (ctx->json && k != OUT_JSON) {
			cmd_error(ctx, "--json and --format %s contradict each other; give one of them", v);
			return EXIT_USAGE;
		}
		stdout_kind = k;
	}
	int file_custom = 0; /* -o's format is ours to write (sarif, or text), not cmd_emit's */
	if (ctx->output) {
		const char *ext = fs_extension(ctx->output);
		if (strcmp(ext, "sarif") == 0) {
			file_kind = OUT_SARIF;
			file_custom = 1;
		} else if (!ctx->out_fmt) {
			if (!v) {
				cmd_error(ctx, "cannot tell the format of '%s' from its extension; use .json, .md, .html or .sarif, or say --format",
					  ctx->output);
				return EXIT_USAGE;
			}
			file_kind = stdout_kind;
			file_custom = file_kind != OUT_JSON;
			if (!file_custom)
				ctx->out_fmt = "json";
		}
	}
	ctx->json = stdout_kind == OUT_JSON;

	char *sel = joined(ctx, "select"), *ign = joined(ctx, "ignore");
	const struct scan_rule *rules[64]; /* scan_select refuses more than 64 rules */
	size_t nrules = 0;
	struct perr e;
	int bad_sel = scan_select(sel, ign, rules, &nrules, &e);
	free(sel);
	free(ign);
	if (bad_sel) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_USAGE;
	}
	if (cli_count(&ctx->args, "list-rules"))
		return list_rules(ctx);
	if (ctx->args.npos == 0) {
		cmd_error(ctx, "missing PATH...; usage: perfagent scan PATH... (see 'perfagent scan -h')");
		return EXIT_USAGE;
	}
	if (nrules == 0) {
		cmd_error(ctx, "--ignore leaves no rule to run; drop some of its names");
		return EXIT_USAGE;
	}
	long jobs = 0;
	if ((v = cli_str(&ctx->args, "jobs")) && cmd_parse_long(v, 1, 256, &jobs)) {
		cmd_error(ctx, "--jobs '%s': expected a number of threads from 1 to 256", v);
		return EXIT_USAGE;
	}

	int64_t t0 = clock_mono_ns();
	const struct cli_val *ex = cli_get(&ctx->args, "exclude");
	struct scan_walk_opts wo = {
		.no_ignore = cli_count(&ctx->args, "no-ignore") > 0,
		.excludes = ex ? ex->v : NULL,
		.nexcludes = ex ? ex->n : 0,
	};
	struct scan_files fl;
	if (scan_find_files(ctx->args.pos, ctx->args.npos, &wo, &fl, &e)) {
		cmd_error(ctx, "%s", e.msg);
		scan_files_free(&fl);
		return EXIT_USAGE;
	}
	int bad = 0;
	for (size_t i = 0; i < fl.nerrors; i++) {
		cmd_error(ctx, "%s", fl.errors[i].msg);
		bad = 1;
	}
	if (cli_count(&ctx->args, "list-files")) {
		int rc = list_files(ctx, &fl);
		scan_files_free(&fl);
		return rc ? rc : bad ? EXIT_CANNOT_RUN : EXIT_DONE;
	}

	struct scan_opts so = {.rules = rules, .nrules = nrules, .threads = (unsigned)jobs, .progress = &ctx->progress};
	struct scan_report rep;
	if (scan_run(fl.paths, fl.n, &so, &rep, &e)) {
		cmd_error(ctx, "%s", e.msg);
		scan_report_free(&rep);
		scan_files_free(&fl);
		return EXIT_CANNOT_RUN;
	}
	for (size_t i = 0; i < rep.nread_errors; i++) {
		cmd_error(ctx, "%s", rep.read_errors[i].msg);
		bad = 1;
	}
	for (size_t i = 0; i < rep.nparse_errors; i++)
		cmd_note(ctx, "%s:%u:%u: syntax error; rules ran on what parsed", rep.parse_errors[i].file,
			 rep.parse_errors[i].line, rep.parse_errors[i].col);
	for (size_t i = 0; i < rep.nnotes; i++)
		cmd_note(ctx, "%s:%u: %s", rep.notes[i].file, rep.notes[i].line, rep.notes[i].msg);

	struct pa_result *r = result_new("scan");
	json_t *paths = json_array();
	for (size_t i = 0; i < ctx->args.npos; i++)
		json_array_append_new(paths, jsonx_string(ctx->args.pos[i]));
	json_object_set_new(r->target, "paths", paths);
	scan_to_result(&rep, r);
	json_t *skipped = json_array();
	for (size_t i = 0; i < fl.nskipped && i < SKIPPED_LISTED; i++) {
		json_t *s = json_object();
		json_object_set_new(s, "path", jsonx_string(fl.skipped[i].path));
		json_object_set_new(s, "reason", json_string(fl.skipped[i].reason));
		json_array_append_new(skipped, s);
	}
	json_object_set_new(r->metrics, "skipped", skipped);
	json_object_set_new(r->metrics, "skipped_count", json_integer((json_int_t)fl.nskipped));
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	/* the summary's time covers the walk too */
	json_object_set_new(r->metrics, "duration_s", json_real(r->duration_s));

	char *sarif = NULL;
	if (stdout_kind == OUT_SARIF || (ctx->output && file_kind == OUT_SARIF))
		sarif = sarif_text(&rep);
	if (stdout_kind == OUT_SARIF) {
		progress_clear(&ctx->progress);
		cmd_write(ctx, NULL, sarif, strlen(sarif));
	}
	const char *output = ctx->output;
	if (file_custom)
		ctx->output = NULL; /* cmd_emit writes .json/.md/.html; SARIF and text are written below */
	int rc = cmd_emit(ctx, r, stdout_kind == OUT_TEXT ? human : NULL);
	ctx->output = output;
	if (file_custom && rc != EXIT_CANNOT_RUN) {
		int wrc;
		if (file_kind == OUT_SARIF) {
			wrc = cmd_write(ctx, output, sarif, strlen(sarif));
		} else {
			char *text = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&text, &len);
			if (mem) {
				human(ctx, r, mem);
				fclose(mem);
			}
			wrc = cmd_write(ctx, output, text ? text : "", text ? len : 0);
			free(text);
		}
		if (wrc)
			rc = wrc;
		else
			cmd_note(ctx, "wrote %s", output);
	}
	free(sarif);
	result_free(r);
	scan_report_free(&rep);
	scan_files_free(&fl);
	if (bad && rc == EXIT_DONE)
		rc = EXIT_CANNOT_RUN;
	return rc;
}
