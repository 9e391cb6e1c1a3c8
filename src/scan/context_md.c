/*
 * context_md: the two Markdown files of the seed's Auto-Context Loading —
 * CLAUDE.md (the project's rules) and specs/architecture.md (its
 * components). Both are read line by line with what CommonMark says about
 * block structure and nothing more: ATX and setext headings, bullet
 * ("- * +") and numbered ("1." "1)") items with their continuation lines,
 * fenced code skipped. A rule is such an item; a component is a heading
 * (the document's title aside) or the name of an item ("**API** — serves
 * the routes" names "API"). Inline markup is taken off names only as far
 * as reading needs: emphasis markers, backticks, links.
 */
#include "context_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"

#define MD_MAX (4u << 20)
#define ITEM_MAX 1000 /* a rule longer than this is cut, with "..." */

enum md_kind { MD_BLANK, MD_HEADING, MD_ITEM, MD_TEXT, MD_OTHER };

struct md_line {
	enum md_kind kind;
	int level;        /* heading level */
	const char *text; /* heading or item text, marker off; the trimmed line for text */
	size_t len;
};

static int all_of(const char *s, size_t n, char c)
{
	size_t k = 0;
	while (k < n && s[k] == c)
		k++;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	return k == n && n > 0 && s[0] == c;
}

/* Classify one line (no newline, length n). */
static struct md_line classify(const char *s, size_t n)
{
	struct md_line l = {MD_BLANK, 0, s, 0};
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return l;
	const char *p = s + i;
	size_t m = n - i;
	if (i < 4 && p[0] == '#') {
		int lv = 0;
		while (lv < (int)m && p[lv] == '#')
			lv++;
		if (lv <= 6 && (lv == (int)m || p[lv] == ' ' || p[lv] == '\t')) {
			const char *t = p + lv;
			size_t tl = m - (size_t)lv;
			while (tl && (*t == ' ' || *t == '\t'))
				t++, tl--;
			/* closing #s */
			size_t e = tl;
			while (e && t[e - 1] == '#')
				e--;
			if (e < tl && (e == 0 || t[e - 1] == ' '))
				tl = e;
			while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
				tl--;
			l.kind = MD_HEADING;
			l.level = lv;
			l.text = t;
			l.len = tl;
			return l;
		}
	}
	/* thematic breaks are not items: "---", "***", "___", "- - -" */
	{
		int marks = 0, other = 0;
		for (size_t k = 0; k < m; k++) {
			if (p[k] == p[0] && (p[0] == '-' || p[0] == '*' || p[0] == '_'))
				marks++;
			else if (p[k] != ' ' && p[k] != '\t')
				other = 1;
		}
		if (!other && marks >= 3) {
			l.kind = MD_OTHER;
			return l;
		}
	}
	size_t mk = 0;
	if ((p[0] == '-' || p[0] == '*' || p[0] == '+') && (m == 1 || p[1] == ' ' || p[1] == '\t')) {
		mk = 1;
	} else if (isdigit((unsigned char)p[0])) {
		size_t d = 0;
		while (d < m && d < 9 && isdigit((unsigned char)p[d]))
			d++;
		if (d < m && (p[d] == '.' || p[d] == ')') && (d + 1 == m || p[d + 1] == ' ' || p[d + 1] == '\t'))
			mk = d + 1;
	}
	if (mk) {
		const char *t = p + mk;
		size_t tl = m - mk;
		while (tl && (*t == ' ' || *t == '\t'))
			t++, tl--;
		/* task lists: "- [ ] x", "- [x] x" */
		if (tl >= 4 && t[0] == '[' && (t[1] == ' ' || t[1] == 'x' || t[1] == 'X') && t[2] == ']' && t[3] == ' ')
			t += 4, tl -= 4;
		l.kind = tl ? MD_ITEM : MD_OTHER;
		l.text = t;
		l.len = tl;
		return l;
	}
	if (p[0] == '|' || p[0] == '<' || p[0] == '>') {
		l.kind = MD_OTHER; /* tables, HTML, quotes: not rules */
		return l;
	}
	l.kind = MD_TEXT;
	l.text = p;
	l.len = m;
	return l;
}

/*
 * The line-by-line reader both files share: calls fn for each heading and
 * each complete item (continuation lines joined with a space). Fenced code
 * is skipped; a setext underline turns the text line above into a heading.
 */
typedef void (*md_fn)(void *arg, enum md_kind kind, int level, const char *text, unsigned line);

