/*
 * plan_sqlite: SQLite's EXPLAIN QUERY PLAN rows read into the plan model.
 *
 * Each row is (id, parent, notused, detail); parent names an earlier row's
 * id, 0 the top. The detail text is all there is — no row counts, no
 * costs — so this reader only sorts rows into a tree and reads the text:
 *   "SCAN t"                             a full scan (PLAN_FULL_SCAN)
 *   "SCAN t USING [COVERING] INDEX i"    a full index scan
 *   "SEARCH t USING [COVERING] INDEX i (a=?)", "... INTEGER PRIMARY KEY
 *   (rowid=?)", "... AUTOMATIC [COVERING] INDEX (a=?)"   a lookup
 *   "USE TEMP B-TREE FOR ORDER BY"       a sort (PLAN_FILESORT)
 *   "USE TEMP B-TREE FOR GROUP BY / DISTINCT", "UNION USING TEMP B-TREE"
 *                                        a temporary table (PLAN_TEMPORARY)
 *   "MATERIALIZE x", "CO-ROUTINE x", "[CORRELATED ]SCALAR SUBQUERY n",
 *   "LIST SUBQUERY n", "MULTI-INDEX OR", "COMPOUND QUERY", ...
 * The text of SQLite before 3.36 ("SCAN TABLE t AS x") reads as well. SCAN
 * of a materialized subquery or co-routine is not a table scan.
 *
 * SQLite names a table by its alias when the statement gives one; the
 * caller resolves that with plan_set_alias() and supplies sizes with
 * plan_set_table_rows(), which is what lets the rules size a full scan.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const sq_what = "SQLite query plan";

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Names SQLite gave to subquery results (MATERIALIZE x, CO-ROUTINE x). */
struct names {
	const char **v;
	size_t n, cap;
};

static void names_add(struct plan *p, struct names *ns, const char *s, size_t len)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 8;
		const char **v = arena_alloc(&p->arena, cap * sizeof(*v));
		if (ns->n)
			memcpy(v, ns->v, ns->n * sizeof(*v));
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n++] = arena_strndup(&p->arena, s, len);
}

static int names_has(const struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return 1;
	return 0;
}

/* SCAN / SEARCH: table, alias, index, condition and flags from the text after the keyword. */
static void sq_access(struct plan *p, struct plan_node *n, const char *r, const struct names *ns)
{
	int scan = strcmp(n->op, "SCAN") == 0;
	if (starts(r, "TABLE "))
		r += 6;
	size_t tl = strcspn(r, " (");
	n->relation = arena_strndup(&p->arena, r, tl);
	r += tl;
	if (starts(r, " AS ")) {
		r += 4;
		size_t al = strcspn(r, " (");
		n->alias = arena_strndup(&p->arena, r, al);
		r += al;
	}
	int via_index = 0, virtual = 0;
	const char *idx = NULL;
	if (starts(r, " USING COVERING INDEX ")) {
		n->flags |= PLAN_INDEX_ONLY;
		idx = r + 22;
	} else if (starts(r, " USING INDEX ")) {
		idx = r + 13;
	} else if (starts(r, " USING INTEGER PRIMARY KEY")) {
		n->index = "INTEGER PRIMARY KEY";
		via_index = 1;
		r += 26;
	} else if (starts(r, " USING PRIMARY KEY")) {
		n->index = "PRIMARY KEY";
		via_index = 1;
		r += 18;
	} else if (starts(r, " USING AUTOMATIC COVERING INDEX") || starts(r, " USING AUTOMATIC PARTIAL COVERING INDEX") ||
		   starts(r, " USING AUTOMATIC INDEX")) {
		n->index = "(automatic index)";
		via_index = 1;
		r += strcspn(r, "(");
	} else if (starts(r, " VIRTUAL TABLE")) {
		virtual = 1;
	}
	if (idx) {
		size_t il = strcspn(idx, " (");
		n->index = arena_strndup(&p->arena, idx, il);
		via_index = 1;
		r = idx + il;
	}
	while (*r == ' ')
		r++;
	if (*r == '(')
		n->cond = arena_strdup(&p->arena, r);
	if (scan && via_index && idx)
		n->flags |= PLAN_INDEX_SCAN;
	int subquery = names_has(ns, n->relation) || n->relation[0] == '(' || n->relation[0] == '\0' ||
		       strcmp(n->relation, "SUBQUERY") == 0 || strcmp(n->relation, "CONSTANT") == 0;
	if (scan && !via_index && !virtual && !subquery)
		n->flags |= PLAN_FULL_SCAN;
}

