/*
 * flame: the three writers of flame.h — folded stacks, a flame graph SVG
 * drawn here, and speedscope's JSON — over a struct pprof.
 *
 * Frame labels (folded and SVG) are "name", or "name (file:line)" when the
 * frame has a file and a line > 0, whatever its kind; control characters
 * become spaces, and in folded text ';' (the separator) becomes '_'.
 * Frames whose labels match are one frame to these writers: in folded text
 * two stacks that read the same are one line; in the SVG, siblings merge
 * when label, module and kind all match (module and kind pick the colour).
 *
 * The SVG is built from a tree of merged stack prefixes. Sorting the stacks
 * by their frames (as ranks of the sorted labels) makes the stacks that
 * share a prefix adjacent, so the tree is built in one pass by comparing
 * each stack with the one before, and its nodes come out in preorder with
 * siblings alphabetical: laying out x offsets is then another single pass.
 * O(F log F + S log S * depth + nodes), no hash table.
 *
 * Everything written is deterministic: same profile, same bytes.
 */
#include "flame.h"
#include "../core/jsonx.h"
#include "../core/version.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- labels ----------------------------------------------------------- */

/* A malloc'd label for f (see the top of the file). */
static char *frame_label(const struct pframe *f, int folded)
{
	struct buf b = BUF_INIT;
	/*
	 * Python frames keep their line, as py-spy's do (a handler's lines are
	 * worth telling apart); a native function is one box whatever line it
	 * was at, as in perf's flame graphs — the hottest lines are listed
	 * separately.
	 */
	if (f->kind == PFRAME_PYTHON && f->file && f->line > 0)
		buf_printf(&b, "%s (%s:%d)", f->name, f->file, f->line);
	else
		buf_puts(&b, f->name);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c < 0x20 || c == 0x7f)
			b.data[i] = ' ';
		else if (folded && c == ';')
			b.data[i] = '_';
	}
	return buf_detach(&b);
}

static char **labels_make(const struct pprof *p, int folded)
{
	char **l = xmalloc((p->nframes ? p->nframes : 1) * sizeof(*l));
	for (size_t i = 0; i < p->nframes; i++)
		l[i] = frame_label(&p->frames[i], folded);
	return l;
}

static void labels_free(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* ---- folded ----------------------------------------------------------- */

struct fline {
	const char *s;
	uint64_t count;
};

static int cmp_fline(const void *a, const void *b)
{
	return strcmp(((const struct fline *)a)->s, ((const struct fline *)b)->s);
}

/*
 * "root;...;leaf COUNT\n" per distinct stack text, sorted by the text
 * (strcmp), stacks that read the same summed into one line.
 */
void flame_folded(const struct pprof *p, struct buf *out)
{
	char **labels = labels_make(p, 1);
	/* All texts go into one buffer, NUL-separated; pointers are taken
	 * once it stops moving. */
	struct buf text = BUF_INIT;
	size_t *off = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*off));
	struct fline *ls = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*ls));
	size_t n = 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pstack *st = &p->stacks[i];
		if (st->depth == 0 || st->count == 0)
			continue;
		off[n] = text.len;
		for (uint32_t d = 0; d < st->depth; d++) {
			if (d)
				buf_putc(&text, ';');
			buf_puts(&text, labels[st->ids[d]]);
		}
		buf_putc(&text, '\0');
		ls[n++].count = st->count;
	}
	for (size_t i = 0; i < n; i++)
		ls[i].s = text.data + off[i];
	qsort(ls, n, sizeof(*ls), cmp_fline);
	for (size_t i = 0; i < n;) {
		uint64_t c = ls[i].count;
		size_t j = i + 1;
		while (j < n && strcmp(ls[j].s, ls[i].s) == 0)
			c += ls[j++].count;
		buf_printf(out, "%s %llu\n", ls[i].s, (unsigned long long)c);
		i = j;
	}
	free(ls);
	free(off);
	buf_free(&text);
	labels_free(labels, p->nframes);
}

/* ---- XML -------------------------------------------------------------- */

/*
 * Length of the valid UTF-8 sequence at p (1..4), or 0 when it is invalid
 * or not an XML character (U+FFFE, U+FFFF). NUL counts as one byte: the
 * caller handles it with the other control bytes.
 */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	if (p[0] == 0)
		return 1;
	size_t n = jsonx_utf8_seq(p, left);
	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
		return 0;
	return n;
}

