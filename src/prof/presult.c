/*
 * presult: a profiling run as a perfagent.result/1 — resources, the
 * memory timeline and its verdict, the top functions and lines — with the
 * seed's findings: a function over 20% of the CPU samples (an inefficient
 * algorithm: medium, /dev), memory growth (a leak: high, /dev), idle and
 * peak memory against the idle-memory budget, and a command that crashed.
 * The terminal view is drawn from the result's JSON alone, so a result
 * read back from a file prints the same.
 */
#include "prof.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/jsonx.h"

#define TOP_N 25          /* functions and lines kept in the result */
#define TL_POINTS 400     /* timeline points kept in the result */
#define HOT_SHARE 0.20    /* the seed: a function over 20% of the samples */

static json_t *num_or_null(double v)
{
	return isfinite(v) && v >= 0 ? json_real(round(v * 1000) / 1000) : json_null();
}

/* A rounded real, or null for NaN and infinities (an unknown verdict's numbers). */
static json_t *real_or_null(double v, double scale)
{
	return isfinite(v) ? json_real(round(v * scale) / scale) : json_null();
}

static const char *stop_name(int s)
{
	return s == 1 ? "duration" : s == 2 ? "interrupted" : "exit";
}

static json_t *functions_json(const struct prof_run *r, int by_total)
{
	struct pfunc *f = NULL;
	size_t n = 0;
	pprof_functions(&r->cpu, by_total, &f, &n);
	json_t *a = json_array();
	double total = (double)(r->cpu.total ? r->cpu.total : 1);
	size_t kept = 0;
	for (size_t i = 0; i < n && kept < TOP_N; i++) {
		if (f[i].total == 0)
			continue; /* a frame seen only in a Python stack no CPU sample matched */
		kept++;
		json_t *o = json_object();
		json_object_set_new(o, "name", jsonx_string(f[i].name));
		if (f[i].module)
			json_object_set_new(o, "module", jsonx_string(f[i].module));
		if (f[i].file)
			json_object_set_new(o, "file", jsonx_string(f[i].file));
		json_object_set_new(o, "kind", json_string(f[i].kind == PFRAME_PYTHON ? "python"
							   : f[i].kind == PFRAME_JIT   ? "jit"
										       : "native"));
		json_object_set_new(o, "self", json_integer((json_int_t)f[i].self));
		json_object_set_new(o, "total", json_integer((json_int_t)f[i].total));
		json_object_set_new(o, "self_pct", json_real(round(1000.0 * (double)f[i].self / total) / 10));
		json_object_set_new(o, "total_pct", json_real(round(1000.0 * (double)f[i].total / total) / 10));
		json_array_append_new(a, o);
	}
	free(f);
	return a;
}

static json_t *lines_json(const struct prof_run *r)
{
	struct pline *l = NULL;
	size_t n = 0;
	pprof_lines(&r->cpu, &l, &n);
	json_t *a = json_array();
	double total = (double)(r->cpu.total ? r->cpu.total : 1);
	for (size_t i = 0, kept = 0; i < n && kept < TOP_N; i++, kept++) {
		if (l[i].self == 0) {
			kept--;
			continue;
		}
		json_array_append_new(a, json_pack("{s:s, s:i, s:s, s:I, s:f}", "file", l[i].file ? l[i].file : "?",
						   "line", l[i].line, "function", l[i].name ? l[i].name : "?", "self",
						   (json_int_t)l[i].self, "self_pct",
						   round(1000.0 * (double)l[i].self / total) / 10));
	}
	free(l);
	return a;
}

static json_t *timeline_json(const struct prof_run *r)
{
	json_t *a = json_array();
	size_t step = r->ntl > TL_POINTS ? (r->ntl + TL_POINTS - 1) / TL_POINTS : 1;
	/* every step-th point, keeping each bucket's highest, and the last point always */
	for (size_t i = 0; i < r->ntl; i += step) {
		size_t hi = i;
		for (size_t k = i + 1; k < i + step && k < r->ntl; k++)
			if (r->tl[k].rss_mb > r->tl[hi].rss_mb)
				hi = k;
		json_array_append_new(a, json_pack("[f, f]", round(r->tl[hi].t * 1000) / 1000,
						   round(r->tl[hi].rss_mb * 100) / 100));
	}
	if (r->ntl > 1 && (r->ntl - 1) % step != 0)
		json_array_append_new(a, json_pack("[f, f]", round(r->tl[r->ntl - 1].t * 1000) / 1000,
						   round(r->tl[r->ntl - 1].rss_mb * 100) / 100));
	return a;
}

