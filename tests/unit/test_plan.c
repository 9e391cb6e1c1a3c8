/*
 * test_plan: query plans read, rendered and interpreted (src/db/plan*.c).
 *
 * The fixtures in tests/fixtures/plans/ are real server output captured on
 * this machine — MariaDB 10.11.19 (EXPLAIN / ANALYZE FORMAT=JSON),
 * PostgreSQL 15.18 (EXPLAIN (FORMAT JSON) and (ANALYZE, BUFFERS, FORMAT
 * JSON)) and SQLite 3.40.1 (EXPLAIN QUERY PLAN rows as TSV) — for one
 * schema: profiles (50000 rows, no index on name or team_id), orders
 * (150000 rows, idx_orders_profile), teams (100 rows). The mysql8_hand_*
 * files are hand-written after the MySQL 8.0 reference manual (no MySQL 8
 * server here); tests/fixtures/plans/README.md has the statements and how
 * each file was made. Every test asserts the tree's shape, its numbers and
 * the issues found; the malformed inputs must fail with a clear message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/plan.h"

/* ---- fixtures ---- */

struct file {
	char *data;
	size_t len;
};

/*
 * Read tests/fixtures/plans/NAME: from the working directory (the tests
 * run from the top of the tree), else relative to this source file.
 */
static struct file load(const char *name)
{
	char path[4096];
	const char *dirs[] = {"tests/fixtures/plans", NULL};
	char here[4096];
	snprintf(here, sizeof(here), "%s", __FILE__);
	char *slash = strrchr(here, '/');
	if (slash) {
		*slash = '\0';
		strncat(here, "/../fixtures/plans", sizeof(here) - strlen(here) - 1);
		dirs[1] = here;
	}
	for (int i = 0; i < 2 && dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		struct file r = {NULL, 0};
		size_t cap = 0;
		for (;;) {
			if (r.len + 1 >= cap) {
				cap = cap ? cap * 2 : 65536;
				r.data = realloc(r.data, cap);
				assert_non_null(r.data);
			}
			size_t n = fread(r.data + r.len, 1, cap - r.len - 1, f);
			if (n == 0)
				break;
			r.len += n;
		}
		r.data[r.len] = '\0';
		fclose(f);
		return r;
	}
	fail_msg("fixture %s not found", name);
	struct file none = {NULL, 0};
	return none;
}

static void load_mysql(const char *name, struct plan *p)
{
	struct file f = load(name);
	struct perr e = {{0}};
	int rc = strstr(name, ".json") ? plan_parse_mysql_json(f.data, f.len, 0, p, &e)
				       : plan_parse_mysql_tree(f.data, f.len, p, &e);
	if (rc != 0)
		fail_msg("%s: %s", name, e.msg);
	free(f.data);
}

static void load_pg(const char *name, struct plan *p)
{
	struct file f = load(name);
	struct perr e = {{0}};
	if (plan_parse_pg_json(f.data, f.len, p, &e) != 0)
		fail_msg("%s: %s", name, e.msg);
	free(f.data);
}

/* A TSV of "id\tparent\tnotused\tdetail" rows; lines starting "--" are comments. */
static void load_sqlite(const char *name, struct plan *p)
{
	struct file f = load(name);
	int id[64], parent[64];
	const char *detail[64];
	size_t n = 0;
	char *save = NULL;
	for (char *line = strtok_r(f.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "--", 2) == 0)
			continue;
		char *c1 = strchr(line, '\t');
		char *c2 = c1 ? strchr(c1 + 1, '\t') : NULL;
		char *c3 = c2 ? strchr(c2 + 1, '\t') : NULL;
		assert_non_null(c3);
		assert_true(n < 64);
		id[n] = atoi(line);
		parent[n] = atoi(c1 + 1);
		detail[n] = c3 + 1;
		n++;
	}
	struct perr e = {{0}};
	if (plan_from_sqlite_eqp(id, parent, detail, n, p, &e) != 0)
		fail_msg("%s: %s", name, e.msg);
	free(f.data);
}

/* ---- checks ---- */

#define assert_near(a, b) \
	do { \
		double a_ = (double)(a), b_ = (double)(b); \
		if (fabs(a_ - b_) > 1e-6 * (fabs(b_) > 1 ? fabs(b_) : 1)) \
			fail_msg("%s = %.9g, want %.9g", #a, a_, b_); \
	} while (0)

#define assert_contains(hay, needle) \
	do { \
		const char *h_ = (hay), *n_ = (needle); \
		if (!h_ || !strstr(h_, n_)) \
			fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
	} while (0)

#define MAXI 64

struct found {
	struct plan_issue v[MAXI];
	size_t n;
};

static void issues(struct plan *p, struct found *f)
{
	f->n = plan_issues(p, f->v, MAXI);
	assert_true(f->n <= MAXI);
	for (size_t i = 0; i < f->n; i++) {
		assert_non_null(f->v[i].rule);
		assert_non_null(f->v[i].node);
		assert_non_null(f->v[i].message);
		if (i)
			assert_true(f->v[i - 1].severity >= f->v[i].severity);
	}
}

static size_t count_rule(const struct found *f, const char *rule)
{
	size_t c = 0;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rule, rule) == 0)
			c++;
	return c;
}

/* The one issue of rule (fails when there is not exactly one). */
static const struct plan_issue *one(const struct found *f, const char *rule)
{
	const struct plan_issue *r = NULL;
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].rule, rule) != 0)
			continue;
		if (r)
			fail_msg("more than one %s issue", rule);
		r = &f->v[i];
	}
	if (!r)
		fail_msg("no %s issue", rule);
	return r;
}

static const struct plan_node *kid(const struct plan_node *n, size_t i)
{
	assert_non_null(n);
	if (i >= n->nkids)
		fail_msg("node '%s' has %zu children, wanted #%zu", n->label, n->nkids, i);
	assert_ptr_equal(n->kids[i]->parent, n);
	return n->kids[i];
}

static void assert_no_full_scan(const struct plan_node *n)
{
	assert_false(n->flags & PLAN_FULL_SCAN);
	for (size_t i = 0; i < n->nkids; i++)
		assert_no_full_scan(n->kids[i]);
}

static char *render(const struct plan *p)
{
	struct buf b = BUF_INIT;
	plan_render(p, &b);
	return buf_detach(&b);
}

/* ---- MariaDB ---- */