/*
 * s[0..n) as XML character data or attribute text: the five special
 * characters as entities, control characters (not allowed in XML 1.0) as
 * spaces, invalid UTF-8 as U+FFFD. Well-formed whatever the input.
 */
static void xml_putn(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t k;
		switch (c) {
		case '&': buf_puts(out, "&amp;"); i++; continue;
		case '<': buf_puts(out, "&lt;"); i++; continue;
		case '>': buf_puts(out, "&gt;"); i++; continue;
		case '"': buf_puts(out, "&quot;"); i++; continue;
		case '\'': buf_puts(out, "&apos;"); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			buf_putc(out, ' ');
			i++;
		} else if ((k = utf8_seq(p + i, n - i)) != 0) {
			buf_put(out, p + i, k);
			i += k;
		} else {
			buf_puts(out, "\xef\xbf\xbd");
			i++;
		}
	}
}

static void xml_puts(struct buf *out, const char *s)
{
	xml_putn(out, s, strlen(s));
}

/* Characters (UTF-8 lead bytes) in s; the JavaScript fits by the same measure, near enough. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

/* The byte offset of character k of s (or its length). */
static size_t utf8_offset(const char *s, size_t k)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	for (; p[i]; i++)
		if ((p[i] & 0xc0) != 0x80 && k-- == 0)
			break;
	return i;
}

/* ---- colours ---------------------------------------------------------- */

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

static void put_hsl(struct buf *out, double h, double s, double l)
{
	/* HSL to RGB (h in degrees, s and l in 0..1). */
	double c = (1 - fabs(2 * l - 1)) * s;
	double hp = h / 60.0;
	double x = c * (1 - fabs(fmod(hp, 2.0) - 1));
	double r = 0, g = 0, b = 0;
	if (hp < 1) {
		r = c, g = x;
	} else if (hp < 2) {
		r = x, g = c;
	} else if (hp < 3) {
		g = c, b = x;
	} else if (hp < 4) {
		g = x, b = c;
	} else if (hp < 5) {
		r = x, b = c;
	} else {
		r = c, b = x;
	}
	double m = l - c / 2;
	buf_printf(out, "rgb(%d,%d,%d)", (int)lround((r + m) * 255), (int)lround((g + m) * 255),
		   (int)lround((b + m) * 255));
}

/*
 * The fill of a frame: the hue by module, so a library reads as one
 * colour — warm (red to yellow) for native code, green to teal for Python,
 * grey when the module is unknown — and the lightness varied a little by
 * name, so neighbouring frames of one module stay apart. NULL f: the root.
 */
static void put_fill(struct buf *out, const struct pframe *f)
{
	if (!f) {
		buf_puts(out, "rgb(190,190,190)");
		return;
	}
	double vary = (fnv(f->name) % 1000) / 1000.0; /* 0..1 */
	if (f->kind == PFRAME_PYTHON) {
		double h = 140 + fnv(f->module ? f->module : "") % 50;
		put_hsl(out, h, 0.50, 0.50 + 0.12 * vary);
	} else if (!f->module) {
		int v = 175 + (int)(35 * vary);
		buf_printf(out, "rgb(%d,%d,%d)", v, v, v);
	} else {
		double h = fnv(f->module) % 52;
		put_hsl(out, h, 0.85, 0.56 + 0.10 * vary);
	}
}

/* ---- the tree --------------------------------------------------------- */

struct rankf {
	const char *label, *module;
	int kind;
	uint32_t id;
};

static int cmp_rankf(const void *va, const void *vb)
{
	const struct rankf *a = va, *b = vb;
	int c = strcmp(a->label, b->label);
	if (!c) {
		if (!a->module || !b->module)
			c = (a->module != NULL) - (b->module != NULL);
		else
			c = strcmp(a->module, b->module);
	}
	if (!c)
		c = (a->kind > b->kind) - (a->kind < b->kind);
	return c;
}

struct sstack {
	const struct pstack *st;
	const uint32_t *ranks;
};

static int cmp_sstack(const void *va, const void *vb)
{
	const struct sstack *a = va, *b = vb;
	uint32_t n = a->st->depth < b->st->depth ? a->st->depth : b->st->depth;
	for (uint32_t i = 0; i < n; i++)
		if (a->ranks[i] != b->ranks[i])
			return a->ranks[i] < b->ranks[i] ? -1 : 1;
	return (a->st->depth > b->st->depth) - (a->st->depth < b->st->depth);
}

