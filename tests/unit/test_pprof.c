/*
 * test_pprof: interning frames and stacks, what is ignored, the depth cap,
 * and the numbers read off a hand-built profile — self and total per
 * function (a recursive function counted once per stack, functions split
 * by module, lines of one function added up) and the lines ranking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof/pprof.h"

/*
 * The profile every test reads (total 18):
 *   main;fact@10;fact@12;fact@10       5 + 2 (added twice)
 *   main;fact@10;malloc[libc]          3
 *   main;handler;query                 4   (Python)
 *   main;handler;query;0x7f00          2   (unknown native)
 *   main                               1
 *   main;malloc[no module]             1
 */
struct ids {
	uint32_t main_, fact10, fact12, malloc_libc, handler, query, unk, malloc_null;
};

static void build(struct pprof *p, struct ids *id)
{
	pprof_init(p);
	id->main_ = pprof_frame(p, "main", "app", NULL, 0, PFRAME_NATIVE);
	id->fact10 = pprof_frame(p, "fact", "app", "fact.c", 10, PFRAME_NATIVE);
	id->fact12 = pprof_frame(p, "fact", "app", "fact.c", 12, PFRAME_NATIVE);
	id->malloc_libc = pprof_frame(p, "malloc", "libc.so.6", NULL, 0, PFRAME_NATIVE);
	id->handler = pprof_frame(p, "handler", "views", "views.py", 42, PFRAME_PYTHON);
	id->query = pprof_frame(p, "query", "db", "db.py", 7, PFRAME_PYTHON);
	id->unk = pprof_frame(p, "0x7f00", NULL, NULL, 0, PFRAME_NATIVE);
	id->malloc_null = pprof_frame(p, "malloc", NULL, NULL, 0, PFRAME_NATIVE);
	uint32_t s1[] = {id->main_, id->fact10, id->fact12, id->fact10};
	uint32_t s2[] = {id->main_, id->fact10, id->malloc_libc};
	uint32_t s3[] = {id->main_, id->handler, id->query};
	uint32_t s4[] = {id->main_, id->handler, id->query, id->unk};
	uint32_t s5[] = {id->main_};
	uint32_t s6[] = {id->main_, id->malloc_null};
	pprof_add(p, s1, 4, 5);
	pprof_add(p, s2, 3, 3);
	pprof_add(p, s3, 3, 4);
	pprof_add(p, s4, 4, 2);
	pprof_add(p, s5, 1, 1);
	pprof_add(p, s1, 4, 2);
	pprof_add(p, s6, 2, 1);
}

static void test_interning(void **state)
{
	(void)state;
	struct pprof p;
	struct ids id;
	build(&p, &id);
	assert_int_equal(p.nframes, 8);
	assert_int_equal(p.nstacks, 6);
	assert_int_equal(p.total, 18);
	/* The same five fields give the same id; any difference a new one. */
	assert_int_equal(pprof_frame(&p, "fact", "app", "fact.c", 10, PFRAME_NATIVE), id.fact10);
	assert_int_equal(pprof_frame(&p, "malloc", NULL, NULL, 0, PFRAME_NATIVE), id.malloc_null);
	uint32_t a = pprof_frame(&p, "malloc", "", NULL, 0, PFRAME_NATIVE);
	uint32_t b = pprof_frame(&p, "fact", "app", "fact.c", 10, PFRAME_JIT);
	uint32_t c = pprof_frame(&p, "fact", "app", NULL, 10, PFRAME_NATIVE);
	assert_int_equal(a, 8);
	assert_int_equal(b, 9);
	assert_int_equal(c, 10);
	assert_int_equal(p.nframes, 11);
	/* Strings are copied. */
	char name[] = "tmpname";
	uint32_t t = pprof_frame(&p, name, NULL, NULL, 0, PFRAME_NATIVE);
	strcpy(name, "changed");
	assert_string_equal(p.frames[t].name, "tmpname");
	/* NULL name is "?" and interned like any other. */
	uint32_t q = pprof_frame(&p, NULL, NULL, NULL, 0, PFRAME_NATIVE);
	assert_string_equal(p.frames[q].name, "?");
	assert_int_equal(pprof_frame(&p, "?", NULL, NULL, 0, PFRAME_NATIVE), q);
	/* Aggregated stack: the first one has 5 + 2. */
	assert_int_equal(p.stacks[0].count, 7);
	assert_int_equal(p.stacks[0].depth, 4);
	assert_int_equal(p.stacks[0].ids[3], id.fact10);
	pprof_free(&p);
	assert_null(p.frames);
	assert_int_equal(p.nframes, 0);
}