static void test_mariadb_fullscan(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mariadb_fullscan.json", &p);
	assert_int_equal(p.kind, DB_MYSQL);
	assert_int_equal(p.format, PLAN_FMT_MYSQL_JSON);
	assert_false(p.analyzed);
	assert_int_equal(p.nnodes, 2);
	assert_string_equal(p.root->op, "select");
	assert_string_equal(p.root->label, "Select #1");
	const struct plan_node *t = kid(p.root, 0);
	assert_string_equal(t->op, "ALL");
	assert_string_equal(t->relation, "profiles");
	assert_string_equal(t->label, "Full table scan on profiles (ALL)");
	assert_true(t->flags & PLAN_FULL_SCAN);
	assert_near(t->est_rows, 50108);
	assert_near(t->act_rows, -1);
	assert_near(t->filtered_pct, 100);
	assert_contains(t->filter, "like '%xyz%'");
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	const struct plan_issue *is = one(&f, "full-scan");
	assert_int_equal(is->severity, PA_SEV_MEDIUM);
	assert_ptr_equal(is->node, t);
	assert_contains(is->message, "profiles reads ~50108 rows");
	plan_free(&p);

	load_mysql("mariadb_fullscan_analyze.json", &p);
	assert_true(p.analyzed);
	assert_near(p.planning_ms, 0.081559514);
	assert_near(p.execution_ms, 10.53257457);
	t = kid(p.root, 0);
	assert_near(t->act_rows, 50000);
	assert_near(t->loops, 1);
	assert_near(t->filtered_pct, 0.1);
	assert_near(t->rows_examined, 50000);
	assert_near(t->time_ms, 6.091214284 + 4.430797249);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	is = one(&f, "full-scan");
	assert_int_equal(is->severity, PA_SEV_MEDIUM);
	assert_contains(is->message, "reads 50000 rows to keep 50 (0.1%)");
	plan_free(&p);
}

static void test_mariadb_indexed(void **state)
{
	(void)state;
	static const char *const names[] = {"mariadb_indexed.json", "mariadb_indexed_analyze.json",
					    "mysql8_hand_json_indexed.json", "mysql8_hand_tree_indexed.txt"};
	for (size_t i = 0; i < 4; i++) {
		struct plan p;
		struct found f;
		load_mysql(names[i], &p);
		const struct plan_node *t = i == 3 ? p.root : kid(p.root, 0);
		assert_string_equal(t->relation, "orders");
		assert_string_equal(t->index, "idx_orders_profile");
		assert_near(t->est_rows, 3);
		assert_no_full_scan(p.root);
		issues(&p, &f);
		if (f.n)
			fail_msg("%s: unexpected %s: %s", names[i], f.v[0].rule, f.v[0].message);
		plan_free(&p);
	}
	struct plan p;
	load_mysql("mariadb_indexed.json", &p);
	assert_string_equal(kid(p.root, 0)->op, "ref");
	assert_string_equal(kid(p.root, 0)->cond, "(profile_id=const)");
	plan_free(&p);
}

static void test_mariadb_join_filesort(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mariadb_join_filesort_analyze.json", &p);
	assert_true(p.analyzed);
	/* select -> filesort -> temporary table -> nested loop (p, o) */
	const struct plan_node *fs = kid(p.root, 0);
	assert_string_equal(fs->op, "filesort");
	assert_true(fs->flags & PLAN_FILESORT);
	assert_string_equal(fs->detail, "sort key: o.amount desc");
	assert_string_equal(fs->sort_method, "priority queue");
	assert_near(fs->act_rows, 21);
	const struct plan_node *tmp = kid(fs, 0);
	assert_true(tmp->flags & PLAN_TEMPORARY);
	const struct plan_node *nl = kid(tmp, 0);
	assert_true(nl->flags & PLAN_JOIN_LOOP);
	assert_int_equal(nl->nkids, 2);
	const struct plan_node *pp = kid(nl, 0), *o = kid(nl, 1);
	assert_string_equal(pp->relation, "p");
	assert_true(pp->flags & PLAN_FULL_SCAN);
	assert_near(pp->filtered_pct, 1);
	assert_string_equal(o->op, "ref");
	assert_near(o->loops, 500);
	assert_false(o->flags & PLAN_EST_LOOPS);
	assert_near(o->act_rows, 3);
	assert_string_equal(o->cond, "(profile_id=shop.p.id)");
	issues(&p, &f);
	assert_int_equal(f.n, 3);
	assert_ptr_equal(one(&f, "full-scan")->node, pp);
	assert_contains(one(&f, "full-scan")->message, "to keep 500 (1.0%)");
	const struct plan_issue *s = one(&f, "filesort");
	assert_int_equal(s->severity, PA_SEV_LOW);
	assert_contains(s->message, "sort of 1500 rows");
	assert_ptr_equal(one(&f, "temporary-table")->node, tmp);
	plan_free(&p);

	/* without ANALYZE the inner table's loops are estimated from the outer one */
	load_mysql("mariadb_join_filesort.json", &p);
	assert_false(p.analyzed);
	nl = kid(kid(kid(p.root, 0), 0), 0);
	o = kid(nl, 1);
	assert_true(o->flags & PLAN_EST_LOOPS);
	assert_near(o->loops, 50108);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "full-scan"), 1);
	assert_int_equal(count_rule(&f, "filesort"), 1);
	assert_int_equal(count_rule(&f, "temporary-table"), 1);
	assert_int_equal(count_rule(&f, "nested-loop"), 0);
	plan_free(&p);
}

static void test_mariadb_groupby(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mariadb_groupby_temp_analyze.json", &p);
	const struct plan_node *fs = kid(p.root, 0);
	const struct plan_node *nl = kid(kid(fs, 0), 0);
	const struct plan_node *o = kid(nl, 1);
	assert_near(o->loops, 50000);
	assert_near(o->time_ms, 334.650607 + 45.38852802);
	issues(&p, &f);
	assert_int_equal(f.n, 4);
	/* the filesort sorted the 100 groups, not the 150000 joined rows */
	const struct plan_issue *s = one(&f, "filesort");
	assert_int_equal(s->severity, PA_SEV_INFO);
	assert_contains(s->message, "sort of 100 rows");
	assert_int_equal(one(&f, "temporary-table")->severity, PA_SEV_MEDIUM);
	const struct plan_issue *n = one(&f, "nested-loop");
	assert_int_equal(n->severity, PA_SEV_MEDIUM);
	assert_ptr_equal(n->node, nl);
	assert_contains(n->message, "150000 rows of o in 50000 loops");
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_MEDIUM);
	plan_free(&p);
}

static void test_mariadb_sort_spill(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mariadb_sort_spill_analyze.json", &p);
	/* nested_loop of one read_sorted_file: no join node */
	const struct plan_node *fs = kid(p.root, 0);
	assert_string_equal(fs->op, "filesort");
	assert_true(fs->flags & PLAN_SORT_DISK);
	assert_int_equal(fs->batches, 25);
	assert_true(kid(fs, 0)->flags & PLAN_FULL_SCAN);
	issues(&p, &f);
	assert_int_equal(f.n, 3);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_HIGH);
	assert_int_equal(one(&f, "filesort")->severity, PA_SEV_MEDIUM);
	assert_contains(one(&f, "sort-spill")->message, "25 merge passes");
	assert_int_equal(f.v[0].severity, PA_SEV_HIGH);
	plan_free(&p);

	load_mysql("mariadb_sort_spill.json", &p);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "sort-spill"), 0);
	assert_int_equal(count_rule(&f, "filesort"), 1);
	plan_free(&p);
}