struct fnode {
	uint32_t frame;  /* a frame it stands for; UINT32_MAX for the root */
	uint32_t parent;
	uint32_t depth;  /* the root is 0 */
	uint64_t total;  /* samples at or under it */
	uint64_t x;      /* samples left of it */
	uint64_t cursor; /* layout: where its next child goes */
};

struct ftree {
	struct fnode *n;
	size_t len, cap;
	uint32_t maxdepth;
};

static uint32_t tree_add(struct ftree *t, uint32_t frame, uint32_t parent, uint32_t depth)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->n = xrealloc(t->n, t->cap * sizeof(*t->n));
	}
	t->n[t->len] = (struct fnode){.frame = frame, .parent = parent, .depth = depth};
	if (depth > t->maxdepth)
		t->maxdepth = depth;
	return (uint32_t)t->len++;
}

/*
 * The merged tree of p's stacks under a root, in preorder, siblings sorted
 * by label (then module, kind), each node's x laid out in samples.
 */
static void tree_build(const struct pprof *p, char **labels, struct ftree *t)
{
	memset(t, 0, sizeof(*t));
	/* Rank the frames: equal (label, module, kind) share a rank. */
	struct rankf *rf = xmalloc((p->nframes ? p->nframes : 1) * sizeof(*rf));
	for (size_t i = 0; i < p->nframes; i++)
		rf[i] = (struct rankf){labels[i], p->frames[i].module, p->frames[i].kind, (uint32_t)i};
	qsort(rf, p->nframes, sizeof(*rf), cmp_rankf);
	uint32_t *rank = xmalloc((p->nframes ? p->nframes : 1) * sizeof(*rank));
	uint32_t r = 0;
	for (size_t i = 0; i < p->nframes; i++) {
		if (i && cmp_rankf(&rf[i - 1], &rf[i]) != 0)
			r++;
		rank[rf[i].id] = r;
	}
	free(rf);

	/* The stacks as rank sequences, sorted. */
	size_t nids = 0, ns = 0;
	uint32_t maxd = 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		nids += p->stacks[i].depth;
		if (p->stacks[i].depth > maxd)
			maxd = p->stacks[i].depth;
	}
	uint32_t *ranks = xmalloc((nids ? nids : 1) * sizeof(*ranks));
	struct sstack *ss = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*ss));
	size_t at = 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pstack *st = &p->stacks[i];
		if (st->depth == 0 || st->count == 0)
			continue;
		for (uint32_t d = 0; d < st->depth; d++)
			ranks[at + d] = rank[st->ids[d]];
		ss[ns++] = (struct sstack){st, ranks + at};
		at += st->depth;
	}
	qsort(ss, ns, sizeof(*ss), cmp_sstack);

	/* One pass: reuse the previous stack's path for the common prefix. */
	uint32_t *path = xmalloc((maxd + 1) * sizeof(*path));
	path[0] = tree_add(t, UINT32_MAX, UINT32_MAX, 0);
	const struct sstack *prev = NULL;
	for (size_t i = 0; i < ns; i++) {
		const struct sstack *s = &ss[i];
		uint32_t depth = s->st->depth, common = 0;
		if (prev) {
			uint32_t m = depth < prev->st->depth ? depth : prev->st->depth;
			while (common < m && prev->ranks[common] == s->ranks[common])
				common++;
		}
		for (uint32_t d = common; d < depth; d++)
			path[d + 1] = tree_add(t, s->st->ids[d], path[d], d + 1);
		for (uint32_t d = 0; d <= depth; d++)
			t->n[path[d]].total += s->st->count;
		prev = s;
	}
	free(path);
	free(ss);
	free(ranks);
	free(rank);

	/* Preorder with children in order: each child starts where its
	 * parent's previous children ended. */
	for (size_t i = 1; i < t->len; i++) {
		struct fnode *par = &t->n[t->n[i].parent];
		t->n[i].x = par->cursor;
		t->n[i].cursor = par->cursor;
		par->cursor += t->n[i].total;
	}
}

/* ---- SVG -------------------------------------------------------------- */

#define SVG_PAD 10      /* left and right margin, px */
#define SVG_ROW 16      /* px per depth */
#define SVG_TOP 50      /* title and controls */
#define SVG_BOTTOM 34   /* the status line */
#define SVG_FONT 12     /* px */
#define SVG_CHARW 7.2   /* a monospace character at SVG_FONT, about */
#define SVG_MINW 0.1    /* narrower frames are not drawn */

