/*
 * plan: what every dialect's plan shares once read — building the tree,
 * table sizes and aliases from the caller, the terminal rendering, the JSON
 * form and the rules that turn a plan into issues.
 *
 * The readers (plan_mysql.c, plan_pg.c, plan_sqlite.c) only translate; all
 * judgement is here, written once against the model in plan.h, so a rule
 * means the same on every server. The rules and their thresholds:
 *
 *   full-scan        PLAN_FULL_SCAN of S rows (S = the largest of the table
 *                    size, the rows examined and, where they count rows
 *                    read, the row figures): S < 1000 no issue; ≥ 1000 low;
 *                    ≥ 10k medium; ≥ 100k high; S unknown: low.
 *   filesort         PLAN_FILESORT; R = rows sorted: < 1000 info; ≥ 1000
 *                    or unknown low; ≥ 100k medium.
 *   temporary-table  PLAN_TEMPORARY; the same scale as filesort.
 *   rows-examined    rows read (over all loops) ≥ 1000 and ≥ 10x the rows
 *                    kept; ≥ 10k medium, ≥ 100k high, else low; one level
 *                    lower when the figures are estimates. Not reported
 *                    where full-scan is (the same rows, said once).
 *   bad-estimate     ANALYZE only: estimated and actual rows per loop off
 *                    by ≥ 10x either way with ≥ 100 on the larger side;
 *                    ≥ 100x medium, else low. Only the lowest node of a run
 *                    of misestimates is reported: its parents inherit it.
 *   sort-spill       PLAN_SORT_DISK: medium.
 *   hash-spill       PLAN_HASH_DISK: medium.
 *   nested-loop      a full scan run ≥ 1000 times (measured or estimated
 *                    loops): high; a nested loop whose inner side reads
 *                    ≥ 100k rows in all: medium. SQLite: a full scan joined
 *                    after a table of ≥ 1000 rows (sizes from the caller).
 */
#include "plan.h"
#include "../core/jsonx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- building ---- */

/* An empty plan of kind and format: no nodes, unknown totals. Overwrites *p (frees nothing). */
void plan_reset_(struct plan *p, enum db_kind kind, enum plan_format format)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->format = format;
	p->planning_ms = -1;
	p->execution_ms = -1;
	p->total_cost = -1;
}

/* A detached node in p's arena, op copied, every figure unknown (-1). Never NULL. */
struct plan_node *plan_node_new_(struct plan *p, const char *op)
{
	struct plan_node *n = arena_calloc(&p->arena, 1, sizeof(*n));
	n->op = arena_strdup(&p->arena, op ? op : "?");
	n->est_rows = n->act_rows = n->loops = n->cost = n->time_ms = -1;
	n->rows_examined = n->filtered_pct = n->table_rows = -1;
	n->sort_space_kb = -1;
	n->batches = -1;
	n->id = -1;
	p->nnodes++;
	return n;
}

/* Append kid to parent's children; -1 with e set once the plan holds more than PLAN_MAX_NODES. */
int plan_node_add_(struct plan *p, struct plan_node *parent, struct plan_node *kid, struct perr *e)
{
	if (p->nnodes > PLAN_MAX_NODES)
		return perr_set(e, "the plan has more than %d nodes; explain a smaller statement", PLAN_MAX_NODES);
	if (parent->nkids == parent->kcap_) {
		size_t cap = parent->kcap_ ? parent->kcap_ * 2 : 4;
		struct plan_node **k = arena_alloc(&p->arena, cap * sizeof(*k));
		if (parent->nkids)
			memcpy(k, parent->kids, parent->nkids * sizeof(*k));
		parent->kids = k;
		parent->kcap_ = cap;
	}
	parent->kids[parent->nkids++] = kid;
	kid->parent = parent;
	return 0;
}

/* Preorder numbering; fails past PLAN_MAX_DEPTH so no later walk recurses too deep. */
static int finish_node(struct plan_node *n, struct plan_node *parent, int depth, int *next, struct perr *e)
{
	if (depth > PLAN_MAX_DEPTH)
		return perr_set(e, "the plan is nested deeper than %d levels; explain a smaller statement",
				PLAN_MAX_DEPTH);
	n->parent = parent;
	n->id = (*next)++;
	if (!n->label)
		n->label = n->op;
	for (size_t i = 0; i < n->nkids; i++)
		if (finish_node(n->kids[i], n, depth + 1, next, e) < 0)
			return -1;
	return 0;
}

int plan_finish_(struct plan *p, struct perr *e)
{
	if (!p->root)
		return perr_set(e, "the plan has no nodes");
	int next = 0;
	if (finish_node(p->root, NULL, 0, &next, e) < 0)
		return -1;
	p->nnodes = (size_t)next;
	if (p->total_cost < 0)
		p->total_cost = p->root->cost;
	return 0;
}

/* Nodes whose input runs once however often they are rescanned. */
static int loops_barrier(const struct plan_node *n)
{
	return strcmp(n->op, "Hash") == 0 || strncmp(n->op, "Materialize", 11) == 0 ||
	       strcmp(n->op, "Memoize") == 0 || strncmp(n->op, "Temporary table", 15) == 0;
}

static double clamp_loops(double v)
{
	return v > 1e18 ? 1e18 : v;
}

/*
 * Give n the estimated loops (when set and it has none measured) and pass
 * them down: a nested loop's inner kids run loops * outer rows times; the
 * input of a barrier runs once.
 */
