/*
 * plan_mysql: MySQL and MariaDB plans read into the plan model — the JSON
 * of EXPLAIN FORMAT=JSON (MySQL 5.7/8.0, MariaDB; MariaDB's ANALYZE
 * FORMAT=JSON adds measured r_* figures) and the text tree of MySQL
 * 8.0.18+'s EXPLAIN ANALYZE / EXPLAIN FORMAT=TREE.
 *
 * The JSON is not a uniform tree: MySQL nests "query_block" → operations
 * ("ordering_operation", "grouping_operation", "duplicates_removal",
 * MariaDB's "filesort" and "temporary_table") → "nested_loop" (a list of
 * tables in join order) or a single "table"; tables hold subqueries
 * ("materialized_from_subquery", "materialized", "attached_subqueries") and
 * blocks hold more ("subqueries", "union_result" → "query_specifications").
 * Neither server documents the format fully and both add keys over time, so
 * the reader is a walk over every object: the keys it knows become nodes,
 * any other object or list is searched for them, scalars it does not know
 * are ignored. A plan from a newer server therefore still reads, with the
 * unknown parts simply absent.
 *
 * A "nested_loop" of two or more tables becomes one "nested loop" node with
 * the tables as children, outermost first; without ANALYZE each inner
 * table's loops are estimated as the rows the tables before it produce
 * (rows × filtered), which is how MySQL itself costs the join.
 *
 * MySQL 8.0 writes filtered and costs as strings ("100.00"), MariaDB as
 * numbers; both are read.
 *
 * The tree text is one iterator per line, "-> " at a column that gives its
 * depth, figures in trailing parentheses. It was written from the MySQL 8.0
 * reference manual's description and examples (no MySQL 8 server was at
 * hand); see tests/fixtures/plans/README.md.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const my_what = "MySQL plan";
static const char *const my_hint = "the output of 'EXPLAIN FORMAT=JSON' (or MariaDB 'ANALYZE FORMAT=JSON')";
static const char *const tree_what = "MySQL EXPLAIN ANALYZE tree";
static const char *const tree_hint = "the output of 'EXPLAIN ANALYZE' or 'EXPLAIN FORMAT=TREE'";

#define WALK_MAX_DEPTH 512

struct mj {
	struct plan *p;
	struct perr *e;
};

static int mj_walk(struct mj *m, const json_t *v, struct plan_node *parent, int depth, int sub);

static int is_true(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Attach n under parent; the first node without a parent becomes the root. */
static int mj_attach(struct mj *m, struct plan_node *parent, struct plan_node *n)
{
	if (!parent) {
		if (!m->p->root) {
			m->p->root = n;
			return 0;
		}
		parent = m->p->root;
	}
	return plan_node_add_(m->p, parent, n, m->e);
}