static void test_mariadb_subqueries(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mariadb_subquery_analyze.json", &p);
	const struct plan_node *nl = kid(p.root, 0);
	assert_int_equal(nl->nkids, 3);
	const struct plan_node *sq = kid(nl, 2);
	assert_string_equal(sq->relation, "<subquery2>");
	assert_false(sq->flags & PLAN_FULL_SCAN);
	assert_true(sq->flags & PLAN_SUBQUERY);
	const struct plan_node *sel2 = kid(sq, 0);
	assert_string_equal(sel2->label, "Select #2");
	assert_true(sel2->flags & PLAN_SUBQUERY);
	const struct plan_node *orders = kid(sel2, 0);
	assert_string_equal(orders->relation, "orders");
	issues(&p, &f);
	assert_int_equal(f.n, 2);
	assert_ptr_equal(f.v[0].node, orders);
	assert_int_equal(f.v[0].severity, PA_SEV_HIGH);
	assert_string_equal(f.v[1].rule, "full-scan");
	plan_free(&p);

	load_mysql("mariadb_dependent_analyze.json", &p);
	assert_int_equal(p.root->nkids, 2);
	sel2 = kid(p.root, 1);
	assert_true(sel2->flags & PLAN_SUBQUERY);
	assert_near(sel2->loops, 500);
	assert_near(kid(sel2, 0)->filtered_pct, 33.33333333);
	plan_free(&p);

	/* UNION of a derived table and a range scan */
	load_mysql("mariadb_union_derived_analyze.json", &p);
	const struct plan_node *u = kid(p.root, 0);
	assert_string_equal(u->op, "union");
	assert_int_equal(u->nkids, 2);
	const struct plan_node *derived = kid(kid(u, 0), 0);
	assert_string_equal(derived->relation, "<derived2>");
	assert_false(derived->flags & PLAN_FULL_SCAN);
	assert_true(kid(kid(derived, 0), 0)->flags & PLAN_INDEX_SCAN);
	assert_true(kid(kid(u, 1), 0)->flags & PLAN_INDEX_ONLY);
	assert_string_equal(kid(u, 1)->label, "Select #3 (UNION)");
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	const struct plan_issue *b = one(&f, "bad-estimate");
	assert_ptr_equal(b->node, derived);
	assert_contains(b->message, "planned 146346 rows, got 0");
	plan_free(&p);
}

static void test_mariadb_block_nl(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mariadb_bnl_join_analyze.json", &p);
	const struct plan_node *nl = kid(p.root, 0);
	const struct plan_node *pp = kid(nl, 1);
	assert_true(pp->flags & PLAN_JOIN_BUFFER);
	assert_string_equal(pp->cond, "t.`name` = p.email");
	assert_string_equal(pp->detail, "join buffer: BNL (25KiB)");
	assert_near(pp->filtered_pct, 0);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	const struct plan_issue *r = one(&f, "rows-examined");
	assert_ptr_equal(r->node, pp);
	assert_contains(r->message, "reads 19999 rows via PRIMARY to keep 0");
	plan_free(&p);

	load_mysql("mariadb_bnl_join.json", &p);
	pp = kid(kid(p.root, 0), 1);
	assert_near(pp->loops, -1); /* a join buffer is not read once per row */
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	plan_free(&p);
}

/* ---- MySQL 8.0 JSON (hand-written after the manual) ---- */

static void test_mysql8_json(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mysql8_hand_json_fullscan.json", &p);
	assert_near(p.total_cost, 5041.35); /* "5041.35" as a string */
	const struct plan_node *t = kid(p.root, 0);
	assert_near(t->filtered_pct, 11.11);
	assert_near(t->cost, 4485.62 + 555.73);
	assert_near(t->est_rows, 50016);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_MEDIUM);
	plan_free(&p);

	load_mysql("mysql8_hand_json_join.json", &p);
	const struct plan_node *ob = kid(p.root, 0);
	assert_string_equal(ob->op, "order by");
	assert_true(ob->flags & PLAN_FILESORT);
	assert_true(ob->flags & PLAN_TEMPORARY);
	assert_near(ob->cost, 1500.60);
	const struct plan_node *o = kid(kid(ob, 0), 1);
	assert_true(o->flags & PLAN_EST_LOOPS);
	assert_near(o->loops, 50016 * 0.10);
	issues(&p, &f);
	assert_int_equal(f.n, 3);
	assert_ptr_equal(one(&f, "filesort")->node, ob);
	assert_ptr_equal(one(&f, "temporary-table")->node, ob);
	plan_free(&p);

	load_mysql("mysql8_hand_json_subquery.json", &p);
	const struct plan_node *g = kid(p.root, 0);
	assert_string_equal(g->op, "group by");
	assert_int_equal(g->nkids, 2);
	const struct plan_node *sub = kid(g, 1);
	assert_true(sub->flags & PLAN_SUBQUERY);
	assert_true(kid(sub, 0)->flags & PLAN_INDEX_ONLY);
	plan_free(&p);
}

/* ---- MySQL 8.0 tree (hand-written after the manual) ---- */