static void test_ignored(void **state)
{
	(void)state;
	struct pprof p;
	pprof_init(&p);
	uint32_t f = pprof_frame(&p, "f", NULL, NULL, 0, PFRAME_NATIVE);
	uint32_t ok[] = {f};
	uint32_t bad[] = {f, 99};
	pprof_add(&p, ok, 0, 5);     /* depth 0 */
	pprof_add(&p, ok, 1, 0);     /* count 0 */
	pprof_add(&p, bad, 2, 5);    /* unknown frame id */
	pprof_add(&p, NULL, 3, 5);   /* no ids */
	assert_int_equal(p.nstacks, 0);
	assert_int_equal(p.total, 0);
	struct pfunc *fs;
	size_t n;
	pprof_functions(&p, 0, &fs, &n);
	assert_int_equal(n, 1);
	assert_int_equal(fs[0].self, 0);
	assert_int_equal(fs[0].total, 0);
	free(fs);
	pprof_free(&p);

	/* A zeroed pprof works without pprof_init, and an empty one reads empty. */
	struct pprof z;
	memset(&z, 0, sizeof(z));
	struct pline *ls;
	pprof_lines(&z, &ls, &n);
	assert_int_equal(n, 0);
	free(ls);
	pprof_functions(&z, 1, &fs, &n);
	assert_int_equal(n, 0);
	free(fs);
	uint32_t g = pprof_frame(&z, "g", NULL, NULL, 0, PFRAME_NATIVE);
	pprof_add(&z, &g, 1, 3);
	assert_int_equal(z.total, 3);
	pprof_free(&z);
}

static void test_depth_cap(void **state)
{
	(void)state;
	struct pprof p;
	pprof_init(&p);
	uint32_t fr[7];
	for (int i = 0; i < 7; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "f%d", i);
		fr[i] = pprof_frame(&p, nm, "m", NULL, 0, PFRAME_NATIVE);
	}
	uint32_t deep[1000];
	for (int i = 0; i < 1000; i++)
		deep[i] = fr[i % 7];
	pprof_add(&p, deep, 1000, 1);
	pprof_add(&p, deep, 1000, 2);
	assert_int_equal(p.nstacks, 1);
	assert_int_equal(p.total, 3);
	const struct pstack *st = &p.stacks[0];
	assert_int_equal(st->depth, 512);
	assert_int_equal(st->count, 3);
	assert_string_equal(p.frames[st->ids[0]].name, "[truncated]");
	assert_null(p.frames[st->ids[0]].module);
	for (int i = 1; i < 512; i++)
		assert_int_equal(st->ids[i], deep[1000 - 512 + i]);
	/* Exactly 512 is kept as is; 513 is cut. */
	pprof_add(&p, deep, 512, 1);
	assert_int_equal(p.stacks[1].depth, 512);
	assert_int_equal(p.stacks[1].ids[0], deep[0]);
	pprof_add(&p, deep, 513, 1);
	assert_int_equal(p.stacks[2].depth, 512);
	assert_int_equal(p.stacks[2].ids[0], st->ids[0]);
	assert_int_equal(p.stacks[2].ids[1], deep[2]);

	struct pfunc *fs;
	size_t n;
	pprof_functions(&p, 1, &fs, &n);
	/* Seven functions and the marker; each of the seven is on every stack once. */
	assert_int_equal(n, 8);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(fs[i].total, 5);
	assert_string_equal(fs[7].name, "[truncated]");
	assert_int_equal(fs[7].total, 4);
	free(fs);
	pprof_free(&p);
}

static void test_many(void **state)
{
	(void)state;
	struct pprof p;
	pprof_init(&p);
	uint32_t ids[20000];
	for (int i = 0; i < 20000; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "fn%d", i);
		ids[i] = pprof_frame(&p, nm, i % 3 ? "mod" : NULL, i % 2 ? "f.c" : NULL, i % 5, PFRAME_NATIVE);
		assert_int_equal(ids[i], i);
	}
	for (int i = 0; i < 20000; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "fn%d", i);
		assert_int_equal(pprof_frame(&p, nm, i % 3 ? "mod" : NULL, i % 2 ? "f.c" : NULL, i % 5,
					     PFRAME_NATIVE),
				 ids[i]);
	}
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < 19990; i++)
			pprof_add(&p, ids + i, 10, 1);
	assert_int_equal(p.nstacks, 19990);
	assert_int_equal(p.total, 2 * 19990);
	for (size_t i = 0; i < p.nstacks; i++)
		assert_int_equal(p.stacks[i].count, 2);
	pprof_free(&p);
}