static void est_loops(struct plan_node *n, double loops, int set)
{
	if (set && n->loops < 0) {
		n->loops = clamp_loops(loops);
		n->flags |= PLAN_EST_LOOPS;
	}
	if (loops_barrier(n)) {
		for (size_t i = 0; i < n->nkids; i++)
			est_loops(n->kids[i], 1, 0);
		return;
	}
	if ((n->flags & PLAN_JOIN_LOOP) && n->nkids >= 2) {
		est_loops(n->kids[0], loops, set);
		double outer = n->kids[0]->est_rows;
		for (size_t i = 1; i < n->nkids; i++) {
			if (outer >= 0)
				est_loops(n->kids[i], clamp_loops(loops * (outer < 1 ? 1 : outer)), 1);
			else
				est_loops(n->kids[i], 1, 0);
		}
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		est_loops(n->kids[i], loops, set);
}

void plan_estimate_loops_(struct plan *p)
{
	if (p->root && !p->analyzed)
		est_loops(p->root, 1, 0);
}

/* ---- JSON helpers for the readers ---- */

double plan_jnum_(const json_t *obj, const char *key, double dflt)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return dflt;
	if (json_is_number(v)) {
		double d = json_number_value(v);
		return isfinite(d) ? d : dflt;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		double d = strtod(s, &end);
		if (end != s && *end == '\0' && isfinite(d))
			return d;
	}
	return dflt;
}

const char *plan_jstr_(struct plan *p, const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v || !json_is_string(v))
		return NULL;
	return arena_strndup(&p->arena, json_string_value(v), json_string_length(v));
}

const char *plan_skip_label_(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	static const char *const labels[] = {"EXPLAIN:", "ANALYZE:"};
	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(labels[i]);
		if ((size_t)(end - s) >= l && strncasecmp(s, labels[i], l) == 0) {
			s += l;
			while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
				s++;
			break;
		}
	}
	return s;
}

json_t *plan_json_load_(const char *text, size_t len, const char *what, const char *hint, struct perr *e)
{
	const char *end = text + len;
	const char *s = plan_skip_label_(text, end);
	if (s == end) {
		perr_set(e, "reading the %s: the input is empty; pass %s", what, hint);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(s, (size_t)(end - s), JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
	if (!j) {
		perr_set(e, "reading the %s: invalid JSON at line %d, column %d (%s); pass %s as it is", what,
			 je.line, je.column, je.text, hint);
		return NULL;
	}
	return j;
}

/* ---- dispatch, caller's facts, freeing ---- */

int plan_parse(enum db_kind kind, const char *text, size_t len, int analyzed, struct plan *p, struct perr *e)
{
	switch (kind) {
	case DB_MYSQL: {
		const char *s = plan_skip_label_(text, text + len);
		if (s < text + len && *s == '{')
			return plan_parse_mysql_json(text, len, analyzed, p, e);
		return plan_parse_mysql_tree(text, len, p, e);
	}
	case DB_PG:
		return plan_parse_pg_json(text, len, p, e);
	case DB_SQLITE:
		break;
	}
	plan_reset_(p, kind, PLAN_FMT_NONE);
	return perr_set(e, "a SQLite plan is read from the rows of 'EXPLAIN QUERY PLAN', not from text");
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	arena_free(&p->arena);
	plan_reset_(p, p->kind, PLAN_FMT_NONE);
}

static int name_eq(const struct plan *p, const char *a, const char *b)
{
	if (p->kind == DB_PG)
		return strcmp(a, b) == 0;
	return strcasecmp(a, b) == 0;
}

static size_t set_rows(struct plan *p, struct plan_node *n, const char *table, double rows)
{
	size_t changed = 0;
	if (n->relation && name_eq(p, n->relation, table)) {
		n->table_rows = rows;
		if (p->format == PLAN_FMT_SQLITE_EQP && (n->flags & PLAN_FULL_SCAN) && n->est_rows < 0)
			n->est_rows = rows;
		changed++;
	}
	for (size_t i = 0; i < n->nkids; i++)
		changed += set_rows(p, n->kids[i], table, rows);
	return changed;
}

size_t plan_set_table_rows(struct plan *p, const char *table, double rows)
{
	if (!p->root || !table || !(rows >= 0))
		return 0;
	return set_rows(p, p->root, table, rows);
}

static size_t set_alias(struct plan *p, struct plan_node *n, const char *alias, const char *table)
{
	size_t changed = 0;
	if (n->relation && !n->alias && name_eq(p, n->relation, alias)) {
		n->relation = arena_strdup(&p->arena, table);
		n->alias = arena_strdup(&p->arena, alias);
		changed++;
	}
	for (size_t i = 0; i < n->nkids; i++)
		changed += set_alias(p, n->kids[i], alias, table);
	return changed;
}

size_t plan_set_alias(struct plan *p, const char *alias, const char *table)
{
	if (!p->root || !alias || !table || !*alias || !*table || name_eq(p, alias, table))
		return 0;
	return set_alias(p, p->root, alias, table);
}

/* ---- numbers as text ---- */

/* Rows: whole numbers plainly, small fractions (per-loop averages) with two digits. */
static void fmt_rows(char *out, size_t cap, double v)
{
	if (v >= 1e15)
		snprintf(out, cap, "%.3g", v);
	else if (fabs(v - round(v)) < 0.005 || v >= 100)
		snprintf(out, cap, "%.0f", v);
	else
		snprintf(out, cap, "%.2f", v);
}

static void fmt_ms(char *out, size_t cap, double v)
{
	if (v >= 100)
		snprintf(out, cap, "%.0f ms", v);
	else if (v >= 1)
		snprintf(out, cap, "%.1f ms", v);
	else
		snprintf(out, cap, "%.3f ms", v);
}

static void fmt_pct(char *out, size_t cap, double v)
{
	if (v >= 10 || v == 0)
		snprintf(out, cap, "%.0f%%", v);
	else if (v >= 1)
		snprintf(out, cap, "%.1f%%", v);
	else
		snprintf(out, cap, "%.2g%%", v);
}

/* ---- rendering ---- */

#define BOX_TEE "\xe2\x94\x9c\xe2\x94\x80 "  /* ├─ */
#define BOX_LAST "\xe2\x94\x94\xe2\x94\x80 " /* └─ */
#define BOX_BAR "\xe2\x94\x82  "             /* │ */
#define ARROW "\xe2\x86\x92"                 /* → */
#define ELLIPSIS "\xe2\x80\xa6"              /* … */
#define DETAIL_MAX 160

/*
 * Append s on one line: control characters become spaces, runs of white
 * space one space, and text past max bytes is cut at a character boundary
 * and marked with an ellipsis.
 */
static void put_oneline(struct buf *b, const char *s, size_t max)
{
	size_t n = 0;
	int space = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c < 0x20 || *c == 0x7f || *c == ' ') {
			space = 1;
			continue;
		}
		if (space && n > 0) {
			buf_putc(b, ' ');
			n++;
		}
		space = 0;
		if (n >= max && (*c & 0xc0) != 0x80) {
			buf_puts(b, ELLIPSIS);
			return;
		}
		buf_putc(b, (char)*c);
		n++;
	}
}