static void test_mysql8_tree(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_mysql("mysql8_hand_tree_fullscan.txt", &p);
	assert_int_equal(p.format, PLAN_FMT_MYSQL_TREE);
	assert_true(p.analyzed);
	assert_string_equal(p.root->op, "Filter");
	assert_string_equal(p.root->filter, "(profiles.`name` like '%xyz%')");
	assert_near(p.root->cost, 5041);
	assert_near(p.root->est_rows, 5557);
	assert_near(p.root->act_rows, 50);
	assert_near(p.root->time_ms, 38.6);
	assert_near(p.root->rows_examined, 50000);
	assert_near(p.root->filtered_pct, 0.1);
	assert_near(p.execution_ms, 38.6);
	const struct plan_node *scan = kid(p.root, 0);
	assert_string_equal(scan->op, "Table scan");
	assert_string_equal(scan->relation, "profiles");
	assert_true(scan->flags & PLAN_FULL_SCAN);
	issues(&p, &f);
	assert_int_equal(f.n, 2);
	assert_ptr_equal(one(&f, "full-scan")->node, scan);
	assert_contains(one(&f, "full-scan")->message, "reads 50000 rows");
	assert_ptr_equal(one(&f, "bad-estimate")->node, p.root);
	plan_free(&p);

	load_mysql("mysql8_hand_tree_groupby.txt", &p);
	const struct plan_node *tmp = kid(kid(p.root, 0), 0);
	assert_string_equal(p.root->op, "Sort");
	assert_string_equal(p.root->detail, "n DESC");
	assert_true(p.root->flags & PLAN_FILESORT);
	assert_string_equal(kid(p.root, 0)->relation, "<temporary>");
	assert_false(kid(p.root, 0)->flags & PLAN_FULL_SCAN);
	assert_true(tmp->flags & PLAN_TEMPORARY);
	const struct plan_node *lookup = kid(kid(tmp, 0), 1);
	assert_string_equal(lookup->op, "Index lookup");
	assert_string_equal(lookup->index, "idx_orders_profile");
	assert_string_equal(lookup->cond, "(profile_id=p.id)");
	assert_near(lookup->loops, 50000);
	assert_near(lookup->time_ms, 0.0052 * 50000);
	issues(&p, &f);
	assert_int_equal(f.n, 4);
	assert_int_equal(one(&f, "filesort")->severity, PA_SEV_INFO);
	assert_int_equal(one(&f, "nested-loop")->severity, PA_SEV_MEDIUM);
	plan_free(&p);

	load_mysql("mysql8_hand_tree_nested.txt", &p);
	const struct plan_node *t = kid(kid(p.root, 1), 0);
	assert_string_equal(t->relation, "t");
	assert_near(t->loops, 2000);
	issues(&p, &f);
	const struct plan_issue *nl = one(&f, "nested-loop");
	assert_int_equal(nl->severity, PA_SEV_HIGH);
	assert_ptr_equal(nl->node, t);
	assert_contains(nl->message, "repeated 2000 times (100 rows each, 200000 in all)");
	assert_int_equal(count_rule(&f, "full-scan"), 0); /* 100 rows: fine by itself */
	assert_string_equal(kid(kid(p.root, 0), 0)->cond, "over (id <= 2000)");
	plan_free(&p);

	/* FORMAT=TREE without ANALYZE: loops estimated from the outer side, in scientific notation */
	load_mysql("mysql8_hand_tree_estimate.txt", &p);
	assert_false(p.analyzed);
	assert_near(p.root->cost, 2.05e6);
	assert_near(p.root->est_rows, 5.56e6);
	const struct plan_node *inner = kid(p.root, 1);
	assert_true(inner->flags & PLAN_EST_LOOPS);
	assert_near(inner->loops, 11.1);
	assert_near(kid(inner, 0)->loops, 11.1);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "nested-loop"), 1);
	assert_int_equal(count_rule(&f, "bad-estimate"), 0);
	plan_free(&p);

	/* the manual's layout: a \G header and "(actual ...)" wrapped onto its own line */
	load_mysql("mysql8_hand_tree_wrapped.txt", &p);
	assert_string_equal(p.root->op, "Inner hash join");
	assert_string_equal(p.root->cond, "(o.profile_id = p.id)");
	assert_near(p.root->act_rows, 150000);
	assert_near(p.root->time_ms, 98.4);
	assert_string_equal(kid(p.root, 1)->op, "Hash");
	assert_near(kid(kid(p.root, 1), 0)->act_rows, 50000);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "full-scan"), 2);
	plan_free(&p);

	/* whole-number ranges: "4170..4198" is 4170 to 4198, not "4170." and ".4198" */
	static const char ranges[] =
		"'-> Table scan on counts  (cost=4170..4198 rows=2000) (actual time=10..12 rows=2e+3 loops=3)'\r\n";
	struct perr e = {{0}};
	assert_int_equal(plan_parse_mysql_tree(ranges, sizeof(ranges) - 1, &p, &e), 0);
	assert_near(p.root->cost, 4198);
	assert_near(p.root->act_rows, 2000);
	assert_near(p.root->time_ms, 36);
	assert_string_equal(p.root->relation, "counts");
	plan_free(&p);

	load_mysql("mysql8_hand_tree_never.txt", &p);
	const struct plan_node *sel = kid(p.root, 1);
	assert_true(sel->flags & PLAN_SUBQUERY);
	const struct plan_node *lim = kid(sel, 0);
	assert_true(lim->flags & PLAN_NEVER_EXECUTED);
	assert_true(kid(lim, 0)->flags & PLAN_NEVER_EXECUTED);
	assert_near(kid(lim, 0)->act_rows, -1);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "rows-examined"), 0); /* full-scan says it */
	assert_int_equal(count_rule(&f, "full-scan"), 1);
	char *r = render(&p);
	assert_contains(r, "(never executed)");
	free(r);
	plan_free(&p);
}

/* ---- PostgreSQL ---- */

static void test_pg_fullscan(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_pg("pg_fullscan.json", &p);
	assert_int_equal(p.kind, DB_PG);
	assert_false(p.analyzed);
	assert_string_equal(p.root->op, "Seq Scan");
	assert_string_equal(p.root->label, "Seq Scan on profiles");
	assert_null(p.root->alias);
	assert_true(p.root->flags & PLAN_FULL_SCAN);
	assert_near(p.root->est_rows, 5);
	assert_near(p.root->cost, 1093);
	assert_near(p.planning_ms, -1);
	/* a filtered scan's estimate counts rows kept: the table's size is unknown */
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_LOW);
	assert_contains(one(&f, "full-scan")->message, "table size unknown");
	/* ... until the catalog tells */
	assert_int_equal(plan_set_table_rows(&p, "profiles", 50000), 1);
	assert_int_equal(plan_set_table_rows(&p, "Profiles", 50000), 0); /* PostgreSQL names are exact */
	issues(&p, &f);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_MEDIUM);
	assert_contains(one(&f, "full-scan")->message, "reads 50000 rows");
	plan_free(&p);

	load_pg("pg_fullscan_analyze.json", &p);
	assert_true(p.analyzed);
	assert_near(p.root->act_rows, 50);
	assert_near(p.root->rows_examined, 50000);
	assert_near(p.root->filtered_pct, 0.1);
	assert_near(p.planning_ms, 0.220);
	assert_near(p.execution_ms, 3.248);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	assert_contains(one(&f, "full-scan")->message, "reads 50000 rows to keep 50 (0.1%)");
	plan_free(&p);
}

static void test_pg_indexed(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	for (int a = 0; a < 2; a++) {
		load_pg(a ? "pg_indexed_analyze.json" : "pg_indexed.json", &p);
		assert_string_equal(p.root->op, "Bitmap Heap Scan");
		assert_string_equal(p.root->cond, "(profile_id = 4242)");
		const struct plan_node *ix = kid(p.root, 0);
		assert_string_equal(ix->label, "Bitmap Index Scan on idx_orders_profile");
		assert_string_equal(ix->index, "idx_orders_profile");
		assert_no_full_scan(p.root);
		issues(&p, &f);
		assert_int_equal(f.n, 0);
		plan_free(&p);
	}
}