static const char svg_style[] =
	"text { font-family: monospace; font-size: 12px; fill: rgb(0,0,0); }\n"
	"#title { font-size: 17px; text-anchor: middle; }\n"
	"#unzoom, #search { cursor: pointer; }\n"
	"#frames g { cursor: pointer; }\n"
	"#frames g:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; }\n"
	"#frames text { pointer-events: none; }\n"
	".hide { display: none; }\n"
	".parent { opacity: 0.5; }\n";

/*
 * The viewer: hover fills the status line; a click zooms to a frame (its
 * descendants rescaled to the full width, ancestors greyed, the rest
 * hidden); "Reset Zoom", a click on the root or Escape undoes it; "Search"
 * (or Ctrl-F) highlights frames whose label matches a regular expression
 * (a plain substring when it is not one) and shows the share of samples
 * they cover, nested matches counted once. Each frame's label and count
 * are read back from its <title>, "label (N samples, P%)".
 */
static const char svg_script[] =
	"\"use strict\";\n"
	"var W, PAD = 10, CW = 7.2, EPS = 0.02, frames = [], root = null, searching = false;\n"
	"var details, matched, unzoom, searchbtn;\n"
	"function $(id) { return document.getElementById(id); }\n"
	"function fit(f, x, w) {\n"
	"\tf.r.setAttribute(\"x\", x.toFixed(2));\n"
	"\tf.r.setAttribute(\"width\", w.toFixed(2));\n"
	"\tf.t.setAttribute(\"x\", (x + 3).toFixed(2));\n"
	"\tvar n = Math.floor((w - 6) / CW), s = f.label;\n"
	"\tf.t.textContent = n < 3 ? \"\" : s.length <= n ? s : s.slice(0, n - 2) + \"..\";\n"
	"}\n"
	"function frameOf(e) {\n"
	"\tvar g = e.target.closest ? e.target.closest(\"#frames > g\") : null;\n"
	"\treturn g ? g.pf : null;\n"
	"}\n"
	"function init() {\n"
	"\tW = +document.documentElement.getAttribute(\"width\");\n"
	"\tdetails = $(\"details\"); matched = $(\"matched\");\n"
	"\tunzoom = $(\"unzoom\"); searchbtn = $(\"search\");\n"
	"\tvar gs = $(\"frames\").children;\n"
	"\tfor (var i = 0; i < gs.length; i++) {\n"
	"\t\tvar g = gs[i], r = g.querySelector(\"rect\");\n"
	"\t\tvar title = g.querySelector(\"title\").textContent, k = title.lastIndexOf(\" (\");\n"
	"\t\tvar f = { g: g, r: r, t: g.querySelector(\"text\"), title: title,\n"
	"\t\t\tlabel: k < 0 ? title : title.slice(0, k), n: k < 0 ? 0 : parseInt(title.slice(k + 2), 10),\n"
	"\t\t\tx: +r.getAttribute(\"x\"), w: +r.getAttribute(\"width\"), y: +r.getAttribute(\"y\"),\n"
	"\t\t\tfill: r.getAttribute(\"fill\") };\n"
	"\t\tg.pf = f;\n"
	"\t\tframes.push(f);\n"
	"\t\tif (!root || f.y > root.y) root = f;\n"
	"\t}\n"
	"\tvar fr = $(\"frames\");\n"
	"\tfr.addEventListener(\"mouseover\", function (e) {\n"
	"\t\tvar f = frameOf(e);\n"
	"\t\tif (f) details.textContent = f.title;\n"
	"\t});\n"
	"\tfr.addEventListener(\"mouseout\", function () { details.textContent = \" \"; });\n"
	"\tfr.addEventListener(\"click\", function (e) {\n"
	"\t\tvar f = frameOf(e);\n"
	"\t\tif (f === root) reset(); else if (f) zoom(f);\n"
	"\t});\n"
	"\tunzoom.addEventListener(\"click\", reset);\n"
	"\tsearchbtn.addEventListener(\"click\", search);\n"
	"\tdocument.addEventListener(\"keydown\", function (e) {\n"
	"\t\tif ((e.ctrlKey || e.metaKey) && e.key === \"f\") { e.preventDefault(); search(); }\n"
	"\t\telse if (e.key === \"Escape\") { reset(); clearSearch(); }\n"
	"\t});\n"
	"}\n"
	"function zoom(z) {\n"
	"\tvar s = (W - 2 * PAD) / z.w;\n"
	"\tframes.forEach(function (f) {\n"
	"\t\tvar c = f.g.classList;\n"
	"\t\tc.remove(\"hide\", \"parent\");\n"
	"\t\tif (f.y > z.y && f.x <= z.x + EPS && f.x + f.w >= z.x + z.w - EPS) {\n"
	"\t\t\tc.add(\"parent\");\n"
	"\t\t\tfit(f, PAD, W - 2 * PAD);\n"
	"\t\t} else if (f.y <= z.y && f.x >= z.x - EPS && f.x + f.w <= z.x + z.w + EPS) {\n"
	"\t\t\tfit(f, PAD + (f.x - z.x) * s, f.w * s);\n"
	"\t\t} else {\n"
	"\t\t\tc.add(\"hide\");\n"
	"\t\t}\n"
	"\t});\n"
	"\tunzoom.classList.remove(\"hide\");\n"
	"}\n"
	"function reset() {\n"
	"\tframes.forEach(function (f) {\n"
	"\t\tf.g.classList.remove(\"hide\", \"parent\");\n"
	"\t\tfit(f, f.x, f.w);\n"
	"\t});\n"
	"\tunzoom.classList.add(\"hide\");\n"
	"}\n"
	"function clearSearch() {\n"
	"\tframes.forEach(function (f) { f.r.setAttribute(\"fill\", f.fill); });\n"
	"\tmatched.textContent = \" \";\n"
	"\tsearchbtn.textContent = \"Search\";\n"
	"\tsearching = false;\n"
	"}\n"
	"function search() {\n"
	"\tif (searching) { clearSearch(); return; }\n"
	"\tvar term = prompt(\"Search for (a regular expression or text):\", \"\");\n"
	"\tif (!term) return;\n"
	"\tvar test;\n"
	"\ttry {\n"
	"\t\tvar re = new RegExp(term);\n"
	"\t\ttest = function (s) { return re.test(s); };\n"
	"\t} catch (err) {\n"
	"\t\ttest = function (s) { return s.indexOf(term) >= 0; };\n"
	"\t}\n"
	"\tvar hits = frames.filter(function (f) { return f !== root && test(f.label); });\n"
	"\thits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });\n"
	"\tvar sum = 0, end = -1;\n"
	"\thits.forEach(function (f) {\n"
	"\t\tf.r.setAttribute(\"fill\", \"rgb(230,0,230)\");\n"
	"\t\tif (f.x >= end - EPS) { sum += f.n; end = f.x + f.w; }\n"
	"\t});\n"
	"\tvar pct = root && root.n ? 100 * sum / root.n : 0;\n"
	"\tmatched.textContent = \"Matched: \" + pct.toFixed(2) + \"% (\" + hits.length + \" frames)\";\n"
	"\tsearchbtn.textContent = \"Reset Search\";\n"
	"\tsearching = true;\n"
	"}\n"
	"window.addEventListener(\"load\", init);\n";