/* The figures after a node's label: rows, kept/examined, loops, time or cost, [flags]. */
static void render_stats(const struct plan *p, const struct plan_node *n, struct buf *b)
{
	char x[64], y[64];
	if (n->flags & PLAN_NEVER_EXECUTED) {
		if (n->est_rows >= 0) {
			fmt_rows(x, sizeof(x), n->est_rows);
			buf_printf(b, "  rows est %s", x);
		}
		buf_puts(b, "  (never executed)");
	} else if (n->est_rows >= 0 && n->act_rows >= 0) {
		fmt_rows(x, sizeof(x), n->est_rows);
		fmt_rows(y, sizeof(y), n->act_rows);
		buf_printf(b, "  rows est %s " ARROW " actual %s", x, y);
	} else if (n->est_rows >= 0) {
		fmt_rows(x, sizeof(x), n->est_rows);
		buf_printf(b, "  rows est %s", x);
	} else if (n->act_rows >= 0) {
		fmt_rows(x, sizeof(x), n->act_rows);
		buf_printf(b, "  rows actual %s", x);
	}
	if (p->format == PLAN_FMT_MYSQL_JSON) {
		if (n->filtered_pct >= 0 && n->filtered_pct < 100) {
			fmt_pct(x, sizeof(x), n->filtered_pct);
			buf_printf(b, "  kept %s", x);
		}
	} else if (n->rows_examined >= 0 && n->rows_examined != n->act_rows) {
		fmt_rows(x, sizeof(x), n->rows_examined);
		buf_printf(b, "  examined %s", x);
	}
	if (n->loops > 1 || (n->loops >= 0 && (n->flags & PLAN_EST_LOOPS) && n->loops != 1)) {
		fmt_rows(x, sizeof(x), n->loops);
		buf_printf(b, "  loops %s%s", (n->flags & PLAN_EST_LOOPS) ? "~" : "", x);
	}
	if (n->time_ms >= 0) {
		fmt_ms(x, sizeof(x), n->time_ms);
		buf_printf(b, "  time %s", x);
	} else if (n->cost >= 0) {
		fmt_rows(x, sizeof(x), n->cost);
		buf_printf(b, "  cost %s", x);
	}
	struct {
		unsigned flag;
		const char *tag;
	} tags[] = {
		{PLAN_FULL_SCAN, "full scan"}, {PLAN_INDEX_SCAN, "full index scan"},
		{PLAN_INDEX_ONLY, "covering"}, {PLAN_FILESORT, "filesort"},
		{PLAN_TEMPORARY, "temporary"}, {PLAN_JOIN_BUFFER, "join buffer"},
	};
	int open = 0;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (!(n->flags & tags[i].flag))
			continue;
		buf_puts(b, open ? ", " : "  [");
		buf_puts(b, tags[i].tag);
		open = 1;
	}
	if (n->flags & PLAN_SORT_DISK) {
		buf_puts(b, open ? ", " : "  [");
		buf_puts(b, "sort on disk");
		if (n->sort_space_kb >= 0)
			buf_printf(b, " %lld kB", n->sort_space_kb);
		else if (n->batches > 0)
			buf_printf(b, ", %lld merge passes", n->batches);
		open = 1;
	}
	if (n->flags & PLAN_HASH_DISK) {
		buf_puts(b, open ? ", " : "  [");
		buf_puts(b, "hash on disk");
		if (n->batches > 0)
			buf_printf(b, ", %lld batches", n->batches);
		open = 1;
	}
	if (open)
		buf_putc(b, ']');
}

static void render_detail(struct buf *b, const char *prefix, const char *label, const char *text)
{
	buf_puts(b, prefix);
	if (label)
		buf_puts(b, label);
	put_oneline(b, text, DETAIL_MAX);
	buf_putc(b, '\n');
}

/*
 * One node's line (prefix + connector + label + figures), its detail lines,
 * then its children. prefix holds the drawing of the ancestors' columns and
 * is restored before returning.
 */