static void test_pg_join_filesort(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_pg("pg_join_filesort_analyze.json", &p);
	assert_string_equal(p.root->op, "Limit");
	const struct plan_node *sort = kid(p.root, 0);
	assert_true(sort->flags & PLAN_FILESORT);
	assert_string_equal(sort->sort_method, "top-N heapsort");
	assert_int_equal(sort->sort_space_kb, 27);
	assert_string_equal(sort->detail, "sort key: o.amount DESC");
	const struct plan_node *hj = kid(sort, 0);
	assert_string_equal(hj->op, "Hash Join");
	assert_string_equal(hj->cond, "(o.profile_id = p.id)");
	const struct plan_node *orders = kid(hj, 0);
	assert_string_equal(orders->label, "Seq Scan on orders o");
	assert_string_equal(orders->alias, "o");
	const struct plan_node *prof = kid(kid(hj, 1), 0);
	assert_string_equal(prof->filter, "(team_id = 7)");
	assert_near(prof->rows_examined, 50000);
	issues(&p, &f);
	assert_int_equal(f.n, 3);
	assert_int_equal(count_rule(&f, "full-scan"), 2);
	assert_ptr_equal(f.v[0].node, orders);
	assert_int_equal(f.v[0].severity, PA_SEV_HIGH);
	assert_ptr_equal(f.v[1].node, prof);
	assert_int_equal(f.v[1].severity, PA_SEV_MEDIUM);
	assert_contains(one(&f, "filesort")->message, "sort of 1500 rows (top-N heapsort)");
	/* the Sort returned 20 of 1509 because of the LIMIT: not a misestimate */
	assert_int_equal(count_rule(&f, "bad-estimate"), 0);
	plan_free(&p);
}

static void test_pg_spills(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_pg("pg_sort_spill_analyze.json", &p);
	assert_true(p.root->flags & PLAN_SORT_DISK);
	assert_string_equal(p.root->sort_method, "external merge");
	assert_int_equal(p.root->sort_space_kb, 5008);
	issues(&p, &f);
	assert_int_equal(f.n, 3);
	assert_contains(one(&f, "sort-spill")->message, "external merge, 5008 kB");
	assert_int_equal(one(&f, "filesort")->severity, PA_SEV_MEDIUM);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_HIGH);
	plan_free(&p);

	load_pg("pg_sort_spill.json", &p);
	assert_false(p.root->flags & PLAN_SORT_DISK);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "sort-spill"), 0);
	plan_free(&p);

	load_pg("pg_hash_spill_analyze.json", &p);
	assert_string_equal(p.root->label, "HashAggregate");
	assert_true(p.root->flags & PLAN_HASH_DISK);
	assert_int_equal(p.root->batches, 657);
	assert_int_equal(p.root->sort_space_kb, 11176);
	const struct plan_node *hash = kid(kid(p.root, 0), 1);
	assert_string_equal(hash->op, "Hash");
	assert_int_equal(hash->batches, 64);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "hash-spill"), 2);
	plan_free(&p);
}

static void test_pg_nested_loop(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_pg("pg_nested_loop_seq_analyze.json", &p);
	assert_true(p.root->flags & PLAN_JOIN_LOOP);
	assert_near(p.root->rows_examined, 200000);
	const struct plan_node *teams = kid(p.root, 1);
	assert_near(teams->loops, 2000);
	assert_true(teams->flags & PLAN_FULL_SCAN);
	issues(&p, &f);
	assert_int_equal(f.n, 1); /* said once: not again as rows-examined on the join */
	const struct plan_issue *n = one(&f, "nested-loop");
	assert_int_equal(n->severity, PA_SEV_HIGH);
	assert_ptr_equal(n->node, teams);
	plan_free(&p);

	load_pg("pg_nested_loop_seq.json", &p);
	teams = kid(p.root, 1);
	assert_true(teams->flags & PLAN_EST_LOOPS);
	assert_near(teams->loops, 2049);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	assert_contains(one(&f, "nested-loop")->message, "repeated ~2049 times");
	plan_free(&p);

	/* an index nested loop over 50 rows is fine; the outer index scan filters 99% away */
	load_pg("pg_nested_loop_analyze.json", &p);
	assert_near(kid(p.root, 1)->loops, 50);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	const struct plan_issue *r = one(&f, "rows-examined");
	assert_int_equal(r->severity, PA_SEV_LOW);
	assert_contains(r->message, "reads 4999 rows via profiles_pkey to keep 50");
	plan_free(&p);
}

static void test_pg_estimates_parallel(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_pg("pg_bad_estimate_analyze.json", &p);
	issues(&p, &f);
	assert_int_equal(f.n, 2);
	const struct plan_issue *b = one(&f, "bad-estimate");
	assert_int_equal(b->severity, PA_SEV_MEDIUM);
	assert_contains(b->message, "planned 3 rows, got 500 (167x more)");
	plan_free(&p);

	/* estimates only: no bad-estimate without ANALYZE */
	load_pg("pg_bad_estimate.json", &p);
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "bad-estimate"), 0);
	plan_free(&p);

	load_pg("pg_groupby_analyze.json", &p);
	assert_string_equal(kid(p.root, 0)->label, "Finalize GroupAggregate");
	const struct plan_node *gm = kid(kid(p.root, 0), 0);
	assert_string_equal(gm->op, "Gather Merge");
	const struct plan_node *agg = kid(kid(gm, 0), 0);
	assert_string_equal(agg->label, "Partial HashAggregate");
	const struct plan_node *orders = kid(kid(agg, 0), 0);
	assert_string_equal(orders->label, "Parallel Seq Scan on orders o");
	assert_true(orders->flags & PLAN_PARALLEL);
	assert_near(orders->loops, 2);
	assert_near(orders->act_rows, 75000);
	issues(&p, &f);
	const struct plan_issue *fs = &f.v[0];
	assert_string_equal(fs->rule, "full-scan");
	assert_ptr_equal(fs->node, orders);
	assert_contains(fs->message, "reads 150000 rows in 2 parallel processes");
	assert_int_equal(count_rule(&f, "filesort"), 2);
	plan_free(&p);

	load_pg("pg_groupby.json", &p);
	orders = kid(kid(kid(kid(kid(kid(p.root, 0), 0), 0), 0), 0), 0);
	assert_true(orders->flags & PLAN_EST_LOOPS);
	assert_near(orders->loops, 1.7); /* one worker and the leader */
	issues(&p, &f);
	assert_int_equal(f.v[0].severity, PA_SEV_HIGH);
	assert_ptr_equal(f.v[0].node, orders);
	plan_free(&p);
}

/* ---- SQLite ---- */

static void sqlite_sizes(struct plan *p)
{
	plan_set_alias(p, "p", "profiles");
	plan_set_alias(p, "o", "orders");
	plan_set_alias(p, "o2", "orders");
	plan_set_alias(p, "t", "teams");
	plan_set_table_rows(p, "profiles", 50000);
	plan_set_table_rows(p, "orders", 150000);
	plan_set_table_rows(p, "teams", 100);
}

static void test_sqlite_fullscan(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_sqlite("sqlite_fullscan.tsv", &p);
	assert_int_equal(p.kind, DB_SQLITE);
	assert_string_equal(p.root->op, "QUERY PLAN");
	const struct plan_node *s = kid(p.root, 0);
	assert_string_equal(s->op, "SCAN");
	assert_string_equal(s->relation, "profiles");
	assert_string_equal(s->label, "SCAN profiles");
	assert_true(s->flags & PLAN_FULL_SCAN);
	assert_near(s->est_rows, -1);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_LOW);
	assert_contains(one(&f, "full-scan")->message, "table size unknown");
	assert_int_equal(plan_set_table_rows(&p, "PROFILES", 50000), 1);
	assert_near(s->est_rows, 50000);
	issues(&p, &f);
	assert_int_equal(one(&f, "full-scan")->severity, PA_SEV_MEDIUM);
	plan_free(&p);

	/* a small table scanned in full is fine */
	load_sqlite("sqlite_fullscan.tsv", &p);
	plan_set_table_rows(&p, "profiles", 50);
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	plan_free(&p);
}

