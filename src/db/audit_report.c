/*
 * audit_report: a db audit as data (the result's metrics, documented in
 * docs/db.md) and as the terminal view, which is drawn from those metrics
 * and the findings alone, so it reads the same from a saved result.
 */
#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/jsonx.h"
#include "../core/units.h"

static json_t *str_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jsonx_string(v[i]));
	return a;
}

static void set_num(json_t *o, const char *key, double v)
{
	if (v >= 0)
		json_object_set_new(o, key, json_real(round(v * 1000) / 1000));
}

static void set_int(json_t *o, const char *key, long long v)
{
	if (v >= 0)
		json_object_set_new(o, key, json_integer(v));
}

void dba_metrics(const struct dbc_catalog *cat, struct pa_result *r)
{
	json_t *m = r->metrics;
	long long total = 0;
	json_t *tables = json_array();
	for (size_t i = 0; i < cat->ntables; i++) {
		const struct dbc_table *t = &cat->tables[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", jsonx_string(t->name));
		set_num(o, "rows", t->rows);
		json_object_set_new(o, "rows_exact", json_boolean(t->rows_exact));
		set_int(o, "data_bytes", t->data_bytes);
		set_int(o, "index_bytes", t->index_bytes);
		json_object_set_new(o, "has_primary_key", json_boolean(t->has_pk));
		if (t->engine)
			json_object_set_new(o, "engine", jsonx_string(t->engine));
		set_int(o, "seq_scan", t->seq_scan);
		set_int(o, "seq_tup_read", t->seq_tup_read);
		set_int(o, "idx_scan", t->idx_scan);
		json_array_append_new(tables, o);
		total += (t->data_bytes > 0 ? t->data_bytes : 0) + (t->index_bytes > 0 ? t->index_bytes : 0);
	}
	json_t *indexes = json_array();
	for (size_t i = 0; i < cat->nindexes; i++) {
		const struct dbc_index *x = &cat->indexes[i];
		json_t *o = json_object();
		json_object_set_new(o, "table", jsonx_string(x->table));
		json_object_set_new(o, "name", jsonx_string(x->name));
		json_object_set_new(o, "columns", str_array(x->cols, x->ncols));
		json_object_set_new(o, "unique", json_boolean(x->unique));
		json_object_set_new(o, "primary", json_boolean(x->primary));
		json_object_set_new(o, "method", jsonx_string(x->method ? x->method : "btree"));
		if (x->partial)
			json_object_set_new(o, "partial", json_true());
		set_num(o, "cardinality", x->cardinality);
		set_int(o, "bytes", x->bytes);
		if (x->usage_known)
			json_object_set_new(o, "scans", json_integer(x->scans));
		json_array_append_new(indexes, o);
	}
	json_t *fks = json_array();
	for (size_t i = 0; i < cat->nfks; i++) {
		const struct dbc_fk *f = &cat->fks[i];
		json_t *o = json_object();
		json_object_set_new(o, "table", jsonx_string(f->table));
		json_object_set_new(o, "name", jsonx_string(f->name));
		json_object_set_new(o, "columns", str_array(f->cols, f->ncols));
		json_object_set_new(o, "references", jsonx_string(f->ref_table ? f->ref_table : ""));
		json_object_set_new(o, "referenced_columns", str_array(f->ref_cols, f->ncols));
		json_array_append_new(fks, o);
	}
	json_t *stmts = json_array();
	for (size_t i = 0; i < cat->nstmts; i++) {
		const struct dbc_stmt *s = &cat->stmts[i];
		json_t *o = json_object();
		json_object_set_new(o, "query_id", jsonx_string(s->query_id));
		json_object_set_new(o, "text", jsonx_string(s->text ? s->text : ""));
		json_object_set_new(o, "calls", json_integer(s->calls));
		set_num(o, "total_ms", s->total_ms);
		set_num(o, "mean_ms", s->mean_ms);
		set_num(o, "max_ms", s->max_ms);
		set_num(o, "rows_sent", s->rows_sent);
		set_num(o, "rows_examined", s->rows_examined);
		set_int(o, "no_index_used", s->no_index_used);
		json_array_append_new(stmts, o);
	}
	const struct dbc_server *s = &cat->server;
	json_t *srv = json_object();
	set_int(srv, "max_connections", s->max_connections);
	set_int(srv, "connections_now", s->connections_now);
	set_int(srv, "max_used_connections", s->max_used_connections);
	if (s->buffer_name) {
		json_object_set_new(srv, "buffer_setting", jsonx_string(s->buffer_name));
		set_int(srv, "buffer_bytes", s->buffer_bytes);
	}
	if (s->slow_log >= 0)
		json_object_set_new(srv, "slow_log", json_boolean(s->slow_log));
	set_num(srv, "slow_log_threshold_ms", s->slow_log_threshold_ms);
	set_num(srv, "stats_age_s", s->uptime_s);
	json_object_set_new(srv, "statement_statistics", json_boolean(s->stmt_source));
	json_object_set_new(srv, "index_usage", json_boolean(s->usage_source));
	json_t *notes = str_array(cat->notes, cat->nnotes);
	json_object_set_new(m, "table_count", json_integer((json_int_t)cat->ntables));
	json_object_set_new(m, "index_count", json_integer((json_int_t)cat->nindexes));
	json_object_set_new(m, "total_bytes", json_integer(total));
	json_object_set_new(m, "catalog_queries", json_integer(cat->queries));
	json_object_set_new(m, "partial", json_boolean(cat->partial));
	json_object_set_new(m, "tables", tables);
	json_object_set_new(m, "indexes", indexes);
	json_object_set_new(m, "foreign_keys", fks);
	json_object_set_new(m, "statements", stmts);
	json_object_set_new(m, "server", srv);
	json_object_set_new(m, "notes", notes);
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static double jnum(const json_t *o, const char *k, double dflt)
{
	const json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* Bytes in the unit that suits them: "0 B", "4.0 KB", "176 KB", "12.4 MB", "3.1 GB". */
void dba_fmt_bytes(double b, char *out, size_t n)
{
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
	size_t u = 0;
	while (b >= 1024 && u + 1 < sizeof units / sizeof *units) {
		b /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%.0f B", b);
	else
		snprintf(out, n, b < 10 ? "%.1f %s" : "%.0f %s", b, units[u]);
}

static void print_bytes(FILE *out, double b)
{
	char s[32] = "?";
	if (b >= 0)
		dba_fmt_bytes(b, s, sizeof s);
	fprintf(out, "%9s", s);
}

void dba_print_human(const struct pa_result *r, FILE *out)
{
	const json_t *m = r->metrics, *tg = r->target;
	char total[32];
	dba_fmt_bytes(jnum(m, "total_bytes", 0), total, sizeof total);
	fprintf(out, "%s  (%s %s)\n", jstr(tg, "dsn"), jstr(tg, "kind"), jstr(tg, "server_version"));
	fprintf(out, "%g tables, %g indexes, %s; %g catalog queries in %.0f ms%s\n\n", jnum(m, "table_count", 0),
		jnum(m, "index_count", 0), total, jnum(m, "catalog_queries", 0), r->duration_s * 1000,
		json_is_true(json_object_get(m, "partial")) ? " — PARTIAL: the audit stopped early" : "");
	const json_t *tables = json_object_get(m, "tables");
	size_t nt = json_array_size(tables);
	if (nt) {
		size_t w = 5;
		for (size_t i = 0; i < nt && i < 20; i++) {
			size_t l = strlen(jstr(json_array_get(tables, i), "name"));
			w = l > w ? (l > 40 ? 40 : l) : w;
		}
		fprintf(out, "Tables, largest first\n  %-*s %12s %9s %9s  %s\n", (int)w, "table", "rows", "data", "indexes",
			"primary key");
		for (size_t i = 0; i < nt && i < 20; i++) {
			const json_t *t = json_array_get(tables, i);
			char rows[32] = "?";
			double rv = jnum(t, "rows", -1);
			if (rv >= 0)
				snprintf(rows, sizeof rows, "%s%.0f", json_is_true(json_object_get(t, "rows_exact")) ? "" : "~", rv);
			fprintf(out, "  %-*s %12s ", (int)w, jstr(t, "name"), rows);
			print_bytes(out, jnum(t, "data_bytes", -1));
			fputc(' ', out);
			print_bytes(out, jnum(t, "index_bytes", -1));
			fprintf(out, "  %s\n", json_is_true(json_object_get(t, "has_primary_key")) ? "yes" : "NO");
		}
		if (nt > 20)
			fprintf(out, "  ... and %zu more (--json lists all)\n", nt - 20);
		fputc('\n', out);
	}
	const json_t *idx = json_object_get(m, "indexes");
	if (json_array_size(idx)) {
		fprintf(out, "Indexes\n");
		for (size_t i = 0; i < json_array_size(idx) && i < 40; i++) {
			const json_t *x = json_array_get(idx, i);
			struct buf cols = {0};
			const json_t *c = json_object_get(x, "columns");
			for (size_t k = 0; k < json_array_size(c); k++)
				buf_printf(&cols, "%s%s", k ? ", " : "", json_string_value(json_array_get(c, k)));
			fprintf(out, "  %s.%s (%s)%s%s", jstr(x, "table"), jstr(x, "name"), buf_str(&cols),
				json_is_true(json_object_get(x, "primary"))  ? " primary"
				: json_is_true(json_object_get(x, "unique")) ? " unique"
									     : "",
				strcmp(jstr(x, "method"), "btree") ? " " : "");
			if (strcmp(jstr(x, "method"), "btree"))
				fputs(jstr(x, "method"), out);
			if (json_object_get(x, "scans"))
				fprintf(out, "  used %.0f", jnum(x, "scans", 0));
			fputc('\n', out);
			buf_free(&cols);
		}
		if (json_array_size(idx) > 40)
			fprintf(out, "  ... and %zu more (--json lists all)\n", json_array_size(idx) - 40);
		fputc('\n', out);
	}
	const json_t *st = json_object_get(m, "statements");
	if (json_array_size(st)) {
		fprintf(out, "Statements, by total time\n  %10s %8s %10s  %s\n", "total", "calls", "mean", "statement");
		for (size_t i = 0; i < json_array_size(st) && i < 10; i++) {
			const json_t *s = json_array_get(st, i);
			char tot[32], mean[32];
			fmt_ms(jnum(s, "total_ms", 0), tot, sizeof tot);
			fmt_ms(jnum(s, "mean_ms", 0), mean, sizeof mean);
			fprintf(out, "  %10s %8.0f %10s  %.90s\n", tot, jnum(s, "calls", 0), mean, jstr(s, "text"));
		}
		fputc('\n', out);
	}
	fprintf(out, "Findings (%zu)\n", r->nfindings);
	for (int sev = PA_SEV_CRITICAL; sev >= PA_SEV_INFO; sev--)
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct pa_finding *f = r->findings[i];
			if ((int)f->severity != sev)
				continue;
			fprintf(out, "  %-8s %-22s %s\n", severity_name(f->severity), f->rule, f->title);
			if (f->solution) {
				const char *p = f->solution;
				while (*p) {
					const char *nl = strchr(p, '\n');
					size_t len = nl ? (size_t)(nl - p) : strlen(p);
					fprintf(out, "  %8s %-22s %.*s\n", "", "", (int)len, p);
					p += len + (nl != NULL);
				}
			}
		}
	if (!r->nfindings)
		fprintf(out, "  none\n");
	const json_t *notes = json_object_get(m, "notes");
	if (json_array_size(notes)) {
		fprintf(out, "\nNotes\n");
		for (size_t i = 0; i < json_array_size(notes); i++)
			fprintf(out, "  - %s\n", json_string_value(json_array_get(notes, i)));
	}
}
