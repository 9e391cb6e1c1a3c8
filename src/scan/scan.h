/*
 * scan: the driver of `perfagent scan` — Python files in, sorted findings
 * out. It reads each file, parses it (pyfile.h), runs every selected rule's
 * check and collect on it (rules.h), frees the tree, and after the last
 * file runs each rule's finish over the facts collected. Files are shared
 * out to a pool of threads, one file at a time per thread, each thread
 * with its own collector; the findings are merged and sorted by file,
 * line, column, rule and message, so the output never depends on the
 * thread count or the order files finished in.
 *
 * Suppression: a comment `# perfagent: ignore` on a finding's own line
 * (the line its node starts on) drops every finding there;
 * `# perfagent: ignore[rule]` or `# perfagent: ignore[rule1, rule2]`
 * drops only those rules'. The comment may follow other comment text
 * ("# noqa  # perfagent: ignore[quadratic]"). A rule name there that is no
 * rule is reported as a note, with a did-you-mean.
 *
 * Columns are counted in characters (Unicode code points), 1-based, so an
 * editor puts the cursor where the finding is even on a line with
 * non-ASCII text before it.
 *
 * A file that cannot be read is listed in read_errors and the others are
 * scanned; a file with syntax errors is scanned for what parsed and listed
 * in parse_errors. Nothing in a file — binary junk, invalid UTF-8, NUL
 * bytes — makes the driver fail.
 */
#ifndef PA_SCAN_SCAN_H
#define PA_SCAN_SCAN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/err.h"
#include "../core/progress.h"
#include "../core/result.h"
#include "rules.h"

struct scan_finding {
	const char *rule; /* "n-plus-one" */
	enum pa_severity severity;
	const char *file;
	unsigned line, col, end_line; /* 1-based; col in characters */
	const char *message;
	const char *fix;      /* may be NULL when the rule gave none */
	const char *source;   /* the finding's source line without its indentation (at most 240 bytes); NULL when unknown */
	const char *function; /* the enclosing def, "Class.method" or "outer.inner"; NULL at module level */
};

struct scan_parse_error {
	const char *file;
	unsigned line, col; /* the first syntax error, 1-based */
};

struct scan_read_error {
	const char *file;
	const char *msg; /* "cannot read 'x': Permission denied" */
};

struct scan_note {
	const char *file;
	unsigned line;
	const char *msg; /* "unknown rule 'quadratc' in '# perfagent: ignore[...]' (did you mean 'quadratic'?)" */
};

struct scan_opts {
	const struct scan_rule *const *rules; /* the rules to run, in table order (scan_select) */
	size_t nrules;
	unsigned threads;                 /* 0: the number of online cores */
	struct progress *progress;        /* NULL: none; updated from the calling thread only */
	volatile sig_atomic_t *stop;      /* NULL, or set (by a signal handler) to stop taking new files */
};

struct scan_report {
	struct scan_finding *findings; /* sorted: file, line, col, rule, message; duplicates dropped */
	size_t nfindings;
	struct scan_parse_error *parse_errors; /* in file order */
	size_t nparse_errors;
	struct scan_read_error *read_errors; /* in file order */
	size_t nread_errors;
	struct scan_note *notes;
	size_t nnotes;
	const struct scan_rule **rules; /* the rules that ran */
	size_t nrules;
	size_t files;     /* files read (parsed, with or without errors) */
	uint64_t lines;   /* their lines */
	uint64_t bytes;
	size_t suppressed; /* findings dropped by `# perfagent: ignore` */
	unsigned threads;  /* threads used */
	int interrupted;   /* opts.stop was set before every file was read */
	double duration_s;
	struct arena arena; /* every string and array above */
};

/*
 * Scan files[0..nfiles) ("-" reads standard input). Returns 0 with the
 * report filled — also when files could not be read (see read_errors);
 * -1 with e set only when no thread could be started. Free the report
 * with scan_report_free() in both cases. The paths must stay alive during
 * the call; the report holds its own copies.
 *
 * Each rule's finish gets the non-NULL facts its collect returned, in file
 * order (n may be 0); facts of a rule that has collect but no finish are
 * free()d by the driver.
 */
int scan_run(const char *const *files, size_t nfiles, const struct scan_opts *o, struct scan_report *out,
	     struct perr *e);

/*
 * The same for one file already in memory (no thread, no I/O): for the
 * fuzzer, tests, and callers that hold the text (an editor, MCP). src
 * need not be NUL-terminated.
 */
int scan_buffer(const char *path, const char *src, size_t len, const struct scan_opts *o, struct scan_report *out,
		struct perr *e);

void scan_report_free(struct scan_report *r);

/* The rule called name in scan_rules[], or NULL. */
const struct scan_rule *scan_rule_find(const char *name);

/*
 * The rules to run: every rule, or those named in select (comma-separated,
 * spaces allowed; several --select values may be joined with commas), less
 * those named in ignore. Either may be NULL. Fills out (room for
 * scan_nrules entries) in table order and *n. Returns -1 with e set for
 * an unknown rule name (with a did-you-mean) or an empty list.
 */
int scan_select(const char *select, const char *ignore, const struct scan_rule **out, size_t *n, struct perr *e);

/*
 * Add the report to a perfagent.result/1 result: one finding per
 * scan_finding (rule, severity, title = message, location {file, line,
 * column, function}, problem = the source line, solution = the fix,
 * evidence {end_line} when the finding spans lines), and metrics files, lines, bytes, parse_errors
 * [{file, line, col}], read_errors [{file, error}], duration_s,
 * lines_per_s, rules (names run), suppressed, threads.
 */
void scan_to_result(const struct scan_report *r, struct pa_result *res);

#endif