static void test_sqlite_lookups(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_sqlite("sqlite_indexed.tsv", &p);
	const struct plan_node *s = kid(p.root, 0);
	assert_string_equal(s->op, "SEARCH");
	assert_string_equal(s->index, "idx_orders_profile");
	assert_string_equal(s->cond, "(profile_id=?)");
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	plan_free(&p);

	load_sqlite("sqlite_rowid.tsv", &p);
	assert_string_equal(kid(p.root, 0)->index, "INTEGER PRIMARY KEY");
	assert_string_equal(kid(p.root, 0)->cond, "(rowid=?)");
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	plan_free(&p);

	load_sqlite("sqlite_covering.tsv", &p);
	assert_true(kid(p.root, 0)->flags & PLAN_INDEX_ONLY);
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	plan_free(&p);

	load_sqlite("sqlite_cte.tsv", &p);
	const struct plan_node *m = kid(p.root, 0);
	assert_string_equal(m->op, "MATERIALIZE");
	assert_true(m->flags & PLAN_SUBQUERY);
	assert_true(kid(m, 0)->flags & PLAN_INDEX_SCAN);
	assert_false(kid(p.root, 1)->flags & PLAN_FULL_SCAN); /* SCAN big: the materialized CTE */
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	plan_free(&p);

	load_sqlite("sqlite_autoindex.tsv", &p);
	assert_string_equal(kid(p.root, 1)->index, "(automatic index)");
	assert_string_equal(kid(p.root, 1)->cond, "(name=?)");
	plan_free(&p);

	load_sqlite("sqlite_or_multi.tsv", &p);
	const struct plan_node *or = kid(p.root, 0);
	assert_string_equal(or->op, "MULTI-INDEX OR");
	assert_int_equal(or->nkids, 2);
	assert_string_equal(kid(or, 0)->op, "INDEX");
	assert_string_equal(kid(kid(or, 1), 0)->index, "idx_orders_status_amount");
	plan_free(&p);
}

static void test_sqlite_sorts(void **state)
{
	(void)state;
	struct plan p;
	struct found f;
	load_sqlite("sqlite_groupby.tsv", &p);
	assert_int_equal(p.root->nkids, 4);
	assert_true(kid(p.root, 2)->flags & PLAN_TEMPORARY);
	assert_true(kid(p.root, 3)->flags & PLAN_FILESORT);
	sqlite_sizes(&p);
	assert_string_equal(kid(p.root, 0)->relation, "profiles");
	assert_string_equal(kid(p.root, 0)->alias, "p");
	issues(&p, &f);
	assert_int_equal(f.n, 3);
	assert_contains(one(&f, "full-scan")->message, "profiles p reads 50000 rows");
	assert_int_equal(one(&f, "temporary-table")->severity, PA_SEV_LOW);
	assert_int_equal(one(&f, "filesort")->severity, PA_SEV_LOW);
	plan_free(&p);

	load_sqlite("sqlite_join_filesort.tsv", &p);
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 2);
	assert_int_equal(count_rule(&f, "nested-loop"), 0); /* the inner side is an index search */
	plan_free(&p);

	load_sqlite("sqlite_coroutine.tsv", &p);
	const struct plan_node *m = kid(p.root, 0);
	assert_string_equal(m->op, "MATERIALIZE");
	assert_int_equal(m->nkids, 2);
	assert_false(kid(p.root, 1)->flags & PLAN_FULL_SCAN); /* SCAN x */
	plan_free(&p);

	load_sqlite("sqlite_subqueries.tsv", &p);
	assert_int_equal(p.root->nkids, 4);
	assert_string_equal(kid(p.root, 2)->op, "CORRELATED SCALAR SUBQUERY");
	assert_true(kid(p.root, 1)->flags & PLAN_SUBQUERY);
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 1); /* the full scan of p; teams has 100 rows */
	plan_free(&p);

	load_sqlite("sqlite_union.tsv", &p);
	const struct plan_node *u = kid(kid(p.root, 0), 1);
	assert_true(u->flags & PLAN_TEMPORARY);
	sqlite_sizes(&p);
	issues(&p, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(one(&f, "temporary-table")->severity, PA_SEV_INFO);
	plan_free(&p);
}

static void test_sqlite_tree_rules(void **state)
{
	(void)state;
	struct plan p;
	struct perr e = {{0}};
	/* unknown parents hang from the root; a row cannot be its own parent; ids repeat */
	int id[] = {2, 3, 3, 4, 5};
	int parent[] = {0, 99, 3, 3, 5};
	const char *detail[] = {"SCAN a", "SCAN b", "SEARCH c USING INDEX i (x=?)", NULL, "SCAN TABLE d AS dd"};
	assert_int_equal(plan_from_sqlite_eqp(id, parent, detail, 5, &p, &e), 0);
	assert_int_equal(p.root->nkids, 3);
	assert_string_equal(kid(p.root, 1)->relation, "b");
	const struct plan_node *c = kid(kid(p.root, 1), 0);
	assert_string_equal(c->relation, "c");
	assert_string_equal(kid(c, 0)->label, ""); /* parent 3: the latest row with id 3 */
	assert_string_equal(kid(p.root, 2)->relation, "d");
	assert_string_equal(kid(p.root, 2)->alias, "dd");
	assert_true(kid(p.root, 2)->flags & PLAN_FULL_SCAN);
	/* a full scan joined after a large one is a nested loop over a full scan */
	plan_set_table_rows(&p, "a", 5000);
	struct found f;
	issues(&p, &f);
	assert_int_equal(count_rule(&f, "nested-loop"), 2); /* b and d */
	plan_free(&p);

	/* from a result set as db_query returns it */
	char nb[4][8] = {"id", "parent", "notused", "detail"};
	char cb[8][32] = {"2", "0", "0", "SCAN t", "5", "2", "0", "USE TEMP B-TREE FOR DISTINCT"};
	char *names[4], *cells[8];
	for (int i = 0; i < 4; i++)
		names[i] = nb[i];
	for (int i = 0; i < 8; i++)
		cells[i] = cb[i];
	struct db_rows rows = {4, 2, names, cells, {NULL}};
	assert_int_equal(plan_from_sqlite_rows(&rows, &p, &e), 0);
	assert_int_equal(p.nnodes, 3);
	assert_true(kid(kid(p.root, 0), 0)->flags & PLAN_TEMPORARY);
	plan_free(&p);
	char bb[4][2] = {"a", "b", "c", "d"};
	char *bad_names[4] = {bb[0], bb[1], bb[2], bb[3]};
	rows.names = bad_names;
	assert_int_equal(plan_from_sqlite_rows(&rows, &p, &e), -1);
	assert_contains(e.msg, "lack an id, parent or detail column");
	plan_free(&p);
}