static void render_node(const struct plan *p, const struct plan_node *n, struct buf *b, struct buf *prefix,
			const char *conn)
{
	buf_puts(b, buf_str(prefix));
	buf_puts(b, conn);
	put_oneline(b, n->label, DETAIL_MAX);
	render_stats(p, n, b);
	buf_putc(b, '\n');

	/* What goes under a node: its own prefix plus the column of its children. */
	size_t keep = prefix->len;
	if (*conn)
		buf_puts(prefix, strcmp(conn, BOX_LAST) == 0 ? "   " : BOX_BAR);
	size_t child = prefix->len;
	buf_puts(prefix, n->nkids ? BOX_BAR : "   ");
	const char *dp = buf_str(prefix);
	/* the MySQL tree's label is the iterator's whole text: say nothing twice */
	if (n->cond && !strstr(n->label, n->cond))
		render_detail(b, dp, "cond: ", n->cond);
	if (n->filter && !strstr(n->label, n->filter))
		render_detail(b, dp, "filter: ", n->filter);
	if ((n->detail && !strstr(n->label, n->detail)) || n->sort_method) {
		struct buf d = BUF_INIT;
		int own = n->detail && !strstr(n->label, n->detail);
		if (own)
			buf_puts(&d, n->detail);
		if (n->sort_method) {
			buf_printf(&d, "%s%s", own ? "  (" : "sort: ", n->sort_method);
			if (n->sort_space_kb >= 0)
				buf_printf(&d, ", %lld kB", n->sort_space_kb);
			if (own)
				buf_putc(&d, ')');
		}
		render_detail(b, dp, NULL, buf_str(&d));
		buf_free(&d);
	}
	prefix->len = child;
	prefix->data[child] = '\0';
	for (size_t i = 0; i < n->nkids; i++)
		render_node(p, n->kids[i], b, prefix, i + 1 == n->nkids ? BOX_LAST : BOX_TEE);
	prefix->len = keep;
	if (prefix->data)
		prefix->data[keep] = '\0';
}

void plan_render(const struct plan *p, struct buf *out)
{
	if (!p->root) {
		buf_puts(out, "(empty plan)\n");
		return;
	}
	struct buf prefix = BUF_INIT;
	buf_puts(&prefix, "");
	render_node(p, p->root, out, &prefix, "");
	buf_free(&prefix);
	char x[64];
	if (p->planning_ms >= 0 || p->execution_ms >= 0) {
		const char *sep = "";
		if (p->planning_ms >= 0) {
			fmt_ms(x, sizeof(x), p->planning_ms);
			buf_printf(out, "planning %s", x);
			sep = ", ";
		}
		if (p->execution_ms >= 0) {
			fmt_ms(x, sizeof(x), p->execution_ms);
			buf_printf(out, "%sexecution %s", sep, x);
		}
		buf_putc(out, '\n');
	}
}

/* ---- JSON ---- */

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
	{PLAN_FULL_SCAN, "full-scan"},   {PLAN_INDEX_SCAN, "index-scan"},
	{PLAN_INDEX_ONLY, "index-only"}, {PLAN_FILESORT, "filesort"},
	{PLAN_TEMPORARY, "temporary"},   {PLAN_SORT_DISK, "sort-disk"},
	{PLAN_HASH_DISK, "hash-disk"},   {PLAN_JOIN_LOOP, "join-loop"},
	{PLAN_JOIN_BUFFER, "join-buffer"}, {PLAN_NEVER_EXECUTED, "never-executed"},
	{PLAN_SUBQUERY, "subquery"},     {PLAN_PARALLEL, "parallel"},
};

const char *plan_flag_name(unsigned flag)
{
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

static void jset_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, jsonx_string(s));
}

/* Whole numbers as integers, others to 6 significant digits: 1.253, not 1.2529999999999999. */
static void jset_num(json_t *o, const char *key, double v)
{
	if (!(v >= 0) || !isfinite(v))
		return;
	if (v == floor(v) && v < 9007199254740992.0) {
		json_object_set_new(o, key, json_integer((json_int_t)v));
		return;
	}
	char t[64];
	snprintf(t, sizeof(t), "%.6g", v);
	json_object_set_new(o, key, json_real(strtod(t, NULL)));
}

/* A node and its subtree as plan_to_json() documents. */
static json_t *node_json(const struct plan_node *n)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(n->id));
	jset_str(o, "op", n->op);
	jset_str(o, "label", n->label);
	jset_str(o, "relation", n->relation);
	jset_str(o, "alias", n->alias);
	jset_str(o, "index", n->index);
	jset_str(o, "cond", n->cond);
	jset_str(o, "filter", n->filter);
	jset_str(o, "detail", n->detail);
	jset_num(o, "est_rows", n->est_rows);
	jset_num(o, "act_rows", n->act_rows);
	jset_num(o, "loops", n->loops);
	if (n->loops >= 0 && (n->flags & PLAN_EST_LOOPS))
		json_object_set_new(o, "loops_estimated", json_true());
	jset_num(o, "cost", n->cost);
	jset_num(o, "time_ms", n->time_ms);
	jset_num(o, "rows_examined", n->rows_examined);
	jset_num(o, "filtered_pct", n->filtered_pct);
	jset_num(o, "table_rows", n->table_rows);
	json_t *flags = json_array();
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (n->flags & flag_names[i].flag)
			json_array_append_new(flags, json_string(flag_names[i].name));
	if (json_array_size(flags))
		json_object_set_new(o, "flags", flags);
	else
		json_decref(flags);
	jset_str(o, "sort_method", n->sort_method);
	if (n->sort_space_kb >= 0)
		json_object_set_new(o, "sort_space_kb", json_integer(n->sort_space_kb));
	if (n->batches >= 0)
		json_object_set_new(o, "batches", json_integer(n->batches));
	if (n->nkids) {
		json_t *kids = json_array();
		for (size_t i = 0; i < n->nkids; i++)
			json_array_append_new(kids, node_json(n->kids[i]));
		json_object_set_new(o, "children", kids);
	}
	return o;
}