/*
 * A flame graph of p: the root ("all") at the bottom, one 16 px row per
 * depth, each frame as wide as its share of samples (frames under
 * SVG_MINW px are left out, and so their descendants), labels cut to fit.
 * Every frame is a <g> holding <title>label (N samples, P%)</title>, a
 * <rect> and a <text>; the script above reads them back. width <= 0 means
 * 1200; less than 100 is taken as 100.
 */
void flame_svg(const struct pprof *p, const char *title, int width, struct buf *out)
{
	if (width <= 0)
		width = 1200;
	if (width < 100)
		width = 100;
	if (!title)
		title = "Flame Graph";
	char **labels = labels_make(p, 0);
	struct ftree t;
	tree_build(p, labels, &t);
	uint64_t total = t.n[0].total;
	int height = SVG_TOP + (int)(t.maxdepth + 1) * SVG_ROW + SVG_BOTTOM;
	double scale = total ? (double)(width - 2 * SVG_PAD) / (double)total : 0;

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	buf_printf(out,
		   "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\">\n",
		   width, height, width, height);
	buf_printf(out, "<style type=\"text/css\"><![CDATA[\n%s]]></style>\n", svg_style);
	buf_puts(out, "<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
		      "<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%\"/>"
		      "</linearGradient></defs>\n");
	buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#bg)\"/>\n", width, height);
	buf_printf(out, "<text id=\"title\" x=\"%.1f\" y=\"24\">", width / 2.0);
	xml_puts(out, title);
	buf_puts(out, "</text>\n");
	buf_printf(out, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"24\">Reset Zoom</text>\n", SVG_PAD);
	buf_printf(out, "<text id=\"search\" x=\"%d\" y=\"24\" text-anchor=\"end\">Search</text>\n",
		   width - SVG_PAD);
	buf_printf(out, "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n", width - SVG_PAD,
		   height - 12);
	buf_printf(out, "<text id=\"details\" x=\"%d\" y=\"%d\">%s</text>\n", SVG_PAD, height - 12,
		   total ? " " : "No samples.");

	buf_puts(out, "<g id=\"frames\">\n");
	for (size_t i = 0; total && i < t.len; i++) {
		const struct fnode *nd = &t.n[i];
		double w = (double)nd->total * scale;
		if (w < SVG_MINW)
			continue;
		double x = SVG_PAD + (double)nd->x * scale;
		int y = SVG_TOP + (int)(t.maxdepth - nd->depth) * SVG_ROW;
		const struct pframe *f = nd->frame == UINT32_MAX ? NULL : &p->frames[nd->frame];
		const char *label = f ? labels[nd->frame] : "all";
		buf_puts(out, "<g><title>");
		xml_puts(out, label);
		buf_printf(out, " (%llu samples, %.2f%%)</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
			   "height=\"%d\" fill=\"",
			   (unsigned long long)nd->total, 100.0 * (double)nd->total / (double)total, x, y, w,
			   SVG_ROW - 1);
		put_fill(out, f);
		buf_printf(out, "\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%d\">", x + 3, y + SVG_FONT);
		long fitc = (long)floor((w - 6) / SVG_CHARW);
		if (fitc >= 3) {
			size_t nc = utf8_chars(label);
			if (nc <= (size_t)fitc) {
				xml_puts(out, label);
			} else {
				xml_putn(out, label, utf8_offset(label, (size_t)fitc - 2));
				buf_puts(out, "..");
			}
		}
		buf_puts(out, "</text></g>\n");
	}
	buf_puts(out, "</g>\n");
	buf_printf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n", svg_script);
	buf_puts(out, "</svg>\n");
	free(t.n);
	labels_free(labels, p->nframes);
}