static void md_read(const char *text, md_fn fn, void *arg)
{
	struct buf item = BUF_INIT;
	unsigned item_line = 0, lineno = 0;
	int in_item = 0, fence = 0;
	char fence_ch = 0;
	const char *prev_text = NULL;
	size_t prev_len = 0;
	unsigned prev_line = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p;
		p += n + (nl != NULL);
		lineno++;
		/* fences: ``` or ~~~, closed by the same character */
		size_t i = 0;
		while (i < n && i < 4 && s[i] == ' ')
			i++;
		if (n - i >= 3 && (s[i] == '`' || s[i] == '~') && s[i + 1] == s[i] && s[i + 2] == s[i]) {
			if (!fence) {
				fence = 1;
				fence_ch = s[i];
			} else if (s[i] == fence_ch) {
				fence = 0;
			}
			if (in_item) {
				fn(arg, MD_ITEM, 0, buf_str(&item), item_line);
				in_item = 0;
			}
			prev_text = NULL;
			continue;
		}
		if (fence)
			continue;
		struct md_line l = classify(s, n);
		if (l.kind == MD_TEXT && in_item) {
			if (item.len < ITEM_MAX) {
				buf_putc(&item, ' ');
				buf_put(&item, l.text, l.len);
			}
			continue;
		}
		if (in_item && l.kind != MD_TEXT) {
			fn(arg, MD_ITEM, 0, buf_str(&item), item_line);
			in_item = 0;
		}
		/* setext: "Title" then "=====" or "-----" */
		if ((l.kind == MD_OTHER || l.kind == MD_TEXT) && prev_text && prev_line == lineno - 1 &&
		    (all_of(s, n, '=') || all_of(s, n, '-'))) {
			char *h = xmalloc(prev_len + 1);
			memcpy(h, prev_text, prev_len);
			h[prev_len] = '\0';
			fn(arg, MD_HEADING, all_of(s, n, '=') ? 1 : 2, h, prev_line);
			free(h);
			prev_text = NULL;
			continue;
		}
		prev_text = NULL;
		switch (l.kind) {
		case MD_HEADING: {
			char *h = xmalloc(l.len + 1);
			memcpy(h, l.text, l.len);
			h[l.len] = '\0';
			fn(arg, MD_HEADING, l.level, h, lineno);
			free(h);
			break;
		}
		case MD_ITEM:
			buf_reset(&item);
			buf_put(&item, l.text, l.len);
			item_line = lineno;
			in_item = 1;
			break;
		case MD_TEXT:
			prev_text = l.text;
			prev_len = l.len;
			prev_line = lineno;
			break;
		default:
			break;
		}
	}
	if (in_item)
		fn(arg, MD_ITEM, 0, buf_str(&item), item_line);
	buf_free(&item);
}

/* A copy of s in a with a cap on its length ("..." added when cut). */
static const char *capped(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n <= ITEM_MAX)
		return arena_strdup(a, s);
	return arena_printf(a, "%.*s...", ITEM_MAX, s);
}

/* ---- CLAUDE.md ---- */

struct rules_reader {
	struct cx_state *s;
	size_t cap, capitems;
};

static void on_rule(void *arg, enum md_kind kind, int level, const char *text, unsigned line)
{
	struct rules_reader *r = arg;
	struct project_context *c = r->s->c;
	if (kind == MD_HEADING || c->nrules == 0) {
		c->rules = cx_grow(&c->arena, c->rules, c->nrules, &r->cap, sizeof(*c->rules));
		struct ctx_rule_section *sec = &c->rules[c->nrules++];
		memset(sec, 0, sizeof(*sec));
		r->capitems = 0;
		if (kind == MD_HEADING) {
			sec->heading = capped(&c->arena, text);
			sec->level = level;
			sec->line = line;
			return;
		}
	}
	struct ctx_rule_section *sec = &c->rules[c->nrules - 1];
	sec->items = cx_grow(&c->arena, sec->items, sec->nitems, &r->capitems, sizeof(*sec->items));
	sec->items[sec->nitems].text = capped(&c->arena, text);
	sec->items[sec->nitems].line = line;
	sec->nitems++;
}

/* The first of names that is a file under the project, or NULL. */
static const char *first_file(struct cx_state *s, const char *const *names)
{
	for (const char *const *n = names; *n; n++)
		if (cx_is_file(s->c->dir, *n))
			return *n;
	return NULL;
}

static char *read_md(struct cx_state *s, const char *rel)
{
	size_t len;
	int big;
	char *text = cx_read_file(s->c->dir, rel, MD_MAX, &len, &big);
	if (!text)
		cx_note(s, "'%s': %s; not read", rel, big ? "over 4 MB" : "cannot be read");
	return text; /* a NUL inside ends the reading there: what follows is not Markdown */
}

void cx_read_rules(struct cx_state *s)
{
	static const char *const names[] = {"CLAUDE.md", ".claude/CLAUDE.md", NULL};
	const char *rel = first_file(s, names);
	if (!rel) {
		cx_note(s, "no CLAUDE.md: the project states no rules");
		return;
	}
	char *text = read_md(s, rel);
	if (!text)
		return;
	s->c->rules_file = rel;
	struct rules_reader r = {.s = s};
	md_read(text, on_rule, &r);
	free(text);
}

/* ---- specs/architecture.md ---- */

/*
 * Write the text of s[0..n) with inline markup off: "**", "__" and
 * backticks dropped, "[text](url)" kept as text.
 */