static const char *format_name(enum plan_format f)
{
	switch (f) {
	case PLAN_FMT_MYSQL_JSON:
		return "mysql-json";
	case PLAN_FMT_MYSQL_TREE:
		return "mysql-tree";
	case PLAN_FMT_PG_JSON:
		return "pg-json";
	case PLAN_FMT_SQLITE_EQP:
		return "sqlite-eqp";
	case PLAN_FMT_NONE:
		break;
	}
	return "none";
}

/* As db_kind_name(), kept here so the plan code stands without the drivers. */
static const char *dialect_name(enum db_kind k)
{
	switch (k) {
	case DB_MYSQL:
		return "mysql";
	case DB_PG:
		return "postgres";
	case DB_SQLITE:
		return "sqlite";
	}
	return "unknown";
}

json_t *plan_to_json(const struct plan *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "dialect", json_string(dialect_name(p->kind)));
	json_object_set_new(o, "format", json_string(format_name(p->format)));
	json_object_set_new(o, "analyzed", json_boolean(p->analyzed));
	jset_num(o, "planning_ms", p->planning_ms);
	jset_num(o, "execution_ms", p->execution_ms);
	jset_num(o, "total_cost", p->total_cost);
	json_object_set_new(o, "nodes", json_integer((json_int_t)p->nnodes));
	if (p->root)
		json_object_set_new(o, "root", node_json(p->root));
	return o;
}

/* ---- interpretation ---- */

struct issues {
	struct plan *p;
	struct plan_issue *v;
	size_t *seq;
	size_t n, cap;
	unsigned char *bad;       /* by node id: a bad estimate (1 under, 2 over) */
	unsigned char *loop_scan; /* by node id: nested-loop reported on a full scan here */
};

/* Record one issue; msg lives in the plan's arena. */
static void add_issue(struct issues *is, const char *rule, enum pa_severity sev, const struct plan_node *n,
		      const char *msg)
{
	if (is->n == is->cap) {
		is->cap = is->cap ? is->cap * 2 : 16;
		is->v = xrealloc(is->v, is->cap * sizeof(*is->v));
	}
	is->v[is->n].rule = rule;
	is->v[is->n].severity = sev;
	is->v[is->n].node = n;
	is->v[is->n].message = msg;
	is->n++;
}

/* How the node is called in a message: "profiles", "profiles p", or its label. */
static const char *what(struct plan *p, const struct plan_node *n)
{
	if (n->relation && n->alias)
		return arena_printf(&p->arena, "%s %s", n->relation, n->alias);
	if (n->relation)
		return n->relation;
	return n->label;
}

/* Rows the node returns per loop, measured when the plan is analyzed. */
static double rows_out(const struct plan *p, const struct plan_node *n, int depth)
{
	if (depth > PLAN_MAX_DEPTH)
		return -1;
	double r = (p->analyzed && n->act_rows >= 0) ? n->act_rows : n->est_rows;
	if (r >= 0) {
		if (p->format == PLAN_FMT_MYSQL_JSON && n->filtered_pct >= 0)
			r = r * n->filtered_pct / 100;
		return r;
	}
	if ((n->flags & PLAN_JOIN_LOOP) && n->nkids) {
		const struct plan_node *last = n->kids[n->nkids - 1];
		double lr = rows_out(p, last, depth + 1);
		if (lr < 0)
			return -1;
		return lr * (last->loops > 0 ? last->loops : 1);
	}
	if (n->nkids)
		return rows_out(p, n->kids[0], depth + 1);
	return -1;
}

/* Rows read per loop by a node, for sizes and loop totals. */
static double rows_read(const struct plan *p, const struct plan_node *n)
{
	if (n->rows_examined >= 0)
		return n->rows_examined;
	return (p->analyzed && n->act_rows >= 0) ? n->act_rows : n->est_rows;
}

/*
 * The size of a full scan, preferring what was measured: the caller's
 * table size, else rows examined, else the node's row figures where they
 * count rows read (MySQL JSON, SQLite, an unfiltered scan). A PostgreSQL
 * estimate of a filtered scan counts rows kept: it is only a lower bound
 * (*bound = 1). Parallel scans add up their processes. -1: unknown.
 */
static double scan_size(const struct plan *p, const struct plan_node *n, int *estimated, int *bound)
{
	*estimated = 0;
	*bound = 0;
	if (n->table_rows >= 0)
		return n->table_rows;
	double mult = ((n->flags & PLAN_PARALLEL) && n->loops > 0) ? n->loops : 1;
	int reads = p->format == PLAN_FMT_MYSQL_JSON || p->format == PLAN_FMT_SQLITE_EQP || !n->filter;
	if (p->analyzed && !(n->flags & PLAN_NEVER_EXECUTED)) {
		if (n->rows_examined >= 0)
			return n->rows_examined * mult;
		if (reads && n->act_rows >= 0)
			return n->act_rows * mult;
	}
	*estimated = 1;
	if (n->rows_examined >= 0)
		return n->rows_examined * mult;
	if (n->est_rows >= 0) {
		*bound = !reads;
		return n->est_rows * mult;
	}
	return -1;
}

static enum pa_severity lower(enum pa_severity s)
{
	return s > PA_SEV_LOW ? s - 1 : s;
}