static void set_loc(struct pa_finding *f, const struct prof_run *r, const char *file, const char *fn)
{
	f->location.pid = r->pid;
	f->location.function = fn;
	f->location.file = file;
}

static void hot_findings(struct pa_result *res, const struct prof_run *r)
{
	struct pfunc *f = NULL;
	size_t n = 0;
	pprof_functions(&r->cpu, 0, &f, &n);
	double total = (double)r->cpu.total;
	for (size_t i = 0; i < n && total >= 20; i++) {
		double share = (double)f[i].self / total;
		if (share <= HOT_SHARE)
			break;
		char title[512];
		snprintf(title, sizeof(title), "%s takes %.0f%% of the CPU samples", f[i].name, share * 100);
		struct pa_finding *fd = result_add_finding(res, "hot-function", PA_SEV_MEDIUM, title);
		set_loc(fd, r, f[i].file ? result_str(res, f[i].file) : NULL, result_str(res, f[i].name));
		fd->evidence = json_pack("{s:s, s:I, s:I, s:f, s:f}", "function", f[i].name, "self_samples",
					 (json_int_t)f[i].self, "samples", (json_int_t)r->cpu.total, "self_pct",
					 round(share * 1000) / 10, "cpu_s", round((r->user_s + r->sys_s) * 1000) / 1000);
		if (f[i].module)
			json_object_set_new(fd->evidence, "module", jsonx_string(f[i].module));
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s%s%s is on the CPU itself (not in what it calls) in %.0f%% of %llu samples.",
			   f[i].name, f[i].module ? " in " : "", f[i].module ? f[i].module : "", share * 100,
			   (unsigned long long)r->cpu.total);
		fd->problem = result_str(res, buf_str(&b));
		buf_reset(&b);
		buf_printf(&b, "Look at the hottest lines of %s (see hottest_lines) for the loop that dominates: "
			       "replace repeated scans with a set or dict lookup, hoist work out of the loop, "
			       "or cache a result that is computed again and again. Then compare before and after "
			       "with perfagent bench -- CMD --vs 'CMD2'.",
			   f[i].name);
		fd->solution = result_str(res, buf_str(&b));
		buf_reset(&b);
		buf_printf(&b, "%.0f%% of the CPU time", share * 100);
		fd->impact = result_str(res, buf_str(&b));
		buf_free(&b);
		fd->impact_score = share * 100;
		fd->has_impact_score = 1;
	}
	free(f);
}

static void memory_findings(struct pa_result *res, const struct prof_run *r, const struct budgets *bs)
{
	const struct mem_verdict *v = &r->mem;
	if (v->growth == MEM_GROWTH_SLOW || v->growth == MEM_GROWTH_RAPID) {
		char title[256];
		snprintf(title, sizeof(title), "Memory grows %.1f MB/min (%s leak)", v->slope_mb_min,
			 v->growth == MEM_GROWTH_RAPID ? "rapid" : "slow");
		struct pa_finding *f = result_add_finding(res, "memory-leak", PA_SEV_HIGH, title);
		set_loc(f, r, NULL, NULL);
		f->evidence = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "growth", mem_growth_name(v->growth),
					"slope_mb_per_min", real_or_null(v->slope_mb_min, 100), "r2",
					real_or_null(v->r2, 1000), "baseline_mb", real_or_null(v->baseline_mb, 10),
					"final_mb", real_or_null(v->final_mb, 10), "growth_pct",
					real_or_null(v->growth_pct, 10));
		f->problem = result_str(res, v->reason);
		f->solution = "Find what keeps references: objects appended to a module-level list or dict, a "
			      "cache without a bound (use functools.lru_cache(maxsize=...) or an LRU with a size), "
			      "sessions or connections never closed. In Python, compare tracemalloc snapshots "
			      "(tracemalloc.take_snapshot().compare_to(old, 'lineno')) a minute apart.";
		f->escalate_to = "/dev";
		f->impact_score = v->slope_mb_min;
		f->has_impact_score = 1;
	}
	const struct budget *b = &bs->b[BUDGET_IDLE_MEMORY];
	enum pa_severity sev;
	double idle = isfinite(v->idle_mb) && v->idle_mb > 0 ? v->idle_mb : 0;
	if (idle > 0 && budget_severity(b, idle, &sev) == 1) {
		char title[256];
		snprintf(title, sizeof(title), "Memory at %.0f MB over the run, over the %.0f MB budget", idle, b->target);
		struct pa_finding *f = result_add_finding(res, "memory-over-budget", sev, title);
		set_loc(f, r, NULL, NULL);
		f->evidence = json_pack("{s:f, s:f, s:f, s:f}", "idle_mb", round(idle * 10) / 10, "peak_mb",
					round(r->max_rss_mb * 10) / 10, "budget_target_mb", b->target,
					"budget_critical_mb", b->critical);
		f->problem = "The process holds this much resident memory through the run (the median after start-up).";
		f->solution = "Load less at start-up (lazy imports, smaller caches), stream large results instead "
			      "of building them in memory, and check the per-request allocations with the "
			      "profile's memory timeline.";
		f->impact_score = idle;
		f->has_impact_score = 1;
	}
}

