/*
 * test_flame: the writers over a hand-built profile — folded text exactly,
 * speedscope's structure (parsed back with jansson), the SVG's
 * well-formedness (a small checker here; xmllint too when installed),
 * one <title> per drawn frame with its share, colours by kind and module,
 * escaping — and a 100k-sample, 10k-stack profile built and rendered in
 * well under a second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/version.h"
#include "prof/flame.h"
#include "prof/pprof.h"

/* The same profile as test_pprof (total 18). */
static void build(struct pprof *p)
{
	pprof_init(p);
	uint32_t main_ = pprof_frame(p, "main", "app", NULL, 0, PFRAME_NATIVE);
	uint32_t fact10 = pprof_frame(p, "fact", "app", "fact.c", 10, PFRAME_NATIVE);
	uint32_t fact12 = pprof_frame(p, "fact", "app", "fact.c", 12, PFRAME_NATIVE);
	uint32_t mlibc = pprof_frame(p, "malloc", "libc.so.6", NULL, 0, PFRAME_NATIVE);
	uint32_t handler = pprof_frame(p, "handler", "views", "views.py", 42, PFRAME_PYTHON);
	uint32_t query = pprof_frame(p, "query", "db", "db.py", 7, PFRAME_PYTHON);
	uint32_t unk = pprof_frame(p, "0x7f00", NULL, NULL, 0, PFRAME_NATIVE);
	uint32_t mnull = pprof_frame(p, "malloc", NULL, NULL, 0, PFRAME_NATIVE);
	uint32_t s1[] = {main_, fact10, fact12, fact10};
	uint32_t s2[] = {main_, fact10, mlibc};
	uint32_t s3[] = {main_, handler, query};
	uint32_t s4[] = {main_, handler, query, unk};
	uint32_t s5[] = {main_};
	uint32_t s6[] = {main_, mnull};
	pprof_add(p, s1, 4, 5);
	pprof_add(p, s2, 3, 3);
	pprof_add(p, s3, 3, 4);
	pprof_add(p, s4, 4, 2);
	pprof_add(p, s5, 1, 1);
	pprof_add(p, s1, 4, 2);
	pprof_add(p, s6, 2, 1);
}

/* ---- a small XML well-formedness checker ----------------------------- */

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == ':' || c == '-' || c == '.';
}

