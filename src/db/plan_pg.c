/*
 * plan_pg: PostgreSQL's EXPLAIN (FORMAT JSON) read into the plan model.
 *
 * The JSON is a one-element array (or, from some clients, the object
 * itself) holding "Plan" — a node with "Node Type", its figures and its
 * children under "Plans" — and, with ANALYZE, "Planning Time" and
 * "Execution Time". Field names are PostgreSQL's (src/backend/commands/
 * explain.c), stable since 9.x; unknown fields are ignored, so newer
 * servers read as well.
 *
 * Labels follow PostgreSQL's own text format ("Parallel Seq Scan on orders
 * o", "Index Scan using idx on orders o", "Hash Left Join",
 * "HashAggregate"), so a user sees the names they know.
 *
 * Per-loop figures stay per loop as PostgreSQL gives them (Actual Rows,
 * Rows Removed by Filter are averages over Actual Loops); time_ms is made
 * the total over loops, except under Gather where loops are parallel
 * workers running at the same time.
 */
#include "plan.h"

#include <string.h>

static const char *const pg_what = "PostgreSQL plan";
static const char *const pg_hint = "the output of 'EXPLAIN (FORMAT JSON)'";

/* "a, b" from a JSON array of strings, or the string itself; NULL when neither. */
static const char *str_or_list(struct plan *p, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return NULL;
	if (json_is_string(v))
		return arena_strndup(&p->arena, json_string_value(v), json_string_length(v));
	if (!json_is_array(v))
		return NULL;
	struct buf b = BUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			continue;
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, json_string_value(x));
	}
	const char *s = b.len ? arena_strdup(&p->arena, buf_str(&b)) : NULL;
	buf_free(&b);
	return s;
}

static const char *join_name(struct plan *p, const char *type, const char *jt)
{
	const char *base = strcmp(type, "Nested Loop") == 0 ? "Nested Loop"
			   : strcmp(type, "Hash Join") == 0 ? "Hash"
							     : "Merge";
	if (!jt || strcmp(jt, "Inner") == 0)
		return type;
	return arena_printf(&p->arena, "%s %s Join", base, jt);
}

static void pg_label(struct plan *p, struct plan_node *n, const json_t *o)
{
	const char *type = n->op;
	const char *name = type;
	const char *strategy = plan_jstr_(p, o, "Strategy");
	if (strcmp(type, "Aggregate") == 0 && strategy) {
		if (strcmp(strategy, "Sorted") == 0)
			name = "GroupAggregate";
		else if (strcmp(strategy, "Hashed") == 0)
			name = "HashAggregate";
		else if (strcmp(strategy, "Mixed") == 0)
			name = "MixedAggregate";
	} else if (strcmp(type, "SetOp") == 0 && strategy && strcmp(strategy, "Hashed") == 0) {
		name = "HashSetOp";
	} else if (strcmp(type, "Nested Loop") == 0 || strcmp(type, "Hash Join") == 0 ||
		   strcmp(type, "Merge Join") == 0) {
		name = join_name(p, type, plan_jstr_(p, o, "Join Type"));
	} else if (strcmp(type, "ModifyTable") == 0) {
		const char *op = plan_jstr_(p, o, "Operation");
		if (op)
			name = op;
	}
	struct buf b = BUF_INIT;
	const char *sub = plan_jstr_(p, o, "Subplan Name");
	if (sub)
		buf_printf(&b, "[%s] ", sub);
	const char *partial = plan_jstr_(p, o, "Partial Mode");
	if (partial && strcmp(partial, "Simple") != 0)
		buf_printf(&b, "%s ", partial);
	json_t *pa = json_object_get(o, "Parallel Aware");
	if (pa && json_is_true(pa))
		buf_puts(&b, "Parallel ");
	buf_puts(&b, name);
	const char *dir = plan_jstr_(p, o, "Scan Direction");
	if (dir && strcmp(dir, "Backward") == 0 && n->index)
		buf_puts(&b, " Backward");
	if (n->index && strcmp(type, "Bitmap Index Scan") == 0)
		buf_printf(&b, " on %s", n->index);
	else if (n->index)
		buf_printf(&b, " using %s", n->index);
	const char *fn = plan_jstr_(p, o, "Function Name");
	if (n->relation)
		buf_printf(&b, " on %s", n->relation);
	else if (fn)
		buf_printf(&b, " on %s", fn);
	if (n->alias)
		buf_printf(&b, " %s", n->alias);
	n->label = arena_strdup(&p->arena, buf_str(&b));
	buf_free(&b);
}

/* The first of keys present, as a string. */
static const char *first_str(struct plan *p, const json_t *o, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = plan_jstr_(p, o, *keys);
		if (s)
			return s;
	}
	return NULL;
}