struct pa_result *prof_result_build(const struct prof_opts *o, const struct prof_run *r, const struct budgets *bs)
{
	struct pa_result *res = result_new("profile");
	if (o->argv)
		json_object_set_new(res->target, "command", jsonx_string(r->command));
	json_object_set_new(res->target, "pid", json_integer(r->pid));
	res->duration_s = r->wall_s;
	json_t *m = res->metrics;
	json_object_set_new(m, "command", jsonx_string(r->command));
	json_object_set_new(m, "stopped_by", json_string(stop_name(r->stopped_by)));
	if (r->exited && r->signal)
		json_object_set_new(m, "signal", json_string(sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?"));
	else if (r->exited && o->argv)
		json_object_set_new(m, "exit_code", json_integer(r->exit_code));
	json_object_set_new(m, "wall_s", num_or_null(r->wall_s));
	json_object_set_new(m, "cpu_user_s", num_or_null(r->user_s));
	json_object_set_new(m, "cpu_sys_s", num_or_null(r->sys_s));
	json_object_set_new(m, "memory_mb", num_or_null(r->max_rss_mb));
	json_object_set_new(m, "peak_rss_mb", num_or_null(r->max_rss_mb));
	json_object_set_new(m, "idle_rss_mb", num_or_null(isfinite(r->mem.idle_mb) && r->mem.idle_mb > 0 ? r->mem.idle_mb : -1));
	json_object_set_new(m, "minor_faults", json_integer(r->minflt));
	json_object_set_new(m, "major_faults", json_integer(r->majflt));
	json_object_set_new(m, "voluntary_switches", json_integer(r->vol_ctx));
	json_object_set_new(m, "involuntary_switches", json_integer(r->invol_ctx));
	json_object_set_new(m, "read_bytes", r->read_bytes >= 0 ? json_integer(r->read_bytes) : json_null());
	json_object_set_new(m, "write_bytes", r->write_bytes >= 0 ? json_integer(r->write_bytes) : json_null());
	json_object_set_new(m, "max_threads", json_integer(r->max_threads));
	json_t *mem = json_object();
	json_object_set_new(mem, "growth", json_string(mem_growth_name(r->mem.growth)));
	json_object_set_new(mem, "slope_mb_per_min", real_or_null(r->mem.slope_mb_min, 100));
	json_object_set_new(mem, "r2", real_or_null(r->mem.r2, 1000));
	json_object_set_new(mem, "baseline_mb", real_or_null(r->mem.baseline_mb, 10));
	json_object_set_new(mem, "final_mb", real_or_null(r->mem.final_mb, 10));
	json_object_set_new(mem, "plateau", json_boolean(r->mem.plateau));
	json_object_set_new(mem, "reason", jsonx_string(r->mem.reason));
	json_object_set_new(mem, "interval_s", json_real(o->mem_interval_s));
	json_object_set_new(mem, "timeline", timeline_json(r));
	json_object_set_new(m, "memory", mem);
	json_t *cpu = json_object();
	json_object_set_new(cpu, "sampler", jsonx_string(r->sampler));
	json_object_set_new(cpu, "python", r->python ? jsonx_string(r->python) : json_null());
	if (!r->python && r->python_error && o->python != PROF_PY_OFF)
		json_object_set_new(cpu, "python_error", jsonx_string(r->python_error));
	json_object_set_new(cpu, "python_samples", json_integer((json_int_t)r->py_samples));
	json_object_set_new(cpu, "hz", json_integer(o->hz));
	json_object_set_new(cpu, "samples", json_integer((json_int_t)r->cpu.total));
	json_object_set_new(cpu, "lost", json_integer((json_int_t)r->lost));
	json_object_set_new(cpu, "top_self", functions_json(r, 0));
	json_object_set_new(cpu, "top_total", functions_json(r, 1));
	json_object_set_new(cpu, "hottest_lines", lines_json(r));
	json_object_set_new(m, "cpu", cpu);

	if (r->exited && r->signal) {
		char title[128];
		snprintf(title, sizeof(title), "The command was killed by signal %d (SIG%s)", r->signal,
			 sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?");
		struct pa_finding *f = result_add_finding(res, "crashed", PA_SEV_HIGH, title);
		set_loc(f, r, NULL, NULL);
		f->evidence = json_pack("{s:i, s:f}", "signal", r->signal, "after_s", round(r->wall_s * 1000) / 1000);
		f->problem = "The program died of a signal before it finished; the profile covers the run up to then.";
		f->solution = "Run it under gdb or with core dumps on (ulimit -c unlimited) to see where.";
	}
	hot_findings(res, r);
	memory_findings(res, r, bs);
	return res;
}

/* ---- the terminal view ---- */

static double jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : -1;
}

void prof_print_human(const struct pa_result *r, FILE *out)
{
	json_t *m = r->metrics, *mem = json_object_get(m, "memory"), *cpu = json_object_get(m, "cpu");
	fprintf(out, "%s\n", json_string_value(json_object_get(m, "command")));
	const char *sig = json_string_value(json_object_get(m, "signal"));
	const char *stop = json_string_value(json_object_get(m, "stopped_by"));
	fprintf(out, "  wall %.2fs  CPU user %.2fs sys %.2fs  peak RSS %.1f MB  threads %lld", jnum(m, "wall_s"),
		jnum(m, "cpu_user_s"), jnum(m, "cpu_sys_s"), jnum(m, "peak_rss_mb"),
		(long long)json_integer_value(json_object_get(m, "max_threads")));
	if (sig)
		fprintf(out, "  killed by SIG%s", sig);
	else if (json_object_get(m, "exit_code"))
		fprintf(out, "  exit %lld", (long long)json_integer_value(json_object_get(m, "exit_code")));
	if (stop && strcmp(stop, "exit") != 0)
		fprintf(out, "  (stopped: %s)", stop);
	fprintf(out, "\n  faults %lld minor / %lld major  context switches %lld voluntary / %lld involuntary\n",
		(long long)json_integer_value(json_object_get(m, "minor_faults")),
		(long long)json_integer_value(json_object_get(m, "major_faults")),
		(long long)json_integer_value(json_object_get(m, "voluntary_switches")),
		(long long)json_integer_value(json_object_get(m, "involuntary_switches")));
	fprintf(out, "\nMemory: growth %s — %s\n", json_string_value(json_object_get(mem, "growth")),
		json_string_value(json_object_get(mem, "reason")));
	fprintf(out, "\nCPU: %lld samples (%s)\n", (long long)json_integer_value(json_object_get(cpu, "samples")),
		json_string_value(json_object_get(cpu, "sampler")));
	json_t *top = json_object_get(cpu, "top_self");
	if (json_array_size(top)) {
		fprintf(out, "   self%%  total%%  function\n");
		size_t i;
		json_t *f;
		json_array_foreach(top, i, f) {
			if (i >= 15)
				break;
			const char *mod = json_string_value(json_object_get(f, "module"));
			int bracketed = mod && mod[0] == '[';
			fprintf(out, "  %5.1f  %6.1f  %s%s%s%s\n", jnum(f, "self_pct"), jnum(f, "total_pct"),
				json_string_value(json_object_get(f, "name")), mod ? (bracketed ? "  " : "  [") : "",
				mod ? mod : "", mod && !bracketed ? "]" : "");
		}
	}
	json_t *lines = json_object_get(cpu, "hottest_lines");
	if (json_array_size(lines)) {
		fprintf(out, "\n  hottest lines\n");
		size_t i;
		json_t *l;
		json_array_foreach(lines, i, l) {
			if (i >= 5)
				break;
			fprintf(out, "  %5.1f  %s:%lld  %s\n", jnum(l, "self_pct"),
				json_string_value(json_object_get(l, "file")),
				(long long)json_integer_value(json_object_get(l, "line")),
				json_string_value(json_object_get(l, "function")));
		}
	}
	if (r->nfindings) {
		fprintf(out, "\nFindings (%zu)\n", r->nfindings);
		for (size_t i = 0; i < r->nfindings; i++)
			fprintf(out, "  %-8s %-18s %s\n", severity_name(r->findings[i]->severity),
				r->findings[i]->rule, r->findings[i]->title);
	}
	for (size_t i = 0; i < r->nartifacts; i++)
		fprintf(out, "%s%s: %s\n", i == 0 ? "\n" : "", r->artifacts[i].kind, r->artifacts[i].path);
}