/* full-scan: see the file comment for the scale. */
static void rule_full_scan(struct issues *is, const struct plan_node *n)
{
	if (!(n->flags & PLAN_FULL_SCAN))
		return;
	struct plan *p = is->p;
	int est, bound;
	double size = scan_size(p, n, &est, &bound);
	if (size < 0 || (bound && size < 1000)) {
		add_issue(is, "full-scan", PA_SEV_LOW, n,
			  arena_printf(&p->arena, "full table scan of %s (table size unknown)", what(p, n)));
		return;
	}
	if (size < 1000)
		return;
	enum pa_severity sev = size >= 100000 ? PA_SEV_HIGH : size >= 10000 ? PA_SEV_MEDIUM : PA_SEV_LOW;
	char x[64], y[64], z[64];
	fmt_rows(x, sizeof(x), size);
	struct buf m = BUF_INIT;
	buf_printf(&m, "full table scan of %s reads %s%s%s rows", what(p, n), bound ? "over " : "", est ? "~" : "", x);
	if (n->flags & PLAN_PARALLEL) {
		fmt_rows(z, sizeof(z), n->loops);
		if (n->loops > 1)
			buf_printf(&m, " in %s%s parallel processes", (n->flags & PLAN_EST_LOOPS) ? "~" : "", z);
	} else if (n->loops > 1) {
		fmt_rows(z, sizeof(z), n->loops);
		buf_printf(&m, " per loop (%s%s loops)", (n->flags & PLAN_EST_LOOPS) ? "~" : "", z);
	}
	if (n->filtered_pct >= 0 && n->filtered_pct < 100 && p->analyzed) {
		fmt_rows(y, sizeof(y), size * n->filtered_pct / 100);
		fmt_pct(z, sizeof(z), n->filtered_pct);
		buf_printf(&m, " to keep %s (%s)", y, z);
	}
	if (n->filter || n->cond)
		buf_puts(&m, ": an index on the filtered columns would avoid it");
	add_issue(is, "full-scan", sev, n, arena_strdup(&p->arena, buf_str(&m)));
	buf_free(&m);
}

/* filesort (flag PLAN_FILESORT) and temporary-table (PLAN_TEMPORARY), sized by the rows fed in. */
static void rule_sort_temp(struct issues *is, const struct plan_node *n, unsigned flag)
{
	if (!(n->flags & flag))
		return;
	struct plan *p = is->p;
	double rows = n->nkids ? rows_out(p, n->kids[0], 0) : rows_out(p, n, 0);
	if (n->nkids && rows >= 0 && n->kids[0]->loops > 1)
		rows *= n->kids[0]->loops;
	/* MariaDB's filesort outputs all it sorted unless a LIMIT let it keep a priority queue */
	if (flag == PLAN_FILESORT && p->format == PLAN_FMT_MYSQL_JSON && p->analyzed && n->act_rows >= 0 &&
	    !(n->sort_method && strcmp(n->sort_method, "priority queue") == 0))
		rows = n->act_rows;
	enum pa_severity sev = rows < 0 ? PA_SEV_LOW : rows >= 100000 ? PA_SEV_MEDIUM : rows >= 1000 ? PA_SEV_LOW
											     : PA_SEV_INFO;
	char x[64];
	const char *count = "";
	if (rows >= 0) {
		fmt_rows(x, sizeof(x), rows);
		count = arena_printf(&p->arena, " of %s%s rows", p->analyzed ? "" : "~", x);
	}
	const char *msg;
	if (flag == PLAN_FILESORT) {
		const char *how = n->sort_method ? arena_printf(&p->arena, " (%s)", n->sort_method) : "";
		msg = arena_printf(&p->arena, "sort%s%s: an index in the ORDER BY's order would return rows sorted",
				   count, how);
		add_issue(is, "filesort", sev, n, msg);
	} else {
		int plain = strcasecmp(n->label, "Temporary table") == 0;
		msg = arena_printf(&p->arena, "temporary table%s%s%s%s: an index covering the GROUP BY / DISTINCT "
				   "columns can avoid it", count, plain ? "" : " (", plain ? "" : n->label, plain ? "" : ")");
		add_issue(is, "temporary-table", sev, n, msg);
	}
}

static int has_loop_scan(const struct issues *is, const struct plan_node *n);

/* rows-examined: rows read over all loops against rows kept (filtered_pct). */
static void rule_rows_examined(struct issues *is, const struct plan_node *n)
{
	struct plan *p = is->p;
	if (n->rows_examined < 0 || n->filtered_pct < 0 || (n->flags & PLAN_NEVER_EXECUTED))
		return;
	if (n->flags & PLAN_FULL_SCAN)
		return;
	if (n->nkids && (n->kids[0]->flags & PLAN_FULL_SCAN) && strcmp(n->op, "Filter") == 0)
		return; /* a Filter right over a full scan: full-scan says it */
	if (has_loop_scan(is, n))
		return; /* nested-loop says it */
	double loops = n->loops > 0 ? n->loops : 1;
	double read = n->rows_examined * loops;
	double kept = read * n->filtered_pct / 100;
	if (read < 1000 || (kept > 0 && read / kept < 10))
		return;
	int est = !p->analyzed;
	enum pa_severity sev = read >= 100000 ? PA_SEV_HIGH : read >= 10000 ? PA_SEV_MEDIUM : PA_SEV_LOW;
	if (est)
		sev = lower(sev);
	char x[64], y[64], z[64];
	fmt_rows(x, sizeof(x), read);
	fmt_rows(y, sizeof(y), kept);
	fmt_pct(z, sizeof(z), n->filtered_pct);
	const char *via = n->index ? arena_printf(&p->arena, " via %s", n->index) : "";
	const char *in = "";
	if (loops > 1) {
		char l[64];
		fmt_rows(l, sizeof(l), loops);
		in = arena_printf(&p->arena, " in %s loops", l);
	}
	const char *why;
	if (n->flags & (PLAN_JOIN_LOOP | PLAN_JOIN_BUFFER) || strcasestr(n->op, "join"))
		why = "no index serves the join condition";
	else if (n->filter)
		why = "the filter is not in the index";
	else
		why = "most rows read are thrown away";
	add_issue(is, "rows-examined", sev, n,
		  arena_printf(&p->arena, "%s reads %s%s rows%s%s to keep %s%s (%s): %s", what(p, n), est ? "~" : "",
			       x, via, in, est ? "~" : "", y, z, why));
}