static void pg_sort(struct plan *p, struct plan_node *n, const json_t *o)
{
	n->sort_method = plan_jstr_(p, o, "Sort Method");
	double space = plan_jnum_(o, "Sort Space Used", -1);
	if (space >= 0)
		n->sort_space_kb = (long long)space;
	const char *type = plan_jstr_(p, o, "Sort Space Type");
	if ((type && strcmp(type, "Disk") == 0) || (n->sort_method && strncmp(n->sort_method, "external", 8) == 0))
		n->flags |= PLAN_SORT_DISK;
	/* a worker may spill where the leader did not */
	json_t *workers = json_object_get(o, "Workers");
	size_t i;
	json_t *w;
	if (json_is_array(workers)) {
		json_array_foreach(workers, i, w)
		{
			const char *wt = plan_jstr_(p, w, "Sort Space Type");
			double ws = plan_jnum_(w, "Sort Space Used", -1);
			if (wt && strcmp(wt, "Disk") == 0) {
				n->flags |= PLAN_SORT_DISK;
				if (ws > (double)n->sort_space_kb || !(n->sort_method && strncmp(n->sort_method, "external", 8) == 0)) {
					n->sort_space_kb = (long long)ws;
					n->sort_method = plan_jstr_(p, w, "Sort Method");
				}
			}
		}
	}
}

/*
 * The share of a parallel plan's rows one process sees, as PostgreSQL's
 * planner divides them (get_parallel_divisor, leader participating).
 */
static double parallel_divisor(double workers)
{
	double leader = 1 - 0.3 * workers;
	return workers + (leader > 0 ? leader : 0);
}