/* ---- speedscope ------------------------------------------------------- */

static int dump_to_buf(const char *data, size_t size, void *arg)
{
	buf_put(arg, data, size);
	return 0;
}

/*
 * speedscope's file format: every pprof frame in shared.frames (name;
 * file, or the module when the file is unknown; line when known), and one
 * "sampled" profile with a sample per distinct stack (frame indices, root
 * first) weighted by its count. Compact JSON.
 */
void flame_speedscope(const struct pprof *p, const char *name, struct buf *out)
{
	json_t *frames = json_array();
	for (size_t i = 0; i < p->nframes; i++) {
		const struct pframe *f = &p->frames[i];
		json_t *jf = json_object();
		json_object_set_new(jf, "name", jsonx_string(f->name));
		const char *file = f->file ? f->file : f->module;
		if (file)
			json_object_set_new(jf, "file", jsonx_string(file));
		if (f->line > 0)
			json_object_set_new(jf, "line", json_integer(f->line));
		json_array_append_new(frames, jf);
	}
	json_t *samples = json_array(), *weights = json_array();
	uint64_t total = 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pstack *st = &p->stacks[i];
		if (st->depth == 0 || st->count == 0)
			continue;
		json_t *s = json_array();
		for (uint32_t d = 0; d < st->depth; d++)
			json_array_append_new(s, json_integer(st->ids[d]));
		json_array_append_new(samples, s);
		json_array_append_new(weights, json_integer((json_int_t)st->count));
		total += st->count;
	}
	json_t *prof = json_object();
	json_object_set_new(prof, "type", json_string("sampled"));
	json_object_set_new(prof, "name", jsonx_string(name ? name : "profile"));
	json_object_set_new(prof, "unit", json_string("none"));
	json_object_set_new(prof, "startValue", json_integer(0));
	json_object_set_new(prof, "endValue", json_integer((json_int_t)total));
	json_object_set_new(prof, "samples", samples);
	json_object_set_new(prof, "weights", weights);

	json_t *shared = json_object();
	json_object_set_new(shared, "frames", frames);
	json_t *profiles = json_array();
	json_array_append_new(profiles, prof);

	json_t *root = json_object();
	json_object_set_new(root, "$schema", json_string("https://www.speedscope.app/file-format-schema.json"));
	json_object_set_new(root, "shared", shared);
	json_object_set_new(root, "profiles", profiles);
	json_object_set_new(root, "name", jsonx_string(name ? name : "profile"));
	json_object_set_new(root, "activeProfileIndex", json_integer(0));
	json_object_set_new(root, "exporter", json_string("perfagent " PA_VERSION));
	json_dump_callback(root, dump_to_buf, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
}