/* 0 fine, 1 underestimated (more rows than planned), 2 overestimated. */
static int misestimate(const struct plan *p, const struct plan_node *n, double *ratio)
{
	if (!p->analyzed || (n->flags & PLAN_NEVER_EXECUTED) || n->est_rows < 0 || n->act_rows < 0)
		return 0;
	if (n->loops == 0)
		return 0;
	double hi = n->est_rows > n->act_rows ? n->est_rows : n->act_rows;
	double lo = n->est_rows > n->act_rows ? n->act_rows : n->est_rows;
	if (hi < 100)
		return 0;
	if (lo > 0 && hi / lo < 10)
		return 0;
	*ratio = lo > 0 ? hi / lo : INFINITY;
	if (n->act_rows > n->est_rows)
		return 1;
	/* under a LIMIT or a semi/anti join the node is stopped early: fewer rows than planned is no error */
	for (const struct plan_node *a = n->parent; a; a = a->parent)
		if (strncasecmp(a->op, "Limit", 5) == 0 || strstr(a->label, "Semi Join") ||
		    strstr(a->label, "Anti Join") || strcasestr(a->op, "semijoin") || strcasestr(a->op, "antijoin"))
			return 0;
	return 2;
}

/* Note every node's misestimate by id first, so a node can tell whether its kids inherited one. */
static void mark_bad(struct issues *is, const struct plan_node *n)
{
	double r;
	for (size_t i = 0; i < n->nkids; i++)
		mark_bad(is, n->kids[i]);
	is->bad[n->id] = (unsigned char)misestimate(is->p, n, &r);
}

/* bad-estimate: the lowest node of a run of misestimates in one direction. */
static void rule_bad_estimate(struct issues *is, const struct plan_node *n)
{
	struct plan *p = is->p;
	double ratio = 0;
	int dir = is->bad[n->id];
	if (!dir)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		if (is->bad[n->kids[i]->id] == dir)
			return; /* inherited from below */
	misestimate(p, n, &ratio);
	enum pa_severity sev = ratio >= 100 ? PA_SEV_MEDIUM : PA_SEV_LOW;
	char x[64], y[64], r[64];
	fmt_rows(x, sizeof(x), n->est_rows);
	fmt_rows(y, sizeof(y), n->act_rows);
	if (isfinite(ratio))
		snprintf(r, sizeof(r), "%.0fx %s", ratio, dir == 1 ? "more" : "fewer");
	else
		snprintf(r, sizeof(r), "%s", dir == 1 ? "none planned" : "none found");
	add_issue(is, "bad-estimate", sev, n,
		  arena_printf(&p->arena, "row estimate off at %s: planned %s rows, got %s (%s); "
			       "refresh the table's statistics", n->label, x, y, r));
}

/* sort-spill and hash-spill. */
static void rule_spill(struct issues *is, const struct plan_node *n)
{
	struct plan *p = is->p;
	if (n->flags & PLAN_SORT_DISK) {
		const char *msg;
		if (p->kind == DB_MYSQL)
			msg = arena_printf(&p->arena, "sort spilled to disk in %lld merge passes: raise "
					   "sort_buffer_size or sort through an index", n->batches > 0 ? n->batches : 0);
		else if (n->sort_space_kb >= 0)
			msg = arena_printf(&p->arena, "sort spilled to disk (%s, %lld kB): raise work_mem above "
					   "that or sort through an index", n->sort_method ? n->sort_method : "external",
					   n->sort_space_kb);
		else
			msg = arena_printf(&p->arena, "sort spilled to disk: raise work_mem or sort through an index");
		add_issue(is, "sort-spill", PA_SEV_MEDIUM, n, msg);
	}
	if (n->flags & PLAN_HASH_DISK) {
		struct buf m = BUF_INIT;
		buf_printf(&m, "%s ran in %lld batches on disk", n->label, n->batches > 0 ? n->batches : 0);
		if (n->sort_space_kb > 0)
			buf_printf(&m, " (%lld kB written)", n->sort_space_kb);
		buf_puts(&m, ": work_mem is too small for it");
		add_issue(is, "hash-spill", PA_SEV_MEDIUM, n, arena_strdup(&p->arena, buf_str(&m)));
		buf_free(&m);
	}
}

/* A full scan under n (or n) already reported as repeated by a nested loop. */
static int has_loop_scan(const struct issues *is, const struct plan_node *n)
{
	if (is->loop_scan[n->id])
		return 1;
	for (size_t i = 0; i < n->nkids; i++)
		if (has_loop_scan(is, n->kids[i]))
			return 1;
	return 0;
}

/*
 * nested-loop: a full scan run ≥ 1000 times (said on the scan); a nested
 * loop whose inner side reads ≥ 100k rows in all (said on the join, unless
 * the first case covers it); SQLite's sibling tables.
 */