static void put_plain(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '*' || s[i] == '_') && i + 1 < n && s[i + 1] == s[i]) {
			i++;
			continue;
		}
		if (s[i] == '`')
			continue;
		if (s[i] == '[') {
			const char *close = memchr(s + i, ']', n - i);
			if (close && (size_t)(close - s) + 1 < n && close[1] == '(') {
				const char *end = memchr(close, ')', n - (size_t)(close - s));
				if (end) {
					put_plain(b, s + i + 1, (size_t)(close - s) - i - 1);
					i = (size_t)(end - s);
					continue;
				}
			}
		}
		buf_putc(b, s[i]);
	}
}

static const char *plain(struct arena *a, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	put_plain(&b, s, n);
	const char *t = buf_str(&b);
	while (*t == ' ' || *t == ':' || *t == '-')
		t++;
	size_t l = strlen(t);
	while (l && (t[l - 1] == ' ' || t[l - 1] == ':'))
		l--;
	const char *out = arena_strndup(a, t, l);
	buf_free(&b);
	return out;
}

/*
 * Split an item into the component's name and the rest: "**API** — serves",
 * "`worker`: runs jobs", "Cache - Redis", "[Auth](auth.md): tokens"; an
 * item with none of these is all name.
 */
static void split_item(struct arena *a, const char *t, const char **name, const char **detail)
{
	size_t n = strlen(t);
	const char *end = NULL, *rest = NULL;
	if (strncmp(t, "**", 2) == 0 || strncmp(t, "__", 2) == 0) {
		const char *close = strstr(t + 2, t[0] == '*' ? "**" : "__");
		if (close)
			end = close + 2;
	} else if (t[0] == '`') {
		const char *close = strchr(t + 1, '`');
		if (close)
			end = close + 1;
	} else if (t[0] == '[') {
		const char *close = strstr(t, "](");
		const char *paren = close ? strchr(close, ')') : NULL;
		if (paren)
			end = paren + 1;
	}
	if (end) {
		rest = end;
	} else {
		static const char *const seps[] = {" — ", " – ", " - ", ": ", NULL};
		const char *best = NULL;
		size_t bl = 0;
		for (const char *const *sp = seps; *sp; sp++) {
			const char *h = strstr(t, *sp);
			if (h && (!best || h < best)) {
				best = h;
				bl = strlen(*sp);
			}
		}
		if (best) {
			end = best;
			rest = best + bl;
		} else {
			end = t + n;
			rest = t + n;
		}
	}
	*name = plain(a, t, (size_t)(end - t));
	while (*rest == ' ' || *rest == ':' || *rest == '-' || (unsigned char)*rest == 0xe2) {
		if ((unsigned char)*rest == 0xe2) { /* an em or en dash, three bytes */
			if ((unsigned char)rest[1] == 0x80 && ((unsigned char)rest[2] == 0x94 || (unsigned char)rest[2] == 0x93))
				rest += 3;
			else
				break;
		} else {
			rest++;
		}
	}
	*detail = *rest ? plain(a, rest, strlen(rest)) : NULL;
}

struct arch_reader {
	struct cx_state *s;
	size_t cap;
	int seen_heading;
	const char *section[7]; /* the heading in force at each level */
};

static const char *section_of(const struct arch_reader *r, int below)
{
	for (int lv = below - 1; lv >= 1; lv--)
		if (r->section[lv])
			return r->section[lv];
	return NULL;
}

static void on_arch(void *arg, enum md_kind kind, int level, const char *text, unsigned line)
{
	struct arch_reader *r = arg;
	struct project_context *c = r->s->c;
	struct arena *a = &c->arena;
	struct ctx_component comp = {.line = line};
	if (kind == MD_HEADING) {
		int title = !r->seen_heading && level == 1;
		r->seen_heading = 1;
		const char *name = plain(a, text, strlen(text));
		for (int lv = level; lv <= 6; lv++)
			r->section[lv] = NULL;
		if (title)
			return; /* the document's title names no component */
		r->section[level] = name;
		comp.name = name;
		comp.kind = "heading";
		comp.section = section_of(r, level);
	} else {
		split_item(a, text, &comp.name, &comp.detail);
		if (!*comp.name)
			return;
		comp.kind = "item";
		comp.section = section_of(r, 7);
	}
	c->components = cx_grow(a, c->components, c->ncomponents, &r->cap, sizeof(*c->components));
	c->components[c->ncomponents++] = comp;
}

void cx_read_architecture(struct cx_state *s)
{
	static const char *const alt[] = {"ARCHITECTURE.md", "docs/architecture.md", "architecture.md", NULL};
	const char *rel = "specs/architecture.md";
	if (!cx_is_file(s->c->dir, rel)) {
		rel = first_file(s, alt);
		if (!rel) {
			cx_note(s, "no specs/architecture.md (nor ARCHITECTURE.md, docs/architecture.md): "
				   "the project describes no architecture");
			return;
		}
		cx_note(s, "no specs/architecture.md; read %s instead", rel);
	}
	char *text = read_md(s, rel);
	if (!text)
		return;
	s->c->architecture_file = rel;
	struct arch_reader r = {.s = s};
	md_read(text, on_arch, &r);
	free(text);
}