/* A valid reference at s ('&'): its length, or 0. */
static size_t xml_ref(const char *s)
{
	static const char *named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	for (size_t i = 0; i < 5; i++)
		if (strncmp(s, named[i], strlen(named[i])) == 0)
			return strlen(named[i]);
	if (s[1] != '#')
		return 0;
	size_t i = 2;
	int hex = s[2] == 'x';
	if (hex)
		i++;
	size_t start = i;
	while ((s[i] >= '0' && s[i] <= '9') ||
	       (hex && ((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F'))))
		i++;
	return i > start && s[i] == ';' ? i + 1 : 0;
}

/*
 * NULL when s is well-formed XML as far as this checks — one root element,
 * tags balanced and names matched, quoted attributes with no '<' and valid
 * references, character data with no '<' or "]]>" and valid references,
 * comments, PIs and CDATA closed — else what is wrong.
 */
static const char *xml_check(const char *s)
{
	const char *stack[1024];
	size_t stlen[1024];
	int depth = 0, roots = 0;
	size_t i = 0;
	while (s[i]) {
		if (s[i] == '<') {
			if (strncmp(s + i, "<?", 2) == 0) {
				const char *e = strstr(s + i, "?>");
				if (!e)
					return "unclosed processing instruction";
				i = (size_t)(e - s) + 2;
			} else if (strncmp(s + i, "<!--", 4) == 0) {
				const char *e = strstr(s + i + 4, "-->");
				if (!e)
					return "unclosed comment";
				i = (size_t)(e - s) + 3;
			} else if (strncmp(s + i, "<![CDATA[", 9) == 0) {
				if (depth == 0)
					return "CDATA outside the root";
				const char *e = strstr(s + i + 9, "]]>");
				if (!e)
					return "unclosed CDATA";
				i = (size_t)(e - s) + 3;
			} else if (s[i + 1] == '!') {
				if (roots)
					return "declaration after the root";
				const char *e = strchr(s + i, '>');
				if (!e)
					return "unclosed declaration";
				i = (size_t)(e - s) + 1;
			} else if (s[i + 1] == '/') {
				size_t st = i + 2, n = 0;
				while (name_char(s[st + n]))
					n++;
				if (n == 0)
					return "empty end tag";
				if (depth == 0)
					return "end tag with nothing open";
				depth--;
				if (stlen[depth] != n || strncmp(stack[depth], s + st, n) != 0)
					return "mismatched end tag";
				i = st + n;
				while (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')
					i++;
				if (s[i] != '>')
					return "bad end tag";
				i++;
			} else {
				size_t st = i + 1, n = 0;
				while (name_char(s[st + n]))
					n++;
				if (n == 0)
					return "bad start tag";
				if (depth == 0 && roots++)
					return "second root element";
				i = st + n;
				for (;;) {
					while (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')
						i++;
					if (s[i] == '/' && s[i + 1] == '>') {
						i += 2;
						break;
					}
					if (s[i] == '>') {
						if (depth == 1024)
							return "too deep";
						stack[depth] = s + st;
						stlen[depth++] = n;
						i++;
						break;
					}
					size_t an = 0;
					while (name_char(s[i + an]))
						an++;
					if (an == 0 || s[i + an] != '=')
						return "bad attribute";
					i += an + 1;
					char q = s[i];
					if (q != '"' && q != '\'')
						return "unquoted attribute";
					i++;
					while (s[i] && s[i] != q) {
						if (s[i] == '<')
							return "'<' in an attribute";
						if (s[i] == '&') {
							size_t k = xml_ref(s + i);
							if (!k)
								return "bad reference in an attribute";
							i += k;
						} else {
							i++;
						}
					}
					if (!s[i])
						return "unclosed attribute";
					i++;
					if (s[i] != ' ' && s[i] != '\n' && s[i] != '>' && s[i] != '/')
						return "no space between attributes";
				}
			}
		} else if (s[i] == '&') {
			size_t k = xml_ref(s + i);
			if (!k)
				return "bad reference";
			if (depth == 0)
				return "text outside the root";
			i += k;
		} else {
			if (strncmp(s + i, "]]>", 3) == 0)
				return "]]> in text";
			if (depth == 0 && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
				return "text outside the root";
			i++;
		}
	}
	if (depth)
		return "unclosed element";
	if (!roots)
		return "no root element";
	return NULL;
}

static void test_checker_itself(void **state)
{
	(void)state;
	assert_null(xml_check("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/><c>t &amp; &#38;</c></a>\n"));
	assert_non_null(xml_check("<a><b></a></b>"));
	assert_non_null(xml_check("<a>x < y</a>"));
	assert_non_null(xml_check("<a>x & y</a>"));
	assert_non_null(xml_check("<a x=\"<\"/>"));
	assert_non_null(xml_check("<a/><b/>"));
	assert_non_null(xml_check("<a>"));
	assert_non_null(xml_check("<a><![CDATA[ x </a>"));
}

/* When xmllint is there, it must agree; a machine without it skips this. */
static void xmllint_check(const char *svg)
{
	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		return;
	char path[] = "/tmp/test_flame_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(svg);
	assert_int_equal(write(fd, svg, n), (ssize_t)n);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	int rc = system(cmd);
	unlink(path);
	assert_int_equal(rc, 0);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The fill of the frame whose title starts with title: r, g, b. */
static void fill_of(const char *svg, const char *title, int rgb[3])
{
	char key[256];
	snprintf(key, sizeof(key), "<title>%s (", title);
	const char *t = strstr(svg, key);
	assert_non_null(t);
	const char *f = strstr(t, "fill=\"rgb(");
	assert_non_null(f);
	assert_int_equal(sscanf(f, "fill=\"rgb(%d,%d,%d)", &rgb[0], &rgb[1], &rgb[2]), 3);
}

/* ---- folded ---------------------------------------------------------- */

static void test_folded(void **state)
{
	(void)state;
	struct pprof p;
	build(&p);
	struct buf b = BUF_INIT;
	flame_folded(&p, &b);
	assert_string_equal(buf_str(&b), "main 1\n"
					 "main;fact;fact;fact 7\n"
					 "main;fact;malloc 3\n"
					 "main;handler (views.py:42);query (db.py:7) 4\n"
					 "main;handler (views.py:42);query (db.py:7);0x7f00 2\n"
					 "main;malloc 1\n");
	buf_free(&b);
	pprof_free(&p);
}

static void test_folded_labels(void **state)
{
	(void)state;
	struct pprof p;
	pprof_init(&p);
	/* Two frames that read the same (a line but no file) are one line. */
	uint32_t a1 = pprof_frame(&p, "a", "m", NULL, 1, PFRAME_NATIVE);
	uint32_t a2 = pprof_frame(&p, "a", "m", NULL, 2, PFRAME_NATIVE);
	uint32_t odd = pprof_frame(&p, "x;y\nz\tw", NULL, "f;g.py", 3, PFRAME_PYTHON);
	uint32_t sp = pprof_frame(&p, "operator new (unsigned long)", "libstdc++.so.6", NULL, 0, PFRAME_NATIVE);
	pprof_add(&p, &a1, 1, 2);
	pprof_add(&p, &a2, 1, 3);
	uint32_t s[] = {a1, odd};
	pprof_add(&p, s, 2, 4);
	uint32_t t[] = {a2, sp};
	pprof_add(&p, t, 2, 1);
	struct buf b = BUF_INIT;
	flame_folded(&p, &b);
	assert_string_equal(buf_str(&b), "a 5\n"
					 "a;operator new (unsigned long) 1\n"
					 "a;x_y z w (f_g.py:3) 4\n");
	buf_free(&b);
	pprof_free(&p);

	/* Nothing sampled: nothing written. */
	pprof_init(&p);
	flame_folded(&p, &b);
	assert_int_equal(b.len, 0);
	pprof_free(&p);
}

/* ---- SVG ------------------------------------------------------------- */

static void test_svg(void **state)
{
	(void)state;
	struct pprof p;
	build(&p);
	struct buf b = BUF_INIT;
	flame_svg(&p, "CPU <profile> & more", 0, &b);
	const char *svg = buf_str(&b);
	const char *err = xml_check(svg);
	if (err)
		fail_msg("svg not well-formed: %s", err);
	xmllint_check(svg);
	assert_non_null(strstr(svg, "width=\"1200\""));
	assert_non_null(strstr(svg, ">CPU &lt;profile&gt; &amp; more</text>"));

	/* Every frame of the merged tree is wide enough: ten titles. */
	static const char *titles[] = {
		"<title>all (18 samples, 100.00%)</title>",
		"<title>main (18 samples, 100.00%)</title>",
		"<title>fact (10 samples, 55.56%)</title>", /* a native function is one box, whatever its line */
		"<title>fact (7 samples, 38.89%)</title>",
		"<title>fact (7 samples, 38.89%)</title>",
		"<title>malloc (3 samples, 16.67%)</title>",
		"<title>handler (views.py:42) (6 samples, 33.33%)</title>",
		"<title>query (db.py:7) (6 samples, 33.33%)</title>",
		"<title>0x7f00 (2 samples, 11.11%)</title>",
		"<title>malloc (1 samples, 5.56%)</title>",
	};
	assert_int_equal(count(svg, "<title>"), 10);
	assert_int_equal(count(svg, "<rect"), 11); /* and the background */
	for (size_t i = 0; i < sizeof(titles) / sizeof(*titles); i++)
		if (!strstr(svg, titles[i]))
			fail_msg("missing %s", titles[i]);
	/* Siblings alphabetical: fact, handler, malloc under main. */
	const char *f = strstr(svg, titles[2]), *h = strstr(svg, titles[6]), *m = strstr(svg, titles[9]);
	assert_true(f < h && h < m);

	/* Geometry: the root spans the width at the bottom row; main's child
	 * fact starts at the left margin with 10/18 of 1180 px. */
	assert_non_null(strstr(svg, "<title>all (18 samples, 100.00%)</title><rect x=\"10.00\" y=\"114\" "
				    "width=\"1180.00\""));
	assert_non_null(strstr(svg, "(10 samples, 55.56%)</title><rect x=\"10.00\" y=\"82\" width=\"655.56\""));
	assert_non_null(strstr(svg, "height=\"164\""));

	/* Colours: Python green/teal, native with a module warm, unknown grey;
	 * one module, one hue. */
	int py[3], nat[3], unk[3], nat2[3];
	fill_of(svg, "handler (views.py:42)", py);
	assert_true(py[1] > py[0] && py[1] > 80);
	fill_of(svg, "fact", nat);
	assert_true(nat[0] >= nat[1] && nat[0] > nat[2]);
	fill_of(svg, "0x7f00", unk);
	assert_true(unk[0] == unk[1] && unk[1] == unk[2]);
	fill_of(svg, "main", nat2);
	assert_true(nat2[0] >= nat2[1] && nat2[0] > nat2[2]);

	/* Self-contained, with a small script doing zoom and search. */
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "@import"));
	assert_int_equal(count(svg, "url("), 1);
	assert_non_null(strstr(svg, "url(#bg)"));
	const char *s0 = strstr(svg, "<script"), *s1 = strstr(svg, "</script>");
	assert_non_null(s0);
	assert_non_null(s1);
	size_t lines = 0;
	for (const char *c = s0; c < s1; c++)
		lines += *c == '\n';
	assert_true(lines < 150);
	assert_non_null(strstr(svg, "Reset Zoom"));
	assert_non_null(strstr(svg, ">Search</text>"));
	assert_non_null(strstr(s0, "function zoom("));
	assert_non_null(strstr(s0, "function search("));

	/* Deterministic. */
	struct buf b2 = BUF_INIT;
	flame_svg(&p, "CPU <profile> & more", 0, &b2);
	assert_string_equal(buf_str(&b2), svg);
	buf_free(&b2);
	buf_free(&b);
	pprof_free(&p);
}

static void test_svg_escaping(void **state)
{
	(void)state;
	struct pprof p;
	pprof_init(&p);
	uint32_t a = pprof_frame(&p, "operator<&>\"'", "lib<x>.so", "a&b.cc", 3, PFRAME_NATIVE);
	uint32_t bad = pprof_frame(&p, "bad\xff\xfe\x01utf8 \xe2\x82", NULL, NULL, 0, PFRAME_NATIVE);
	uint32_t cd = pprof_frame(&p, "x]]>y", "m", NULL, 0, PFRAME_JIT);
	uint32_t s[] = {a, bad, cd};
	pprof_add(&p, s, 3, 1);
	struct buf b = BUF_INIT;
	flame_svg(&p, "t\x02<]]>", 300, &b);
	const char *svg = buf_str(&b);
	const char *err = xml_check(svg);
	if (err)
		fail_msg("svg not well-formed: %s", err);
	xmllint_check(svg);
	assert_non_null(strstr(svg, "<title>operator&lt;&amp;&gt;&quot;&apos; (1 samples, 100.00%)"));
	assert_non_null(strstr(svg, "<title>bad\xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd\xef\xbf\xbd (1 samples"));
	assert_non_null(strstr(svg, "<title>x]]&gt;y (1 samples"));
	assert_non_null(strstr(svg, "width=\"300\""));
	assert_null(strstr(svg, "<&>"));
	buf_free(&b);
	pprof_free(&p);
}

static void test_svg_narrow_and_deep(void **state)
{
	(void)state;
	struct pprof p;
	pprof_init(&p);
	uint32_t big = pprof_frame(&p, "big", "m", NULL, 0, PFRAME_NATIVE);
	uint32_t tiny = pprof_frame(&p, "tiny", "m", NULL, 0, PFRAME_NATIVE);
	uint32_t under = pprof_frame(&p, "under_tiny", "m", NULL, 0, PFRAME_NATIVE);
	pprof_add(&p, &big, 1, 100000);
	uint32_t s[] = {tiny, under};
	pprof_add(&p, s, 2, 1); /* 1180/100001 px: under 0.1, not drawn */
	struct buf b = BUF_INIT;
	flame_svg(&p, NULL, 0, &b);
	const char *svg = buf_str(&b);
	assert_null(xml_check(svg));
	assert_int_equal(count(svg, "<title>"), 2);
	assert_non_null(strstr(svg, "<title>big (100000 samples, 100.00%)</title>"));
	assert_null(strstr(svg, "tiny"));
	assert_non_null(strstr(svg, ">Flame Graph</text>"));
	buf_free(&b);
	pprof_free(&p);

	/* A stack at the depth cap: 512 frames and the root, 513 rows. */
	pprof_init(&p);
	uint32_t ids[600];
	for (int i = 0; i < 600; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "f%03d", i);
		ids[i] = pprof_frame(&p, nm, "m", NULL, 0, PFRAME_NATIVE);
	}
	pprof_add(&p, ids, 600, 3);
	flame_svg(&p, "deep", 0, &b);
	svg = buf_str(&b);
	assert_null(xml_check(svg));
	assert_int_equal(count(svg, "<title>"), 513);
	assert_non_null(strstr(svg, "<title>[truncated] (3 samples"));
	assert_null(strstr(svg, "<title>f088 "));
	assert_non_null(strstr(svg, "<title>f089 "));
	char h[32];
	snprintf(h, sizeof(h), "height=\"%d\"", 50 + 513 * 16 + 34);
	assert_non_null(strstr(svg, h));
	buf_free(&b);
	pprof_free(&p);

	/* Nothing sampled: a well-formed picture saying so. */
	pprof_init(&p);
	flame_svg(&p, "empty", 0, &b);
	svg = buf_str(&b);
	assert_null(xml_check(svg));
	assert_int_equal(count(svg, "<title>"), 0);
	assert_non_null(strstr(svg, "No samples."));
	buf_free(&b);
	pprof_free(&p);
}

/* ---- speedscope ------------------------------------------------------ */

static void check_speedscope(const struct pprof *p, const char *text, const char *name)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	if (!root)
		fail_msg("speedscope json: %s", je.text);
	assert_string_equal(json_string_value(json_object_get(root, "$schema")),
			    "https://www.speedscope.app/file-format-schema.json");
	assert_string_equal(json_string_value(json_object_get(root, "exporter")), "perfagent " PA_VERSION);
	assert_string_equal(json_string_value(json_object_get(root, "name")), name);
	assert_int_equal(json_integer_value(json_object_get(root, "activeProfileIndex")), 0);
	json_t *frames = json_object_get(json_object_get(root, "shared"), "frames");
	assert_true(json_is_array(frames));
	assert_int_equal(json_array_size(frames), p->nframes);
	json_t *profiles = json_object_get(root, "profiles");
	assert_int_equal(json_array_size(profiles), 1);
	json_t *pr = json_array_get(profiles, 0);
	assert_string_equal(json_string_value(json_object_get(pr, "type")), "sampled");
	assert_string_equal(json_string_value(json_object_get(pr, "unit")), "none");
	assert_string_equal(json_string_value(json_object_get(pr, "name")), name);
	assert_int_equal(json_integer_value(json_object_get(pr, "startValue")), 0);
	assert_int_equal(json_integer_value(json_object_get(pr, "endValue")), p->total);
	json_t *samples = json_object_get(pr, "samples"), *weights = json_object_get(pr, "weights");
	assert_int_equal(json_array_size(samples), p->nstacks);
	assert_int_equal(json_array_size(weights), p->nstacks);
	uint64_t sum = 0;
	for (size_t i = 0; i < json_array_size(samples); i++) {
		json_t *s = json_array_get(samples, i);
		const struct pstack *st = &p->stacks[i];
		assert_int_equal(json_array_size(s), st->depth);
		for (size_t d = 0; d < json_array_size(s); d++) {
			json_int_t fi = json_integer_value(json_array_get(s, d));
			assert_true(fi >= 0 && (size_t)fi < p->nframes);
			assert_int_equal(fi, st->ids[d]);
		}
		sum += (uint64_t)json_integer_value(json_array_get(weights, i));
	}
	assert_int_equal(sum, p->total);
	json_decref(root);
}

static void test_speedscope(void **state)
{
	(void)state;
	struct pprof p;
	build(&p);
	struct buf b = BUF_INIT;
	flame_speedscope(&p, "cpu \"profile\"", &b);
	check_speedscope(&p, buf_str(&b), "cpu \"profile\"");

	json_t *root = json_loads(buf_str(&b), 0, NULL);
	json_t *frames = json_object_get(json_object_get(root, "shared"), "frames");
	/* fact@10: name, file, line; malloc in libc: the module as file;
	 * 0x7f00: name only. */
	json_t *f1 = json_array_get(frames, 1);
	assert_string_equal(json_string_value(json_object_get(f1, "name")), "fact");
	assert_string_equal(json_string_value(json_object_get(f1, "file")), "fact.c");
	assert_int_equal(json_integer_value(json_object_get(f1, "line")), 10);
	json_t *f3 = json_array_get(frames, 3);
	assert_string_equal(json_string_value(json_object_get(f3, "file")), "libc.so.6");
	assert_null(json_object_get(f3, "line"));
	json_t *f6 = json_array_get(frames, 6);
	assert_string_equal(json_string_value(json_object_get(f6, "name")), "0x7f00");
	assert_int_equal(json_object_size(f6), 1);
	json_decref(root);
	buf_free(&b);

	/* Invalid UTF-8 is repaired; an empty profile is still a file. */
	uint32_t bad = pprof_frame(&p, "b\xff", NULL, NULL, 0, PFRAME_NATIVE);
	pprof_add(&p, &bad, 1, 2);
	flame_speedscope(&p, NULL, &b);
	check_speedscope(&p, buf_str(&b), "profile");
	buf_free(&b);
	pprof_free(&p);

	pprof_init(&p);
	flame_speedscope(&p, "none", &b);
	check_speedscope(&p, buf_str(&b), "none");
	buf_free(&b);
	pprof_free(&p);
}

/* ---- scale ----------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_large_profile_fast(void **state)
{
	(void)state;
	int64_t t0 = clock_mono_ns();
	struct pprof p;
	pprof_init(&p);
	/* 2000 frames in 20 modules, a third Python; stack i ends in the
	 * frames (i / 100, i % 100) of two separate pools, so the 10000
	 * templates are distinct. */
	uint32_t fr[2000];
	static const char *mods[] = {"libc.so.6", "libpython3.12.so", "app", "libssl.so.3", NULL};
	for (int i = 0; i < 2000; i++) {
		char nm[32], file[32];
		snprintf(nm, sizeof(nm), "func_%d", i);
		snprintf(file, sizeof(file), "src/mod%d.py", i % 50);
		int py = i % 3 == 0;
		fr[i] = pprof_frame(&p, nm, mods[i % 5], py ? file : NULL, py ? i % 300 + 1 : 0,
				    py ? PFRAME_PYTHON : PFRAME_NATIVE);
	}
	uint32_t *tmpl = malloc(10000 * 64 * sizeof(*tmpl));
	uint32_t depth[10000];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 10000; i++) {
		uint32_t d = 4 + (uint32_t)(rng_next(&seed) % 56);
		uint32_t *t = tmpl + i * 64;
		t[0] = fr[0];
		for (uint32_t k = 1; k + 2 < d; k++)
			t[k] = fr[(k * 37 + rng_next(&seed) % 8) % 1800]; /* shared-ish prefixes */
		t[d - 2] = fr[1800 + i / 100];
		t[d - 1] = fr[1900 + i % 100];
		depth[i] = d;
	}
	for (int n = 0; n < 100000; n++) {
		int i = (int)(rng_next(&seed) % 10000);
		if (n < 10000)
			i = n; /* every template at least once */
		pprof_add(&p, tmpl + i * 64, depth[i], 1);
	}
	assert_int_equal(p.total, 100000);
	assert_int_equal(p.nstacks, 10000);

	struct pfunc *fs;
	size_t nf;
	pprof_functions(&p, 0, &fs, &nf);
	free(fs);
	pprof_functions(&p, 1, &fs, &nf);
	assert_int_equal(fs[0].total, 100000);
	free(fs);
	struct pline *ls;
	pprof_lines(&p, &ls, &nf);
	free(ls);
	struct buf folded = BUF_INIT, svg = BUF_INIT, ss = BUF_INIT;
	flame_folded(&p, &folded);
	flame_svg(&p, "big", 0, &svg);
	flame_speedscope(&p, "big", &ss);
	int64_t t1 = clock_mono_ns();
	double secs = clock_elapsed_s(t0, t1);
	print_message("100k samples, 10k stacks: built and rendered in %.3f s (svg %zu bytes)\n", secs, svg.len);
	assert_true(secs < 2.0);
	assert_int_equal(count(buf_str(&folded), "\n"), 10000);
	assert_null(xml_check(buf_str(&svg)));
	check_speedscope(&p, buf_str(&ss), "big");
	buf_free(&folded);
	buf_free(&svg);
	buf_free(&ss);
	free(tmpl);
	pprof_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_itself),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_folded_labels),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_svg_escaping),
		cmocka_unit_test(test_svg_narrow_and_deep),
		cmocka_unit_test(test_speedscope),
		cmocka_unit_test(test_large_profile_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