static void rule_nested_loop(struct issues *is, const struct plan_node *n)
{
	struct plan *p = is->p;
	char x[64], y[64], z[64];
	if ((n->flags & PLAN_FULL_SCAN) && n->loops >= 1000) {
		double per = rows_read(p, n);
		int est = (n->flags & PLAN_EST_LOOPS) != 0;
		fmt_rows(x, sizeof(x), n->loops);
		struct buf m = BUF_INIT;
		buf_printf(&m, "full scan of %s repeated %s%s times", what(p, n), est ? "~" : "", x);
		if (per >= 0) {
			fmt_rows(y, sizeof(y), per);
			fmt_rows(z, sizeof(z), per * n->loops);
			buf_printf(&m, " (%s rows each, %s%s in all)", y, est ? "~" : "", z);
		}
		buf_puts(&m, " as the inner side of a nested loop: index the join column");
		add_issue(is, "nested-loop", PA_SEV_HIGH, n, arena_strdup(&p->arena, buf_str(&m)));
		buf_free(&m);
		is->loop_scan[n->id] = 1;
	}
	if ((n->flags & PLAN_JOIN_LOOP) && n->nkids >= 2) {
		for (size_t i = 1; i < n->nkids; i++) {
			const struct plan_node *k = n->kids[i];
			if (k->loops < 0 || (k->flags & PLAN_JOIN_BUFFER))
				continue;
			double per = rows_read(p, k);
			if (per < 0 || per * k->loops < 100000)
				continue;
			/* the full-scan case is said on the scan itself (checked after the kids: see walk) */
			if (has_loop_scan(is, k))
				continue;
			int est = (k->flags & PLAN_EST_LOOPS) || !p->analyzed;
			fmt_rows(x, sizeof(x), per * k->loops);
			fmt_rows(y, sizeof(y), k->loops);
			fmt_rows(z, sizeof(z), per);
			const struct plan_node *t = k;
			while (!t->relation && t->nkids)
				t = t->kids[0];
			add_issue(is, "nested-loop", PA_SEV_MEDIUM, n,
				  arena_printf(&p->arena, "nested loop reads %s%s rows of %s in %s%s loops (%s per loop)",
					       est ? "~" : "", x, what(p, t->relation ? t : k), est ? "~" : "", y, z));
		}
	}
	if (p->format == PLAN_FMT_SQLITE_EQP && n->nkids >= 2) {
		/* SQLite lists joined tables as siblings, outermost first. */
		double outer = -1;
		for (size_t i = 0; i < n->nkids; i++) {
			const struct plan_node *k = n->kids[i];
			int table = strcmp(k->op, "SCAN") == 0 || strcmp(k->op, "SEARCH") == 0;
			if (!table)
				continue;
			if (outer < 0) {
				outer = (k->flags & PLAN_FULL_SCAN) ? k->est_rows : -1;
				if (outer < 0)
					break;
				continue;
			}
			if ((k->flags & PLAN_FULL_SCAN) && outer >= 1000) {
				fmt_rows(x, sizeof(x), outer);
				add_issue(is, "nested-loop", PA_SEV_HIGH, k,
					  arena_printf(&p->arena, "full scan of %s repeated ~%s times, once per row "
						       "of the table before it: index the join column", what(p, k), x));
			}
		}
	}
}

/*
 * Children first: a join's rules look at what was said of its inner side
 * (loop_scan), and issues of one node come out in rule order.
 */
static void walk(struct issues *is, const struct plan_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		walk(is, n->kids[i]);
	rule_full_scan(is, n);
	rule_nested_loop(is, n);
	rule_rows_examined(is, n);
	rule_sort_temp(is, n, PLAN_FILESORT);
	rule_sort_temp(is, n, PLAN_TEMPORARY);
	rule_spill(is, n);
	rule_bad_estimate(is, n);
}

struct ranked {
	struct plan_issue is;
	size_t seq;
};

/* Most severe first; among equals, tree order (node id), then the order found. */
static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->is.severity != y->is.severity)
		return x->is.severity > y->is.severity ? -1 : 1;
	if (x->is.node->id != y->is.node->id)
		return x->is.node->id < y->is.node->id ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

size_t plan_issues(struct plan *p, struct plan_issue *out, size_t cap)
{
	if (!p->root)
		return 0;
	struct issues is = {p, NULL, NULL, 0, 0, NULL, NULL};
	is.bad = xcalloc(p->nnodes + 1, 1);
	is.loop_scan = xcalloc(p->nnodes + 1, 1);
	mark_bad(&is, p->root);
	walk(&is, p->root);
	free(is.bad);
	free(is.loop_scan);
	struct ranked *r = xcalloc(is.n ? is.n : 1, sizeof(*r));
	for (size_t i = 0; i < is.n; i++) {
		r[i].is = is.v[i];
		r[i].seq = i;
	}
	qsort(r, is.n, sizeof(*r), cmp_ranked);
	for (size_t i = 0; i < is.n && i < cap; i++)
		out[i] = r[i].is;
	size_t total = is.n;
	free(r);
	free(is.v);
	return total;
}

json_t *plan_issue_to_json(const struct plan_issue *is)
{
	json_t *o = json_object();
	json_object_set_new(o, "rule", json_string(is->rule));
	json_object_set_new(o, "severity", json_string(severity_name(is->severity)));
	if (is->node) {
		json_object_set_new(o, "node", json_integer(is->node->id));
		jset_str(o, "relation", is->node->relation);
	}
	jset_str(o, "message", is->message);
	return o;
}
