/*
 * fuzz_plan: arbitrary bytes as a query plan. The input goes to each
 * reader — MySQL JSON (as EXPLAIN and as ANALYZE), the MySQL tree,
 * PostgreSQL JSON — and, split into lines, to the SQLite reader as
 * EXPLAIN QUERY PLAN rows ("id<TAB>parent<TAB>notused<TAB>detail", or a
 * bare line with made-up ids). Whatever reads is then given table sizes and
 * aliases, rendered, written as JSON and interpreted. Nothing may crash,
 * hang or leak, and the promises hold: a failed read leaves an empty plan
 * and a message; a plan's nodes are numbered 0..nnodes-1 in preorder with
 * consistent parent links; plan_issues() counts the same with or without
 * room for the issues, and each issue names a node of the plan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_node(const struct plan_node *n, const struct plan_node *parent, int *next, size_t nnodes)
{
	if (n->parent != parent || n->id != (*next)++ || (size_t)n->id >= nnodes || !n->op || !n->label)
		abort();
	for (size_t i = 0; i < n->nkids; i++)
		check_node(n->kids[i], n, next, nnodes);
}

static void exercise(struct plan *p, int rc, const struct perr *e)
{
	if (rc != 0) {
		if (rc != -1 || p->root || e->msg[0] == '\0')
			abort();
		plan_free(p);
		return;
	}
	int next = 0;
	check_node(p->root, NULL, &next, p->nnodes);
	if ((size_t)next != p->nnodes)
		abort();

	plan_set_alias(p, "t", "teams");
	plan_set_alias(p, "p", "profiles");
	plan_set_table_rows(p, "teams", 5000);
	plan_set_table_rows(p, "profiles", 250000);

	struct buf out = BUF_INIT;
	plan_render(p, &out);
	if (!out.data || out.data[out.len] != '\0')
		abort();
	buf_free(&out);

	json_t *j = plan_to_json(p);
	char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		abort();
	free(s);
	json_decref(j);

	struct plan_issue is[8];
	size_t total = plan_issues(p, NULL, 0);
	if (plan_issues(p, is, 8) != total)
		abort();
	for (size_t i = 0; i < total && i < 8; i++) {
		if (!is[i].rule || !is[i].message || !is[i].node || (size_t)is[i].node->id >= p->nnodes)
			abort();
		if (i && is[i - 1].severity < is[i].severity)
			abort();
		json_t *ij = plan_issue_to_json(&is[i]);
		json_decref(ij);
	}
	plan_free(p);
}

/* Lines as EXPLAIN QUERY PLAN rows. */
static void sqlite_rows(const char *text, size_t size)
{
	enum { MAXROWS = 512 };
	int *id = malloc(MAXROWS * sizeof(*id));
	int *parent = malloc(MAXROWS * sizeof(*parent));
	const char **detail = malloc(MAXROWS * sizeof(*detail));
	char *copy = malloc(size + 1);
	if (!id || !parent || !detail || !copy)
		abort();
	memcpy(copy, text, size);
	copy[size] = '\0';
	size_t n = 0;
	char *line = copy;
	while (line && n < MAXROWS) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		char *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
		if (t3) {
			id[n] = atoi(line);
			parent[n] = atoi(t1 + 1);
			detail[n] = t3 + 1;
		} else {
			id[n] = (int)n + 1;
			parent[n] = line[0] ? (unsigned char)line[0] % ((int)n + 1) : 0;
			detail[n] = line;
		}
		n++;
		line = nl ? nl + 1 : NULL;
	}
	struct plan p;
	struct perr e = {{0}};
	exercise(&p, plan_from_sqlite_eqp(id, parent, detail, n, &p, &e), &e);
	free(id);
	free(parent);
	free(detail);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct plan p;
	struct perr e;

	memset(&e, 0, sizeof(e));
	exercise(&p, plan_parse_mysql_json(text, size, 0, &p, &e), &e);
	memset(&e, 0, sizeof(e));
	exercise(&p, plan_parse_mysql_json(text, size, 1, &p, &e), &e);
	memset(&e, 0, sizeof(e));
	exercise(&p, plan_parse_mysql_tree(text, size, &p, &e), &e);
	memset(&e, 0, sizeof(e));
	exercise(&p, plan_parse_pg_json(text, size, &p, &e), &e);
	sqlite_rows(text, size);
	return 0;
}