static void test_functions_self(void **state)
{
	(void)state;
	struct pprof p;
	struct ids id;
	build(&p, &id);
	struct pfunc *fs;
	size_t n;
	pprof_functions(&p, 0, &fs, &n);
	assert_int_equal(n, 7);
	static const struct {
		const char *name, *module;
		uint64_t self, total;
	} want[] = {
		{"fact", "app", 7, 10},
		{"query", "db", 4, 6},
		{"malloc", "libc.so.6", 3, 3},
		{"0x7f00", NULL, 2, 2},
		{"main", "app", 1, 18},
		{"malloc", NULL, 1, 1},
		{"handler", "views", 0, 6},
	};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(fs[i].name, want[i].name);
		if (want[i].module)
			assert_string_equal(fs[i].module, want[i].module);
		else
			assert_null(fs[i].module);
		assert_int_equal(fs[i].self, want[i].self);
		assert_int_equal(fs[i].total, want[i].total);
	}
	/* Borrowed strings and the first frame's file and kind. */
	assert_ptr_equal(fs[0].name, p.frames[id.fact10].name);
	assert_string_equal(fs[0].file, "fact.c");
	assert_int_equal(fs[1].kind, PFRAME_PYTHON);
	assert_null(fs[4].file);
	free(fs);
	pprof_free(&p);
}

static void test_functions_total(void **state)
{
	(void)state;
	struct pprof p;
	struct ids id;
	build(&p, &id);
	struct pfunc *fs;
	size_t n;
	pprof_functions(&p, 1, &fs, &n);
	assert_int_equal(n, 7);
	static const char *order[] = {"main", "fact", "query", "handler", "malloc", "0x7f00", "malloc"};
	static const uint64_t totals[] = {18, 10, 6, 6, 3, 2, 1};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(fs[i].name, order[i]);
		assert_int_equal(fs[i].total, totals[i]);
	}
	/* Ties on total go by self: query (4) before handler (0). */
	assert_int_equal(fs[2].self, 4);
	assert_int_equal(fs[3].self, 0);
	uint64_t self = 0;
	for (size_t i = 0; i < n; i++)
		self += fs[i].self;
	assert_int_equal(self, p.total); /* every sample has one leaf */
	free(fs);
	pprof_free(&p);
}

static void test_recursion_once(void **state)
{
	(void)state;
	/* r;r;r;r (same frame) and r@1;r@2;r@1 (same function, two lines). */
	struct pprof p;
	pprof_init(&p);
	uint32_t r = pprof_frame(&p, "r", "m", "r.py", 1, PFRAME_PYTHON);
	uint32_t r2 = pprof_frame(&p, "r", "m", "r.py", 2, PFRAME_PYTHON);
	uint32_t a[] = {r, r, r, r};
	uint32_t b[] = {r, r2, r};
	pprof_add(&p, a, 4, 10);
	pprof_add(&p, b, 3, 5);
	struct pfunc *fs;
	size_t n;
	pprof_functions(&p, 1, &fs, &n);
	assert_int_equal(n, 1);
	assert_int_equal(fs[0].total, 15);
	assert_int_equal(fs[0].self, 15);
	free(fs);
	struct pline *ls;
	pprof_lines(&p, &ls, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ls[0].line, 1);
	assert_int_equal(ls[0].self, 15);
	assert_int_equal(ls[1].line, 2);
	assert_int_equal(ls[1].self, 0);
	free(ls);
	pprof_free(&p);
}

static void test_lines(void **state)
{
	(void)state;
	struct pprof p;
	struct ids id;
	build(&p, &id);
	struct pline *ls;
	size_t n;
	pprof_lines(&p, &ls, &n);
	assert_int_equal(n, 4);
	assert_string_equal(ls[0].file, "fact.c");
	assert_int_equal(ls[0].line, 10);
	assert_string_equal(ls[0].name, "fact");
	assert_int_equal(ls[0].self, 7);
	assert_string_equal(ls[1].file, "db.py");
	assert_int_equal(ls[1].line, 7);
	assert_string_equal(ls[1].name, "query");
	assert_int_equal(ls[1].self, 4);
	/* Lines only seen as callers: self 0, by file then line. */
	assert_string_equal(ls[2].file, "fact.c");
	assert_int_equal(ls[2].line, 12);
	assert_int_equal(ls[2].self, 0);
	assert_string_equal(ls[3].file, "views.py");
	assert_int_equal(ls[3].line, 42);
	assert_int_equal(ls[3].self, 0);
	free(ls);

	/* Two functions at one (file, line) are one line; line 0 and no file are left out. */
	uint32_t l1 = pprof_frame(&p, "<lambda>", "views", "views.py", 42, PFRAME_PYTHON);
	uint32_t nofile = pprof_frame(&p, "x", "app", NULL, 5, PFRAME_NATIVE);
	uint32_t s[] = {id.main_, l1};
	uint32_t t[] = {id.main_, nofile};
	pprof_add(&p, s, 2, 9);
	pprof_add(&p, t, 2, 50);
	pprof_lines(&p, &ls, &n);
	assert_int_equal(n, 4);
	assert_string_equal(ls[0].file, "views.py");
	assert_int_equal(ls[0].line, 42);
	assert_string_equal(ls[0].name, "handler");
	assert_int_equal(ls[0].self, 9);
	free(ls);
	pprof_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interning),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_functions_self),
		cmocka_unit_test(test_functions_total),
		cmocka_unit_test(test_recursion_once),
		cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