static const char *access_words(const char *at)
{
	static const struct {
		const char *type, *words;
	} t[] = {
		{"ALL", "Full table scan"},        {"index", "Full index scan"},
		{"range", "Range scan"},           {"ref", "Index lookup"},
		{"eq_ref", "Unique index lookup"}, {"const", "Constant lookup"},
		{"system", "System table"},        {"ref_or_null", "Index lookup (or NULL)"},
		{"index_merge", "Index merge"},    {"fulltext", "Full-text search"},
		{"unique_subquery", "Subquery unique lookup"},
		{"index_subquery", "Subquery index lookup"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(at, t[i].type) == 0)
			return t[i].words;
	if (strncmp(at, "hash_", 5) == 0)
		return "Hash join lookup";
	return "Access";
}

/* "(a=x, b=y)" from used_key_parts and ref, when they pair up. */
static const char *ref_cond(struct plan *p, const json_t *t)
{
	json_t *parts = json_object_get(t, "used_key_parts");
	json_t *ref = json_object_get(t, "ref");
	if (!json_is_array(parts) || !json_is_array(ref) || json_array_size(ref) == 0 ||
	    json_array_size(ref) > json_array_size(parts))
		return NULL;
	struct buf b = BUF_INIT;
	buf_putc(&b, '(');
	for (size_t i = 0; i < json_array_size(ref); i++) {
		json_t *k = json_array_get(parts, i), *r = json_array_get(ref, i);
		if (!json_is_string(k) || !json_is_string(r)) {
			buf_free(&b);
			return NULL;
		}
		buf_printf(&b, "%s%s=%s", i ? ", " : "", json_string_value(k), json_string_value(r));
	}
	buf_putc(&b, ')');
	const char *s = arena_strdup(&p->arena, buf_str(&b));
	buf_free(&b);
	return s;
}

/* The time MariaDB measured for a node, over all its loops. */
static double r_time(const json_t *o)
{
	double t = plan_jnum_(o, "r_total_time_ms", -1);
	if (t >= 0)
		return t;
	double a = plan_jnum_(o, "r_table_time_ms", -1), b = plan_jnum_(o, "r_other_time_ms", -1);
	if (a < 0 && b < 0)
		return -1;
	return (a > 0 ? a : 0) + (b > 0 ? b : 0);
}

static void mark_analyzed(struct mj *m, const json_t *o)
{
	if (json_object_get(o, "r_loops") || json_object_get(o, "r_rows"))
		m->p->analyzed = 1;
}

/* One table access; block: the enclosing MariaDB "block-nl-join", or NULL. */
static int mj_table(struct mj *m, const json_t *t, const json_t *block, struct plan_node *parent, int depth,
		    int sub)
{
	struct plan *p = m->p;
	const char *name = plan_jstr_(p, t, "table_name");
	const char *at = plan_jstr_(p, t, "access_type");
	struct plan_node *n = plan_node_new_(p, at ? at : "table");
	if (mj_attach(m, parent, n) < 0)
		return -1;
	mark_analyzed(m, t);
	n->relation = name;
	n->index = plan_jstr_(p, t, "key");
	if (sub)
		n->flags |= PLAN_SUBQUERY;

	n->est_rows = plan_jnum_(t, "rows_examined_per_scan", plan_jnum_(t, "rows", -1));
	n->act_rows = plan_jnum_(t, "r_rows", -1);
	n->loops = plan_jnum_(t, "r_loops", -1);
	n->time_ms = r_time(t);
	double filtered = plan_jnum_(t, "filtered", -1);
	double r_filtered = plan_jnum_(t, "r_filtered", -1);
	n->filtered_pct = r_filtered >= 0 ? r_filtered : filtered;
	if (block) {
		double bf = plan_jnum_(block, "r_filtered", -1);
		if (bf >= 0 && n->filtered_pct >= 0)
			n->filtered_pct = n->filtered_pct * bf / 100;
		mark_analyzed(m, block);
	}
	n->rows_examined = n->act_rows >= 0 ? n->act_rows : n->est_rows;
	json_t *ci = json_object_get(t, "cost_info");
	if (ci) {
		double rc = plan_jnum_(ci, "read_cost", -1), ec = plan_jnum_(ci, "eval_cost", -1);
		if (rc >= 0 || ec >= 0)
			n->cost = (rc > 0 ? rc : 0) + (ec > 0 ? ec : 0);
	} else {
		n->cost = plan_jnum_(t, "cost", -1);
	}

	n->cond = ref_cond(p, t);
	const char *icond = plan_jstr_(p, t, "index_condition");
	if (icond)
		n->cond = n->cond ? arena_printf(&p->arena, "%s; index condition: %s", n->cond, icond) : icond;
	n->filter = plan_jstr_(p, t, "attached_condition");
	n->detail = plan_jstr_(p, t, "message");

	if (at && strcmp(at, "ALL") == 0 && !(name && name[0] == '<'))
		n->flags |= PLAN_FULL_SCAN;
	if (at && strcmp(at, "index") == 0)
		n->flags |= PLAN_INDEX_SCAN;
	if (is_true(t, "using_index"))
		n->flags |= PLAN_INDEX_ONLY;
	if (is_true(t, "using_filesort"))
		n->flags |= PLAN_FILESORT;
	if (is_true(t, "using_temporary_table"))
		n->flags |= PLAN_TEMPORARY;
	const char *jb = plan_jstr_(p, t, "using_join_buffer");
	if (jb || block) {
		n->flags |= PLAN_JOIN_BUFFER;
		const char *jt = block ? plan_jstr_(p, block, "join_type") : jb;
		const char *bsize = block ? plan_jstr_(p, block, "buffer_size") : NULL;
		const char *bcond = block ? plan_jstr_(p, block, "attached_condition") : NULL;
		if (bcond)
			n->cond = n->cond ? arena_printf(&p->arena, "%s; join: %s", n->cond, bcond) : bcond;
		if (jt)
			n->detail = arena_printf(&p->arena, "join buffer: %s%s%s%s", jt, bsize ? " (" : "",
						 bsize ? bsize : "", bsize ? ")" : "");
	}
	if (json_object_get(t, "materialized_from_subquery") || json_object_get(t, "materialized"))
		n->flags |= PLAN_SUBQUERY;

	if (name) {
		struct buf b = BUF_INIT;
		if (at)
			buf_printf(&b, "%s on %s", access_words(at), name);
		else
			buf_printf(&b, "Table %s", name);
		if (n->index)
			buf_printf(&b, " using %s", n->index);
		if (at)
			buf_printf(&b, " (%s)", at);
		n->label = arena_strdup(&p->arena, buf_str(&b));
		buf_free(&b);
	}
	/* subqueries and derived tables hanging from the table */
	return mj_walk(m, t, n, depth + 1, 0);
}

/* Loops of each inner table from the rows the tables before it produce. */
static void mj_estimate_loops(struct plan_node *join)
{
	double outer = 1;
	for (size_t i = 0; i < join->nkids; i++) {
		struct plan_node *k = join->kids[i];
		if (i > 0 && k->loops < 0 && !(k->flags & PLAN_JOIN_BUFFER)) {
			k->loops = outer > 1e18 ? 1e18 : outer;
			k->flags |= PLAN_EST_LOOPS;
		}
		/* a read_sorted_file / filesort wraps its table */
		const struct plan_node *t = k;
		while (t->est_rows < 0 && t->nkids == 1)
			t = t->kids[0];
		if (t->est_rows < 0)
			return;
		double out = t->est_rows * (t->filtered_pct >= 0 ? t->filtered_pct / 100 : 1);
		outer *= out < 1 ? 1 : out;
	}
}

/*
 * A node for an operation object o (filesort, GROUP BY, ...) attached
 * under parent, with its r_* loops and time. NULL on error (e set).
 */
static struct plan_node *mj_op_node(struct mj *m, struct plan_node *parent, const char *op, const char *label,
				    const json_t *o)
{
	struct plan_node *n = plan_node_new_(m->p, op);
	n->label = label ? arena_strdup(&m->p->arena, label) : NULL;
	if (mj_attach(m, parent, n) < 0)
		return NULL;
	mark_analyzed(m, o);
	n->loops = plan_jnum_(o, "r_loops", -1);
	n->time_ms = r_time(o);
	return n;
}

/*
 * The node(s) for one key of a plan object, under parent. Returns 0 when
 * the key was ours (and walked), 1 when it is not (the caller searches
 * its value), -1 on error (e set).
 */
static int mj_key(struct mj *m, const char *key, const json_t *v, struct plan_node *parent, int depth, int sub)
{
	struct plan *p = m->p;
	struct plan_node *n;
	if (strcmp(key, "query_block") == 0 && json_is_object(v)) {
		double id = plan_jnum_(v, "select_id", -1);
		const char *opname = plan_jstr_(p, v, "operation");
		const char *label = id >= 0 ? arena_printf(&p->arena, "Select #%.0f%s%s%s", id, opname ? " (" : "",
							   opname ? opname : "", opname ? ")" : "")
					    : "Select";
		if (!(n = mj_op_node(m, parent, "select", label, v)))
			return -1;
		if (sub)
			n->flags |= PLAN_SUBQUERY;
		json_t *ci = json_object_get(v, "cost_info");
		n->cost = ci ? plan_jnum_(ci, "query_cost", -1) : plan_jnum_(v, "cost", -1);
		n->filter = plan_jstr_(p, v, "having_condition");
		if (!n->filter)
			n->filter = plan_jstr_(p, v, "outer_ref_condition");
		n->detail = plan_jstr_(p, v, "message");
		return mj_walk(m, v, n, depth + 1, 0);
	}
	if (strcmp(key, "table") == 0 && json_is_object(v))
		return mj_table(m, v, NULL, parent, depth, sub);
	if (strcmp(key, "block-nl-join") == 0 && json_is_object(v)) {
		json_t *t = json_object_get(v, "table");
		if (!json_is_object(t))
			return mj_walk(m, v, parent, depth + 1, sub);
		return mj_table(m, t, v, parent, depth, sub);
	}
	if (strcmp(key, "nested_loop") == 0 && json_is_array(v)) {
		if (json_array_size(v) < 2)
			return mj_walk(m, v, parent, depth + 1, sub);
		if (!(n = mj_op_node(m, parent, "nested loop", NULL, v)))
			return -1;
		n->flags |= PLAN_JOIN_LOOP;
		if (mj_walk(m, v, n, depth + 1, sub) < 0)
			return -1;
		n->label = arena_printf(&p->arena, "Nested loop (%zu tables)", n->nkids);
		if (!p->analyzed)
			mj_estimate_loops(n);
		return 0;
	}
	if (strcmp(key, "filesort") == 0 && json_is_object(v)) {
		if (!(n = mj_op_node(m, parent, "filesort", "Filesort", v)))
			return -1;
		n->flags |= PLAN_FILESORT;
		const char *sk = plan_jstr_(p, v, "sort_key");
		if (sk)
			n->detail = arena_printf(&p->arena, "sort key: %s", sk);
		n->act_rows = plan_jnum_(v, "r_output_rows", -1);
		if (is_true(v, "r_used_priority_queue"))
			n->sort_method = "priority queue";
		double passes = plan_jnum_(v, "r_sort_passes", -1);
		if (passes > 0) {
			n->flags |= PLAN_SORT_DISK;
			n->batches = (long long)passes;
		}
		return mj_walk(m, v, n, depth + 1, sub);
	}
	if (strcmp(key, "temporary_table") == 0 && json_is_object(v)) {
		if (!(n = mj_op_node(m, parent, "temporary table", "Temporary table", v)))
			return -1;
		n->flags |= PLAN_TEMPORARY;
		return mj_walk(m, v, n, depth + 1, sub);
	}
	if ((strcmp(key, "ordering_operation") == 0 || strcmp(key, "grouping_operation") == 0 ||
	     strcmp(key, "duplicates_removal") == 0) &&
	    (json_is_object(v) || json_is_array(v))) {
		int fs = is_true(v, "using_filesort"), tmp = is_true(v, "using_temporary_table");
		int order = key[0] == 'o';
		if (order && !fs && !tmp)
			return mj_walk(m, v, parent, depth + 1, sub); /* rows already come in order */
		const char *op = order ? "order by" : key[0] == 'g' ? "group by" : "distinct";
		const char *label = order ? "ORDER BY" : key[0] == 'g' ? "GROUP BY" : "DISTINCT";
		if (!(n = mj_op_node(m, parent, op, label, v)))
			return -1;
		if (fs)
			n->flags |= PLAN_FILESORT;
		if (tmp)
			n->flags |= PLAN_TEMPORARY;
		json_t *ci = json_object_get(v, "cost_info");
		if (ci)
			n->cost = plan_jnum_(ci, "sort_cost", -1);
		return mj_walk(m, v, n, depth + 1, sub);
	}
	if (strcmp(key, "union_result") == 0 && json_is_object(v)) {
		const char *tn = plan_jstr_(p, v, "table_name");
		const char *label = tn ? arena_printf(&p->arena, "Union result %s", tn) : "Union result";
		if (!(n = mj_op_node(m, parent, "union", label, v)))
			return -1;
		if (is_true(v, "using_temporary_table"))
			n->flags |= PLAN_TEMPORARY;
		n->act_rows = plan_jnum_(v, "r_rows", -1);
		return mj_walk(m, v, n, depth + 1, sub);
	}
	if (strcmp(key, "query_optimization") == 0 && json_is_object(v)) {
		if (!parent)
			p->planning_ms = plan_jnum_(v, "r_total_time_ms", -1);
		return 0;
	}
	return 1; /* not a key of ours */
}

/*
 * Walk v for nodes under parent. sub: v sits under a subquery key, so the
 * blocks found are subqueries.
 */
static int mj_walk(struct mj *m, const json_t *v, struct plan_node *parent, int depth, int sub)
{
	if (depth > WALK_MAX_DEPTH)
		return perr_set(m->e, "reading the %s: nested deeper than %d levels; explain a smaller statement",
				my_what, WALK_MAX_DEPTH);
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if ((json_is_object(x) || json_is_array(x)) && mj_walk(m, x, parent, depth + 1, sub) < 0)
				return -1;
		}
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x)
	{
		if (!json_is_object(x) && !json_is_array(x))
			continue;
		int rc = mj_key(m, k, x, parent, depth, sub);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		int s = sub || strstr(k, "subquer") || strstr(k, "materialized") || strcmp(k, "derived") == 0;
		if (mj_walk(m, x, parent, depth + 1, s) < 0)
			return -1;
	}
	return 0;
}