/* ---- rendering and JSON ---- */

static void test_render(void **state)
{
	(void)state;
	struct plan p;
	load_pg("pg_sort_spill_analyze.json", &p);
	char *r = render(&p);
	assert_string_equal(r,
		"Sort  rows est 150000 \xe2\x86\x92 actual 150000  time 118 ms  [filesort, sort on disk 5008 kB]\n"
		"\xe2\x94\x82  sort key: amount, created_at (external merge, 5008 kB)\n"
		"\xe2\x94\x94\xe2\x94\x80 Seq Scan on orders  rows est 150000 \xe2\x86\x92 actual 150000  time 11.9 ms  [full scan]\n"
		"planning 0.275 ms, execution 124 ms\n");
	free(r);
	plan_free(&p);

	load_pg("pg_join_filesort_analyze.json", &p);
	r = render(&p);
	assert_contains(r, "\xe2\x94\x94\xe2\x94\x80 Sort  rows est 1509 \xe2\x86\x92 actual 20");
	assert_contains(r, "      \xe2\x94\x9c\xe2\x94\x80 Seq Scan on orders o  rows est 150000 \xe2\x86\x92 actual 150000  "
			   "time 7.3 ms  [full scan]\n");
	assert_contains(r, "         \xe2\x94\x94\xe2\x94\x80 Seq Scan on profiles p  rows est 503 \xe2\x86\x92 actual 500  "
			   "examined 50000  time 2.7 ms  [full scan]\n"
			   "               filter: (team_id = 7)\n");
	free(r);
	plan_free(&p);

	load_mysql("mariadb_join_filesort.json", &p);
	r = render(&p);
	assert_contains(r, "Full table scan on p (ALL)  rows est 50108  [full scan]");
	assert_contains(r, "Index lookup on o using idx_orders_profile (ref)  rows est 1  loops ~50108");
	free(r);
	plan_free(&p);

	load_mysql("mysql8_hand_tree_fullscan.txt", &p);
	r = render(&p);
	/* the tree's label already holds the condition: no "filter:" line */
	assert_null(strstr(r, "filter:"));
	free(r);
	plan_free(&p);

	struct plan empty;
	memset(&empty, 0, sizeof(empty));
	r = render(&empty);
	assert_string_equal(r, "(empty plan)\n");
	free(r);
}

static void test_json(void **state)
{
	(void)state;
	struct plan p;
	load_pg("pg_nested_loop_seq.json", &p);
	json_t *j = plan_to_json(&p);
	assert_string_equal(json_string_value(json_object_get(j, "dialect")), "postgres");
	assert_string_equal(json_string_value(json_object_get(j, "format")), "pg-json");
	assert_true(json_is_false(json_object_get(j, "analyzed")));
	assert_null(json_object_get(j, "execution_ms"));
	assert_int_equal(json_integer_value(json_object_get(j, "nodes")), 3);
	json_t *root = json_object_get(j, "root");
	assert_string_equal(json_string_value(json_object_get(root, "op")), "Nested Loop");
	assert_null(json_object_get(root, "act_rows")); /* unknowns are left out */
	assert_null(json_object_get(root, "relation"));
	json_t *kids = json_object_get(root, "children");
	assert_int_equal(json_array_size(kids), 2);
	json_t *teams = json_array_get(kids, 1);
	assert_int_equal(json_integer_value(json_object_get(teams, "id")), 2);
	assert_int_equal(json_integer_value(json_object_get(teams, "loops")), 2049);
	assert_true(json_is_true(json_object_get(teams, "loops_estimated")));
	json_t *flags = json_object_get(teams, "flags");
	assert_string_equal(json_string_value(json_array_get(flags, 0)), "full-scan");
	assert_null(json_object_get(teams, "children"));
	json_decref(j);

	struct plan_issue is[4];
	assert_int_equal(plan_issues(&p, is, 4), 1);
	j = plan_issue_to_json(&is[0]);
	assert_string_equal(json_string_value(json_object_get(j, "rule")), "nested-loop");
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "high");
	assert_int_equal(json_integer_value(json_object_get(j, "node")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "relation")), "teams");
	json_decref(j);
	plan_free(&p);

	load_pg("pg_fullscan_analyze.json", &p);
	j = plan_to_json(&p);
	root = json_object_get(j, "root");
	assert_near(json_number_value(json_object_get(root, "filtered_pct")), 0.1);
	assert_near(json_number_value(json_object_get(j, "execution_ms")), 3.248);
	assert_int_equal(json_integer_value(json_object_get(root, "rows_examined")), 50000);
	json_decref(j);
	plan_free(&p);

	assert_string_equal(plan_flag_name(PLAN_SORT_DISK), "sort-disk");
	assert_null(plan_flag_name(0x80000000u));
}

static void test_issue_cap(void **state)
{
	(void)state;
	struct plan p;
	load_mysql("mariadb_sort_spill_analyze.json", &p);
	struct plan_issue one_is;
	assert_int_equal(plan_issues(&p, &one_is, 1), 3);
	assert_string_equal(one_is.rule, "full-scan"); /* the most severe */
	assert_int_equal(plan_issues(&p, NULL, 0), 3);
	plan_free(&p);
}

/* ---- dispatch ---- */

static void test_dispatch(void **state)
{
	(void)state;
	struct plan p;
	struct perr e = {{0}};
	struct file f = load("mariadb_indexed.json");
	/* the mysql client's \G output: "EXPLAIN: {" */
	struct buf b = BUF_INIT;
	buf_puts(&b, "*************************** 1. row ***************************\nEXPLAIN: ");
	buf_put(&b, f.data, f.len);
	assert_int_equal(plan_parse(DB_MYSQL, f.data, f.len, 0, &p, &e), 0);
	assert_int_equal(p.format, PLAN_FMT_MYSQL_JSON);
	plan_free(&p);
	const char *json = strchr(buf_str(&b), 'E');
	assert_int_equal(plan_parse(DB_MYSQL, json, strlen(json), 0, &p, &e), 0);
	assert_int_equal(p.format, PLAN_FMT_MYSQL_JSON);
	plan_free(&p);
	buf_free(&b);
	free(f.data);

	f = load("mysql8_hand_tree_groupby.txt");
	assert_int_equal(plan_parse(DB_MYSQL, f.data, f.len, 1, &p, &e), 0);
	assert_int_equal(p.format, PLAN_FMT_MYSQL_TREE);
	plan_free(&p);
	free(f.data);

	f = load("pg_indexed.json");
	assert_int_equal(plan_parse(DB_PG, f.data, f.len, 0, &p, &e), 0);
	plan_free(&p);
	free(f.data);

	assert_int_equal(plan_parse(DB_SQLITE, "SCAN t", 6, 0, &p, &e), -1);
	assert_contains(e.msg, "EXPLAIN QUERY PLAN");
	plan_free(&p);
}