static struct plan_node *sq_node(struct plan *p, const char *d, struct names *ns)
{
	struct plan_node *n;
	if (starts(d, "SCAN ") || starts(d, "SEARCH ")) {
		int scan = d[1] == 'C';
		n = plan_node_new_(p, scan ? "SCAN" : "SEARCH");
		sq_access(p, n, d + (scan ? 5 : 7), ns);
	} else if (starts(d, "USE TEMP B-TREE")) {
		n = plan_node_new_(p, "USE TEMP B-TREE");
		n->flags |= strstr(d, "ORDER BY") ? PLAN_FILESORT : PLAN_TEMPORARY;
	} else if (strstr(d, "USING TEMP B-TREE")) {
		n = plan_node_new_(p, d);
		n->flags |= PLAN_TEMPORARY;
	} else if (starts(d, "MATERIALIZE ") || starts(d, "CO-ROUTINE ")) {
		size_t kw = d[0] == 'M' ? 12 : 11;
		n = plan_node_new_(p, d[0] == 'M' ? "MATERIALIZE" : "CO-ROUTINE");
		const char *name = d + kw;
		size_t nl = strcspn(name, " ");
		names_add(p, ns, name, nl);
		n->relation = ns->v[ns->n - 1];
		n->flags |= PLAN_SUBQUERY;
	} else {
		/* "CORRELATED SCALAR SUBQUERY 3" -> op "CORRELATED SCALAR SUBQUERY" */
		size_t l = strlen(d);
		while (l && ((d[l - 1] >= '0' && d[l - 1] <= '9') || d[l - 1] == ' '))
			l--;
		char *op = arena_strndup(&p->arena, d, l ? l : strlen(d));
		n = plan_node_new_(p, op);
		if (strstr(d, "SUBQUERY"))
			n->flags |= PLAN_SUBQUERY;
	}
	n->label = arena_strdup(&p->arena, d);
	return n;
}

int plan_from_sqlite_eqp(const int *id, const int *parent, const char *const *detail, size_t n, struct plan *p,
			 struct perr *e)
{
	plan_reset_(p, DB_SQLITE, PLAN_FMT_SQLITE_EQP);
	if (n > PLAN_MAX_NODES)
		return perr_set(e, "reading the %s: more than %d rows; explain a smaller statement", sq_what,
				PLAN_MAX_NODES);
	p->root = plan_node_new_(p, "QUERY PLAN");
	struct plan_node **nodes = xcalloc(n ? n : 1, sizeof(*nodes));
	int *depth = xcalloc(n ? n : 1, sizeof(*depth));
	struct names ns = {NULL, 0, 0};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		nodes[i] = sq_node(p, detail[i] ? detail[i] : "", &ns);
		struct plan_node *up = p->root;
		int d = 1;
		if (parent[i] != 0) {
			/* the latest earlier row with that id: no row can be its own ancestor */
			for (size_t j = i; j-- > 0;) {
				if (id[j] == parent[i]) {
					up = nodes[j];
					d = depth[j] + 1;
					break;
				}
			}
		}
		depth[i] = d;
		if (d > PLAN_MAX_DEPTH)
			rc = perr_set(e, "reading the %s: nested deeper than %d levels; explain a smaller statement",
				      sq_what, PLAN_MAX_DEPTH);
		else
			rc = plan_node_add_(p, up, nodes[i], e);
	}
	free(nodes);
	free(depth);
	if (rc == 0)
		rc = plan_finish_(p, e);
	if (rc < 0) {
		plan_free(p);
		return -1;
	}
	return 0;
}

static int col_named(const struct db_rows *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (r->names && r->names[i] && strcasecmp(r->names[i], name) == 0)
			return (int)i;
	return -1;
}

int plan_from_sqlite_rows(const struct db_rows *rows, struct plan *p, struct perr *e)
{
	plan_reset_(p, DB_SQLITE, PLAN_FMT_SQLITE_EQP);
	int ci = col_named(rows, "id"), cp = col_named(rows, "parent"), cd = col_named(rows, "detail");
	if (ci < 0 || cp < 0 || cd < 0)
		return perr_set(e, "reading the %s: the rows lack an id, parent or detail column; pass the rows "
				"of 'EXPLAIN QUERY PLAN'", sq_what);
	size_t n = rows->nrows;
	int *id = xcalloc(n ? n : 1, sizeof(*id));
	int *parent = xcalloc(n ? n : 1, sizeof(*parent));
	const char **detail = xcalloc(n ? n : 1, sizeof(*detail));
	for (size_t i = 0; i < n; i++) {
		const char *a = rows->cells[i * rows->ncols + (size_t)ci];
		const char *b = rows->cells[i * rows->ncols + (size_t)cp];
		id[i] = a ? atoi(a) : 0;
		parent[i] = b ? atoi(b) : 0;
		detail[i] = rows->cells[i * rows->ncols + (size_t)cd];
	}
	int rc = plan_from_sqlite_eqp(id, parent, detail, n, p, e);
	free(id);
	free(parent);
	free(detail);
	return rc;
}