int plan_parse_mysql_json(const char *text, size_t len, int analyzed, struct plan *p, struct perr *e)
{
	plan_reset_(p, DB_MYSQL, PLAN_FMT_MYSQL_JSON);
	json_t *j = plan_json_load_(text, len, my_what, my_hint, e);
	if (!j)
		return -1;
	if (!json_is_object(j) || !json_is_object(json_object_get(j, "query_block"))) {
		int v2 = json_is_object(j) && (json_object_get(j, "operation") || json_object_get(j, "inputs"));
		json_decref(j);
		if (v2)
			return perr_set(e, "reading the %s: this is MySQL's JSON format version 2, which is not read; "
					"run 'SET explain_json_format_version = 1' first, or pass 'EXPLAIN FORMAT=TREE' text",
					my_what);
		return perr_set(e, "reading the %s: no \"query_block\" object in the JSON; pass %s", my_what, my_hint);
	}
	p->analyzed = analyzed ? 1 : 0;
	struct mj m = {p, e};
	int rc = mj_walk(&m, j, NULL, 0, 0);
	json_decref(j);
	if (rc == 0)
		rc = plan_finish_(p, e);
	if (rc < 0) {
		plan_free(p);
		return -1;
	}
	if (p->analyzed)
		p->execution_ms = p->root->time_ms;
	return 0;
}

