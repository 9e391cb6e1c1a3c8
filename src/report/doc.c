/*
 * doc: building the document model.
 */
#include "doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct doc *doc_new(const char *title)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	d->title = arena_strdup(&d->arena, title ? title : "");
	return d;
}

static void free_block_arrays(struct doc_block *b)
{
	if (b->kind == DOC_TABLE)
		free(b->table.rows);
	if (b->kind == DOC_LIST)
		free(b->list.items);
}

void doc_free(struct doc *d)
{
	if (!d)
		return;
	for (struct doc_block *b = d->head; b; b = b->next)
		free_block_arrays(b);
	arena_free(&d->arena);
	free(d);
}

static struct doc_block *add(struct doc *d, enum doc_block_kind kind)
{
	struct doc_block *b = arena_calloc(&d->arena, 1, sizeof(*b));
	b->kind = kind;
	if (d->tail)
		d->tail->next = b;
	else
		d->head = b;
	d->tail = b;
	return b;
}

void doc_heading(struct doc *d, int level, const char *text)
{
	struct doc_block *b = add(d, DOC_HEADING);
	b->level = level < 1 ? 1 : level > 4 ? 4 : level;
	b->text = arena_strdup(&d->arena, text);
}

struct doc_inline *doc_para(struct doc *d)
{
	return &add(d, DOC_PARA)->para;
}

void doc_span(struct doc *d, struct doc_inline *in, enum doc_span_kind kind, const char *text)
{
	if (!text || !*text)
		return;
	struct doc_span *s = arena_calloc(&d->arena, 1, sizeof(*s));
	s->kind = kind;
	s->text = arena_strdup(&d->arena, text);
	if (in->tail)
		in->tail->next = s;
	else
		in->head = s;
	in->tail = s;
}

void doc_spanf(struct doc *d, struct doc_inline *in, enum doc_span_kind kind, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	doc_span(d, in, kind, buf_str(&b));
	buf_free(&b);
}

void doc_labeled(struct doc *d, const char *label, enum doc_span_kind vkind, const char *value)
{
	struct doc_inline *p = doc_para(d);
	doc_spanf(d, p, SPAN_BOLD, "%s:", label);
	doc_span(d, p, SPAN_TEXT, " ");
	doc_span(d, p, vkind, value);
}

void doc_code(struct doc *d, const char *lang, const char *text)
{
	struct doc_block *b = add(d, DOC_CODE);
	b->lang = arena_strdup(&d->arena, lang ? lang : "");
	b->text = arena_strdup(&d->arena, text);
}

void doc_rule(struct doc *d)
{
	add(d, DOC_RULE);
}

struct doc_table *doc_table(struct doc *d, size_t ncols, const char *const *header)
{
	struct doc_block *b = add(d, DOC_TABLE);
	struct doc_table *t = &b->table;
	t->ncols = ncols;
	t->header = arena_calloc(&d->arena, ncols, sizeof(*t->header));
	t->right = arena_calloc(&d->arena, ncols, sizeof(*t->right));
	for (size_t i = 0; i < ncols; i++)
		t->header[i] = arena_strdup(&d->arena, header[i]);
	return t;
}

void doc_table_right(struct doc_table *t, size_t col)
{
	if (col < t->ncols)
		t->right[col] = 1;
}

struct doc_inline *doc_table_row(struct doc *d, struct doc_table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	struct doc_inline *row = arena_calloc(&d->arena, t->ncols, sizeof(*row));
	t->rows[t->nrows++] = row;
	return row;
}

struct doc_list *doc_list(struct doc *d, int ordered)
{
	struct doc_block *b = add(d, DOC_LIST);
	b->list.ordered = ordered;
	return &b->list;
}

struct doc_inline *doc_list_item(struct doc *d, struct doc_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	struct doc_inline *it = arena_calloc(&d->arena, 1, sizeof(*it));
	l->items[l->n++] = it;
	return it;
}