/* ---- malformed input ---- */

struct bad {
	int kind; /* 0 mysql json, 1 mysql tree, 2 pg */
	const char *text;
	const char *want;
};

static void test_malformed(void **state)
{
	(void)state;
	static const struct bad bad[] = {
		{0, "", "MySQL plan: the input is empty"},
		{0, "  \n\t", "the input is empty"},
		{0, "EXPLAIN:", "the input is empty"},
		{0, "{\"query_block\": {\"select_id\": 1,", "invalid JSON at line 1"},
		{0, "[]", "no \"query_block\" object"},
		{0, "{}", "no \"query_block\" object"},
		{0, "{\"query_block\": []}", "no \"query_block\" object"},
		{0, "42", "invalid JSON"},
		{0, "{\"query\": \"/* select#1 */ select 1\", \"operation\": \"Rows fetched before execution\", "
		    "\"inputs\": []}", "JSON format version 2"},
		{1, "", "no '->' line found"},
		{1, "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n", "no '->' line found"},
		{1, "{\"query_block\": {}}", "EXPLAIN ANALYZE"},
		{2, "", "PostgreSQL plan: the input is empty"},
		{2, "[", "invalid JSON"},
		{2, "[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Plans\": [{\"Node Type\": \"Sort\"", "invalid JSON"},
		{2, "[]", "the JSON list is empty"},
		{2, "{}", "no \"Plan\""},
		{2, "[42]", "no \"Plan\""},
		{2, "[{\"Plan\": 3}]", "a plan node is not an object"},
		{2, "[{\"Plan\": {\"Total Cost\": 3}}]", "no \"Node Type\""},
		{2, "[{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": 5}}]", "\"Plans\" is not a list"},
		{2, "[{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": [7]}}]", "a plan node is not an object"},
		{2, "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)", "invalid JSON"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct plan p;
		struct perr e = {{0}};
		const char *t = bad[i].text;
		int rc = bad[i].kind == 0   ? plan_parse_mysql_json(t, strlen(t), 0, &p, &e)
			 : bad[i].kind == 1 ? plan_parse_mysql_tree(t, strlen(t), &p, &e)
					    : plan_parse_pg_json(t, strlen(t), &p, &e);
		if (rc != -1)
			fail_msg("case %zu (%s) was accepted", i, t);
		assert_null(p.root);
		if (!strstr(e.msg, bad[i].want))
			fail_msg("case %zu: '%s' does not say '%s'", i, e.msg, bad[i].want);
		assert_contains(e.msg, "reading the ");
		/* the plan is empty and plan_free is safe, twice */
		plan_free(&p);
		plan_free(&p);
		struct found f;
		issues(&p, &f);
		assert_int_equal(f.n, 0);
	}

	/* every real fixture cut short fails cleanly */
	static const char *const fixtures[] = {"mariadb_subquery_analyze.json", "pg_groupby_analyze.json",
					       "mysql8_hand_json_join.json"};
	for (size_t i = 0; i < 3; i++) {
		struct file f = load(fixtures[i]);
		for (size_t cut = 0; cut < f.len - 1; cut += 7) {
			struct plan p;
			struct perr e = {{0}};
			int rc = fixtures[i][0] == 'p' ? plan_parse_pg_json(f.data, cut, &p, &e)
						       : plan_parse_mysql_json(f.data, cut, 0, &p, &e);
			assert_int_equal(rc, -1);
			assert_true(e.msg[0] != '\0');
			plan_free(&p);
		}
		free(f.data);
	}

	/* SQLite: a statement that reads no table has no plan rows — a plan of the root alone */
	struct plan p;
	struct perr e = {{0}};
	assert_int_equal(plan_from_sqlite_eqp(NULL, NULL, NULL, 0, &p, &e), 0);
	assert_int_equal(p.nnodes, 1);
	assert_string_equal(p.root->label, "QUERY PLAN");
	struct found f;
	issues(&p, &f);
	assert_int_equal(f.n, 0);
	char *r = render(&p);
	assert_string_equal(r, "QUERY PLAN\n");
	free(r);
	plan_free(&p);
}

static void test_limits(void **state)
{
	(void)state;
	struct plan p;
	struct perr e = {{0}};
	/* PostgreSQL plan nested 300 deep */
	struct buf b = BUF_INIT;
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "{\"Node Type\": \"Limit\", \"Plans\": [");
	buf_puts(&b, "{\"Node Type\": \"Result\"}");
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "]}");
	char *t = NULL;
	if (asprintf(&t, "[{\"Plan\": %s}]", buf_str(&b)) < 0)
		fail();
	assert_int_equal(plan_parse_pg_json(t, strlen(t), &p, &e), -1);
	assert_contains(e.msg, "nested deeper than");
	free(t);
	buf_free(&b);

	/* a tree 300 levels deep */
	for (int i = 0; i < 300; i++) {
		for (int s = 0; s < i * 4; s++)
			buf_putc(&b, ' ');
		buf_puts(&b, "-> Filter: (a > 1)  (cost=1 rows=1)\n");
	}
	assert_int_equal(plan_parse_mysql_tree(b.data, b.len, &p, &e), -1);
	assert_contains(e.msg, "nested deeper than");
	buf_free(&b);

	/* SQLite rows chained 300 deep */
	int id[300], parent[300];
	const char *detail[300];
	for (int i = 0; i < 300; i++) {
		id[i] = i + 1;
		parent[i] = i;
		detail[i] = "SCAN t";
	}
	assert_int_equal(plan_from_sqlite_eqp(id, parent, detail, 300, &p, &e), -1);
	assert_contains(e.msg, "nested deeper than");

	/* 150 deep is fine, and renders */
	assert_int_equal(plan_from_sqlite_eqp(id, parent, detail, 150, &p, &e), 0);
	char *r = render(&p);
	assert_true(strlen(r) > 150 * 10);
	free(r);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mariadb_fullscan),
		cmocka_unit_test(test_mariadb_indexed),
		cmocka_unit_test(test_mariadb_join_filesort),
		cmocka_unit_test(test_mariadb_groupby),
		cmocka_unit_test(test_mariadb_sort_spill),
		cmocka_unit_test(test_mariadb_subqueries),
		cmocka_unit_test(test_mariadb_block_nl),
		cmocka_unit_test(test_mysql8_json),
		cmocka_unit_test(test_mysql8_tree),
		cmocka_unit_test(test_pg_fullscan),
		cmocka_unit_test(test_pg_indexed),
		cmocka_unit_test(test_pg_join_filesort),
		cmocka_unit_test(test_pg_spills),
		cmocka_unit_test(test_pg_nested_loop),
		cmocka_unit_test(test_pg_estimates_parallel),
		cmocka_unit_test(test_sqlite_fullscan),
		cmocka_unit_test(test_sqlite_lookups),
		cmocka_unit_test(test_sqlite_sorts),
		cmocka_unit_test(test_sqlite_tree_rules),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_issue_cap),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