/* parallel: under a Gather; workers: the Gather's planned workers. */
static int pg_node(struct plan *p, const json_t *o, struct plan_node *parent, int depth, int parallel,
		   double workers, struct plan_node **out, struct perr *e)
{
	if (depth > PLAN_MAX_DEPTH)
		return perr_set(e, "reading the %s: nested deeper than %d levels; explain a smaller statement",
				pg_what, PLAN_MAX_DEPTH);
	if (!json_is_object(o))
		return perr_set(e, "reading the %s: a plan node is not an object; pass %s", pg_what, pg_hint);
	const char *type = plan_jstr_(p, o, "Node Type");
	if (!type)
		return perr_set(e, "reading the %s: a plan node has no \"Node Type\"; pass %s", pg_what, pg_hint);
	struct plan_node *n = plan_node_new_(p, type);
	if (parent && plan_node_add_(p, parent, n, e) < 0)
		return -1;
	*out = n;

	n->relation = first_str(p, o, (const char *const[]){"Relation Name", "CTE Name", "Tuplestore Name", NULL});
	const char *alias = plan_jstr_(p, o, "Alias");
	if (alias && (!n->relation || strcmp(alias, n->relation) != 0))
		n->alias = alias;
	n->index = plan_jstr_(p, o, "Index Name");
	n->cond = first_str(p, o, (const char *const[]){"Index Cond", "Hash Cond", "Merge Cond", "Recheck Cond",
							 "TID Cond", NULL});
	const char *jf = plan_jstr_(p, o, "Join Filter");
	const char *f = plan_jstr_(p, o, "Filter");
	if (jf && f)
		n->filter = arena_printf(&p->arena, "%s; %s", jf, f);
	else
		n->filter = jf ? jf : f ? f : plan_jstr_(p, o, "One-Time Filter");
	static const struct {
		const char *key, *label;
	} details[] = {
		{"Sort Key", "sort key"}, {"Group Key", "group key"}, {"Cache Key", "cache key"},
		{"Hash Key", "hash key"}, {"Presorted Key", "presorted key"},
	};
	for (size_t i = 0; i < sizeof(details) / sizeof(details[0]) && !n->detail; i++) {
		const char *d = str_or_list(p, o, details[i].key);
		if (d)
			n->detail = arena_printf(&p->arena, "%s: %s", details[i].label, d);
	}
	pg_label(p, n, o);

	n->est_rows = plan_jnum_(o, "Plan Rows", -1);
	n->cost = plan_jnum_(o, "Total Cost", -1);
	double loops = plan_jnum_(o, "Actual Loops", -1);
	if (loops >= 0) {
		p->analyzed = 1;
		n->loops = loops;
		if (loops == 0) {
			n->flags |= PLAN_NEVER_EXECUTED;
		} else {
			n->act_rows = plan_jnum_(o, "Actual Rows", -1);
			double t = plan_jnum_(o, "Actual Total Time", -1);
			if (t >= 0)
				n->time_ms = parallel ? t : t * loops;
		}
	}
	double removed = -1;
	static const char *const removed_keys[] = {"Rows Removed by Filter", "Rows Removed by Join Filter",
						   "Rows Removed by Index Recheck"};
	for (size_t i = 0; i < 3; i++) {
		double r = plan_jnum_(o, removed_keys[i], -1);
		if (r >= 0)
			removed = (removed < 0 ? 0 : removed) + r;
	}
	if (removed >= 0 && n->act_rows >= 0) {
		n->rows_examined = n->act_rows + removed;
		if (n->rows_examined > 0)
			n->filtered_pct = n->act_rows / n->rows_examined * 100;
	}

	if (strcmp(type, "Seq Scan") == 0)
		n->flags |= PLAN_FULL_SCAN;
	if (strcmp(type, "Index Only Scan") == 0)
		n->flags |= PLAN_INDEX_ONLY;
	if ((strcmp(type, "Index Scan") == 0 || strcmp(type, "Index Only Scan") == 0) && !n->cond)
		n->flags |= PLAN_INDEX_SCAN;
	if (strcmp(type, "Sort") == 0 || strcmp(type, "Incremental Sort") == 0) {
		n->flags |= PLAN_FILESORT;
		pg_sort(p, n, o);
	}
	if (strcmp(type, "Nested Loop") == 0)
		n->flags |= PLAN_JOIN_LOOP;
	double hb = plan_jnum_(o, "Hash Batches", -1);
	if (hb > 1) {
		n->flags |= PLAN_HASH_DISK;
		n->batches = (long long)hb;
	}
	double ab = plan_jnum_(o, "HashAgg Batches", -1);
	double disk = plan_jnum_(o, "Disk Usage", -1);
	if (ab > 1 || disk > 0) {
		n->flags |= PLAN_HASH_DISK;
		n->batches = ab >= 0 ? (long long)ab : -1;
		if (disk >= 0)
			n->sort_space_kb = (long long)disk;
	}
	const char *rel = plan_jstr_(p, o, "Parent Relationship");
	if (rel && (strcmp(rel, "SubPlan") == 0 || strcmp(rel, "InitPlan") == 0))
		n->flags |= PLAN_SUBQUERY;

	if (json_is_true(json_object_get(o, "Parallel Aware"))) {
		n->flags |= PLAN_PARALLEL;
		if (n->loops < 0 && workers > 0) {
			n->loops = parallel_divisor(workers);
			n->flags |= PLAN_EST_LOOPS;
		}
	}
	int gather = strcmp(type, "Gather") == 0 || strcmp(type, "Gather Merge") == 0;
	int kids_parallel = parallel || gather;
	if (gather)
		workers = plan_jnum_(o, "Workers Planned", 0);
	json_t *plans = json_object_get(o, "Plans");
	if (plans) {
		if (!json_is_array(plans))
			return perr_set(e, "reading the %s: \"Plans\" is not a list; pass %s", pg_what, pg_hint);
		size_t i;
		json_t *k;
		json_array_foreach(plans, i, k)
		{
			struct plan_node *kid;
			if (pg_node(p, k, n, depth + 1, kids_parallel, workers, &kid, e) < 0)
				return -1;
		}
	}
	return 0;
}

int plan_parse_pg_json(const char *text, size_t len, struct plan *p, struct perr *e)
{
	plan_reset_(p, DB_PG, PLAN_FMT_PG_JSON);
	json_t *j = plan_json_load_(text, len, pg_what, pg_hint, e);
	if (!j)
		return -1;
	json_t *top = j;
	if (json_is_array(j)) {
		if (json_array_size(j) == 0) {
			json_decref(j);
			return perr_set(e, "reading the %s: the JSON list is empty; pass %s", pg_what, pg_hint);
		}
		top = json_array_get(j, 0);
	}
	json_t *root = json_is_object(top) ? json_object_get(top, "Plan") : NULL;
	if (!root) {
		json_decref(j);
		return perr_set(e, "reading the %s: no \"Plan\" in the JSON; pass %s", pg_what, pg_hint);
	}
	struct plan_node *r = NULL;
	int rc = pg_node(p, root, NULL, 0, 0, 0, &r, e);
	if (rc == 0) {
		p->root = r;
		p->planning_ms = plan_jnum_(top, "Planning Time", -1);
		p->execution_ms = plan_jnum_(top, "Execution Time", -1);
		if (p->execution_ms >= 0)
			p->analyzed = 1;
		rc = plan_finish_(p, e);
	}
	json_decref(j);
	if (rc < 0) {
		plan_free(p);
		return -1;
	}
	plan_estimate_loops_(p);
	return 0;
}