/* ---- EXPLAIN ANALYZE / FORMAT=TREE ---- */

static int all_of(const char *s, const char *e, const char *set)
{
	for (; s < e; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

/*
 * The column of the line's "->" marker, or -1 for a line without one:
 * only white space, table borders, quotes or an "EXPLAIN:" label may
 * precede it.
 */
static long arrow_at(const char *line)
{
	const char *a = strstr(line, "->");
	if (!a)
		return -1;
	static const char allowed[] = " \t|*'\"+-";
	if (all_of(line, a, allowed))
		return a - line;
	const char *l = line;
	while (l < a && strchr(allowed, *l))
		l++;
	static const char *const labels[] = {"EXPLAIN:", "ANALYZE:"};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(labels[i]);
		if ((size_t)(a - l) >= n && strncasecmp(l, labels[i], n) == 0 && all_of(l + n, a, " \t"))
			return a - line;
	}
	return -1;
}

/* Read "key=A" or "key=A..B" in s: B (or A); -1 when key is missing. */
static double figure(const char *s, const char *key)
{
	const char *k = s;
	size_t kl = strlen(key);
	for (;;) {
		k = strstr(k, key);
		if (!k)
			return -1;
		if (k == s || k[-1] == ' ' || k[-1] == '(')
			break;
		k += kl;
	}
	char *end;
	double a = strtod(k + kl, &end);
	if (end == k + kl)
		return -1;
	if (end[-1] == '.' && end[0] == '.')
		end--; /* "4170..4198": strtod took "4170." */
	if (end[0] == '.' && end[1] == '.') {
		char *e2;
		double b = strtod(end + 2, &e2);
		if (e2 != end + 2)
			return b;
	}
	return a;
}

/*
 * Take the trailing "(cost=...)", "(actual ...)" and "(never executed)"
 * groups off s (cut in place) and store their figures in n.
 */
static void tree_stats(struct plan *p, char *s, struct plan_node *n)
{
	for (;;) {
		size_t l = strlen(s);
		while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
			s[--l] = '\0';
		if (!l || s[l - 1] != ')')
			return;
		size_t i = l - 1;
		int depth = 0;
		for (;;) {
			if (s[i] == ')')
				depth++;
			else if (s[i] == '(' && --depth == 0)
				break;
			if (i == 0)
				return;
			i--;
		}
		char *in = s + i + 1;
		s[l - 1] = '\0';
		if (strncmp(in, "cost=", 5) == 0 || strncmp(in, "rows=", 5) == 0) {
			n->cost = figure(in, "cost=");
			n->est_rows = figure(in, "rows=");
		} else if (strncmp(in, "actual ", 7) == 0) {
			p->analyzed = 1;
			double t = figure(in, "time=");
			n->act_rows = figure(in, "rows=");
			n->loops = figure(in, "loops=");
			if (t >= 0)
				n->time_ms = t * (n->loops > 0 ? n->loops : 1);
		} else if (strncmp(in, "never executed", 14) == 0) {
			p->analyzed = 1;
			n->flags |= PLAN_NEVER_EXECUTED;
			n->loops = 0;
		} else {
			s[l - 1] = ')'; /* part of the operation's own text */
			return;
		}
		s[i] = '\0';
	}
}

/* Split the iterator text into op, relation, index, condition, filter or detail. */
static void tree_op(struct plan *p, struct plan_node *n, const char *text)
{
	n->label = arena_strdup(&p->arena, text);
	const char *colon = strstr(text, ": ");
	const char *paren = strchr(text, '(');
	const char *on = strstr(text, " on ");
	if (strncmp(text, "Filter: ", 8) == 0) {
		n->op = "Filter";
		n->filter = arena_strdup(&p->arena, text + 8);
	} else if (colon && (!paren || colon < paren) && (!on || colon < on)) {
		n->op = arena_strndup(&p->arena, text, (size_t)(colon - text));
		n->detail = arena_strdup(&p->arena, colon + 2);
	} else if (on && (!paren || on < paren)) {
		n->op = arena_strndup(&p->arena, text, (size_t)(on - text));
		const char *r = on + 4;
		size_t rl = strcspn(r, " ");
		n->relation = arena_strndup(&p->arena, r, rl);
		r += rl;
		if (strncmp(r, " using ", 7) == 0) {
			r += 7;
			size_t il = strcspn(r, " ");
			n->index = arena_strndup(&p->arena, r, il);
			r += il;
		}
		while (*r == ' ' || *r == ',')
			r++;
		if (*r)
			n->cond = arena_strdup(&p->arena, r);
	} else if (paren && paren > text && strstr(text, "join (") == paren - 5) {
		n->op = arena_strndup(&p->arena, text, (size_t)(paren - text - 1));
		n->cond = arena_strdup(&p->arena, paren);
	} else {
		n->op = n->label;
	}
	const char *op = n->op;
	if (strcmp(op, "Table scan") == 0 && !(n->relation && n->relation[0] == '<'))
		n->flags |= PLAN_FULL_SCAN;
	if (strncasecmp(op, "Index scan", 10) == 0 || strncasecmp(op, "Covering index scan", 19) == 0)
		n->flags |= PLAN_INDEX_SCAN;
	if (strncasecmp(op, "Covering", 8) == 0)
		n->flags |= PLAN_INDEX_ONLY;
	if (strncmp(op, "Sort", 4) == 0)
		n->flags |= PLAN_FILESORT;
	if (strcasestr(op, "temporary table"))
		n->flags |= PLAN_TEMPORARY;
	if (strncasecmp(op, "Nested loop", 11) == 0)
		n->flags |= PLAN_JOIN_LOOP;
	if (strncmp(op, "Select #", 8) == 0)
		n->flags |= PLAN_SUBQUERY;
}

/* A Filter reads what its input returns: that is what it examines. */
static void tree_filters(struct plan *p, struct plan_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		tree_filters(p, n->kids[i]);
	if (strcmp(n->op, "Filter") != 0 || n->nkids == 0)
		return;
	const struct plan_node *k = n->kids[0];
	double in = p->analyzed ? k->act_rows : k->est_rows;
	double out = p->analyzed ? n->act_rows : n->est_rows;
	if (in < 0 || out < 0 || (n->flags & PLAN_NEVER_EXECUTED))
		return;
	n->rows_examined = in;
	if (in > 0)
		n->filtered_pct = out >= in ? 100 : out / in * 100;
}

int plan_parse_mysql_tree(const char *text, size_t len, struct plan *p, struct perr *e)
{
	plan_reset_(p, DB_MYSQL, PLAN_FMT_MYSQL_TREE);
	struct plan_node *stack[PLAN_MAX_DEPTH + 1];
	long indent[PLAN_MAX_DEPTH + 1];
	size_t sp = 0;
	struct plan_node *last = NULL;
	struct buf line = BUF_INIT;
	const char *s = text, *end = text + len;
	int rc = 0;
	while (s < end && rc == 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		buf_reset(&line);
		buf_put(&line, s, (size_t)(le - s));
		s = nl ? nl + 1 : end;
		char *l = line.data;
		if (!l)
			continue; /* an empty line; an embedded NUL ends a line early */
		long col = arrow_at(l);
		if (col < 0) {
			/* the manual's examples wrap "(actual ...)" onto a line of its own */
			while (*l == ' ' || *l == '\t')
				l++;
			if (last && (strncmp(l, "(actual ", 8) == 0 || strncmp(l, "(cost=", 6) == 0 ||
				     strncmp(l, "(never executed)", 16) == 0))
				tree_stats(p, l, last);
			continue;
		}
		char *body = l + col + 2;
		while (*body == ' ' || *body == '\t')
			body++;
		/* trailing white space, table borders, closing quotes */
		size_t bl = strlen(body);
		while (bl && strchr(" \t\r|'\"", body[bl - 1]))
			body[--bl] = '\0';
		struct plan_node *n = plan_node_new_(p, "?");
		tree_stats(p, body, n);
		bl = strlen(body);
		while (bl && (body[bl - 1] == ' ' || body[bl - 1] == '\t'))
			body[--bl] = '\0';
		tree_op(p, n, bl ? body : "?");
		last = n;
		if (!p->root) {
			p->root = n;
			stack[0] = n;
			indent[0] = -1;
			sp = 1;
			continue;
		}
		while (sp > 1 && indent[sp - 1] >= col)
			sp--;
		if (sp > PLAN_MAX_DEPTH) {
			rc = perr_set(e, "reading the %s: nested deeper than %d levels; explain a smaller statement",
				      tree_what, PLAN_MAX_DEPTH);
			break;
		}
		rc = plan_node_add_(p, stack[sp - 1], n, e);
		stack[sp] = n;
		indent[sp] = col;
		sp++;
	}
	buf_free(&line);
	if (rc == 0 && !p->root)
		rc = perr_set(e, "reading the %s: no '->' line found; pass %s", tree_what, tree_hint);
	if (rc == 0)
		rc = plan_finish_(p, e);
	if (rc < 0) {
		plan_free(p);
		return -1;
	}
	tree_filters(p, p->root);
	if (p->analyzed)
		p->execution_ms = p->root->time_ms;
	plan_estimate_loops_(p);
	return 0;
}
