/*
 * render_html: the document model as one self-contained HTML page — inline
 * CSS, no scripts, no external requests — that opens from a file or a CI
 * artifact store and prints cleanly.
 */
#include "doc.h"

#include <string.h>

static void esc(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

static void html_inline(struct buf *out, const struct doc_inline *in)
{
	for (const struct doc_span *s = in->head; s; s = s->next) {
		switch (s->kind) {
		case SPAN_TEXT:
			esc(out, s->text);
			break;
		case SPAN_BOLD:
			buf_puts(out, "<strong>");
			esc(out, s->text);
			buf_puts(out, "</strong>");
			break;
		case SPAN_CODE:
			buf_puts(out, "<code>");
			esc(out, s->text);
			buf_puts(out, "</code>");
			break;
		}
	}
}

static const char css[] =
	"body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;"
	"margin:2rem auto;padding:0 1rem;color:#1b1f24}"
	"h1{border-bottom:2px solid #d0d7de;padding-bottom:.3rem}"
	"h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}"
	"table{border-collapse:collapse;margin:1rem 0}"
	"th,td{border:1px solid #d0d7de;padding:.3rem .7rem;text-align:left}"
	"th{background:#f6f8fa}td.r,th.r{text-align:right}"
	"code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;"
	"padding:.1rem .3rem;border-radius:4px}"
	"pre{background:#f6f8fa;padding:.8rem;border-radius:6px;overflow:auto}"
	"pre code{padding:0;background:none}hr{border:0;border-top:1px solid #d0d7de}";

void doc_render_html(const struct doc *d, struct buf *out)
{
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	buf_puts(out, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	buf_puts(out, "<title>");
	esc(out, d->title);
	buf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	for (const struct doc_block *b = d->head; b; b = b->next) {
		switch (b->kind) {
		case DOC_HEADING:
			buf_printf(out, "<h%d>", b->level);
			esc(out, b->text);
			buf_printf(out, "</h%d>\n", b->level);
			break;
		case DOC_PARA:
			buf_puts(out, "<p>");
			html_inline(out, &b->para);
			buf_puts(out, "</p>\n");
			break;
		case DOC_TABLE: {
			const struct doc_table *t = &b->table;
			buf_puts(out, "<table>\n<thead><tr>");
			for (size_t c = 0; c < t->ncols; c++) {
				buf_puts(out, t->right[c] ? "<th class=\"r\">" : "<th>");
				esc(out, t->header[c]);
				buf_puts(out, "</th>");
			}
			buf_puts(out, "</tr></thead>\n<tbody>\n");
			for (size_t r = 0; r < t->nrows; r++) {
				buf_puts(out, "<tr>");
				for (size_t c = 0; c < t->ncols; c++) {
					buf_puts(out, t->right[c] ? "<td class=\"r\">" : "<td>");
					html_inline(out, &t->rows[r][c]);
					buf_puts(out, "</td>");
				}
				buf_puts(out, "</tr>\n");
			}
			buf_puts(out, "</tbody>\n</table>\n");
			break;
		}
		case DOC_CODE:
			if (b->lang[0]) {
				buf_puts(out, "<pre><code class=\"language-");
				esc(out, b->lang);
				buf_puts(out, "\">");
			} else {
				buf_puts(out, "<pre><code>");
			}
			esc(out, b->text);
			buf_puts(out, "</code></pre>\n");
			break;
		case DOC_LIST:
			buf_puts(out, b->list.ordered ? "<ol>\n" : "<ul>\n");
			for (size_t i = 0; i < b->list.n; i++) {
				buf_puts(out, "<li>");
				html_inline(out, b->list.items[i]);
				buf_puts(out, "</li>\n");
			}
			buf_puts(out, b->list.ordered ? "</ol>\n" : "</ul>\n");
			break;
		case DOC_RULE:
			buf_puts(out, "<hr>\n");
			break;
		}
	}
	buf_puts(out, "</body>\n</html>\n");
}
