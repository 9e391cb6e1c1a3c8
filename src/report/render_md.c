/*
 * render_md: the document model as CommonMark with GitHub-style tables.
 *
 * Text is escaped just enough that it cannot turn into markup (emphasis,
 * links, HTML, headings, list markers) while staying readable as plain
 * text: "user_id" keeps its underscore, "SELECT *" gets a backslash.
 */
#include "doc.h"

#include <ctype.h>
#include <string.h>

static int word_char(int c)
{
	return isalnum(c);
}

/* How text is escaped: a one-line context folds newlines into spaces; a
 * table cell also escapes '|'. */
enum { MD_BLOCK = 0, MD_ONE_LINE = 1, MD_CELL = 3 };

/*
 * mode: MD_BLOCK, MD_ONE_LINE (headings, list items) or MD_CELL. *line_start
 * says whether the text
 * begins a line, where '#', '>', '-', '+', '=' and "1." or "1)" followed by
 * a space would start a block; it is updated for the next span.
 */
static void md_text(struct buf *out, const char *s, int mode, int *line_start_io)
{
	int one_line = mode & MD_ONE_LINE;
	int line_start = *line_start_io;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n' || c == '\r') {
			if (c == '\r' && p[1] == '\n')
				continue; /* CR LF: one line break */
			if (one_line) {
				buf_putc(out, ' ');
			} else {
				buf_putc(out, '\n');
				line_start = 1;
			}
			continue;
		}
		if (line_start && mode != MD_CELL) {
			const char *q = p;
			while (isdigit((unsigned char)*q))
				q++;
			if (strchr("#>-+=", c))
				buf_putc(out, '\\');
			else if (q > p && (*q == '.' || *q == ')') && (q[1] == ' ' || q[1] == '\0')) {
				buf_put(out, p, (size_t)(q - p));
				buf_putc(out, '\\');
				p = q;
				c = (unsigned char)*p;
			}
		}
		switch (c) {
		case '\\': case '`': case '*': case '[': case ']': case '<': case '>': case '&':
			buf_putc(out, '\\');
			break;
		case '_': {
			int before = p > s && word_char((unsigned char)p[-1]);
			int after = word_char((unsigned char)p[1]);
			if (!(before && after))
				buf_putc(out, '\\');
			break;
		}
		case '|':
			if (mode == MD_CELL)
				buf_putc(out, '\\');
			break;
		default:
			break;
		}
		buf_putc(out, (char)c);
		if (c != ' ')
			line_start = 0;
	}
	*line_start_io = line_start;
}

/* Inline code: a backtick fence one longer than the longest run inside. */
static void md_code_span(struct buf *out, const char *s, int mode)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	int pad = longest > 0 || s[0] == '`' || (*s && s[strlen(s) - 1] == '`');
	for (size_t i = 0; i <= longest; i++)
		buf_putc(out, '`');
	if (pad)
		buf_putc(out, ' ');
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			buf_putc(out, ' ');
		else if (*p == '|' && mode == MD_CELL)
			buf_puts(out, "\\|");
		else
			buf_putc(out, *p);
	}
	if (pad)
		buf_putc(out, ' ');
	for (size_t i = 0; i <= longest; i++)
		buf_putc(out, '`');
}

static void md_inline(struct buf *out, const struct doc_inline *in, int mode)
{
	int line_start = 1;
	for (const struct doc_span *s = in->head; s; s = s->next) {
		switch (s->kind) {
		case SPAN_TEXT:
			md_text(out, s->text, mode, &line_start);
			break;
		case SPAN_BOLD:
			buf_puts(out, "**");
			line_start = 0;
			md_text(out, s->text, mode, &line_start);
			buf_puts(out, "**");
			break;
		case SPAN_CODE:
			md_code_span(out, s->text, mode);
			line_start = 0;
			break;
		}
	}
}

static void md_table(struct buf *out, const struct doc_table *t)
{
	buf_putc(out, '|');
	for (size_t c = 0; c < t->ncols; c++) {
		int ls = 0;
		buf_putc(out, ' ');
		md_text(out, t->header[c], MD_CELL, &ls);
		buf_puts(out, " |");
	}
	buf_puts(out, "\n|");
	for (size_t c = 0; c < t->ncols; c++)
		buf_puts(out, t->right[c] ? "-------:|" : "--------|");
	buf_putc(out, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		buf_putc(out, '|');
		for (size_t c = 0; c < t->ncols; c++) {
			buf_putc(out, ' ');
			md_inline(out, &t->rows[r][c], MD_CELL);
			buf_puts(out, " |");
		}
		buf_putc(out, '\n');
	}
}

static void md_code_block(struct buf *out, const char *lang, const char *text)
{
	size_t run = 0, longest = 0;
	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest >= 3 ? longest + 1 : 3;
	for (size_t i = 0; i < fence; i++)
		buf_putc(out, '`');
	buf_puts(out, lang);
	buf_putc(out, '\n');
	buf_puts(out, text);
	if (!*text || text[strlen(text) - 1] != '\n')
		buf_putc(out, '\n');
	for (size_t i = 0; i < fence; i++)
		buf_putc(out, '`');
	buf_putc(out, '\n');
}

void doc_render_md(const struct doc *d, struct buf *out)
{
	for (const struct doc_block *b = d->head; b; b = b->next) {
		switch (b->kind) {
		case DOC_HEADING: {
			int ls = 0;
			for (int i = 0; i < b->level; i++)
				buf_putc(out, '#');
			buf_putc(out, ' ');
			md_text(out, b->text, MD_ONE_LINE, &ls);
			buf_putc(out, '\n');
			break;
		}
		case DOC_PARA:
			md_inline(out, &b->para, MD_BLOCK);
			buf_putc(out, '\n');
			break;
		case DOC_TABLE:
			md_table(out, &b->table);
			break;
		case DOC_CODE:
			md_code_block(out, b->lang, b->text);
			break;
		case DOC_LIST:
			for (size_t i = 0; i < b->list.n; i++) {
				if (b->list.ordered)
					buf_printf(out, "%zu. ", i + 1);
				else
					buf_puts(out, "- ");
				md_inline(out, b->list.items[i], MD_ONE_LINE);
				buf_putc(out, '\n');
			}
			break;
		case DOC_RULE:
			buf_puts(out, "---\n");
			break;
		}
		if (b->next)
			buf_putc(out, '\n');
	}
}
