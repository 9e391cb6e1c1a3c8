/*
 * doc: a tiny document model — headings, paragraphs of styled spans,
 * tables, code blocks, lists — that the report builds once and the Markdown
 * and HTML renderers print. Keeping the two outputs behind one model means a
 * section added to the report appears in both.
 *
 * All memory belongs to the doc's arena and goes with doc_free().
 */
#ifndef PA_DOC_H
#define PA_DOC_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/buf.h"

enum doc_span_kind {
	SPAN_TEXT,
	SPAN_BOLD,
	SPAN_CODE,
};

struct doc_span {
	enum doc_span_kind kind;
	const char *text;
	struct doc_span *next;
};

/* A run of spans: one paragraph, list item or table cell. */
struct doc_inline {
	struct doc_span *head, *tail;
};

enum doc_block_kind {
	DOC_HEADING,
	DOC_PARA,
	DOC_TABLE,
	DOC_CODE,
	DOC_LIST,
	DOC_RULE,
};

struct doc_table {
	size_t ncols;
	const char **header;
	int *right;           /* per column: 1 to right-align (numbers) */
	struct doc_inline **rows; /* nrows arrays of ncols cells */
	size_t nrows, cap;
};

struct doc_list {
	int ordered;
	struct doc_inline **items;
	size_t n, cap;
};

struct doc_block {
	enum doc_block_kind kind;
	int level;            /* DOC_HEADING: 1..4 */
	const char *text;     /* DOC_HEADING text; DOC_CODE body */
	const char *lang;     /* DOC_CODE language, may be "" */
	struct doc_inline para;
	struct doc_table table;
	struct doc_list list;
	struct doc_block *next;
};

struct doc {
	struct arena arena;
	const char *title; /* for HTML's <title> */
	struct doc_block *head, *tail;
};

struct doc *doc_new(const char *title);
void doc_free(struct doc *d);

void doc_heading(struct doc *d, int level, const char *text);
/* A new paragraph; fill it with doc_span(). */
struct doc_inline *doc_para(struct doc *d);
void doc_span(struct doc *d, struct doc_inline *in, enum doc_span_kind kind, const char *text);
void doc_spanf(struct doc *d, struct doc_inline *in, enum doc_span_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "**Label:** value" as one paragraph, the commonest line in the report. */
void doc_labeled(struct doc *d, const char *label, enum doc_span_kind vkind, const char *value);
void doc_code(struct doc *d, const char *lang, const char *text);
void doc_rule(struct doc *d);

/* A table with ncols columns; headers are copied. */
struct doc_table *doc_table(struct doc *d, size_t ncols, const char *const *header);
void doc_table_right(struct doc_table *t, size_t col);
/* A new row of empty cells; fill each with doc_span(). */
struct doc_inline *doc_table_row(struct doc *d, struct doc_table *t);

struct doc_list *doc_list(struct doc *d, int ordered);
struct doc_inline *doc_list_item(struct doc *d, struct doc_list *l);

/* Render as CommonMark with GitHub tables. */
void doc_render_md(const struct doc *d, struct buf *out);
/* Render as one self-contained HTML page (inline CSS, no scripts). */
void doc_render_html(const struct doc *d, struct buf *out);

#endif
