/*
 * bench: `perfagent bench [options] -- CMD ARGS...` — the seed's timeit and
 * its VERIFY step. Runs a command repeatedly after warm-ups and reports
 * wall time (min, median, max, stddev), CPU time and peak RSS; with
 * --vs 'CMD2' runs the two alternately (A B A B ..., so drift in the
 * machine hits both) and says which is faster by the ratio of medians
 * with a bootstrap 95% interval — or that the difference is within noise.
 * Running is src/prof/runner.c; the statistics are src/prof/benchstat.c.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../prof/benchstat.h"
#include "../prof/runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { RUNS_MAX = 1000, WARMUP_MAX = 100, VS_RUNS_MIN = 5 };

static const struct cli_opt bench_opts[] = {
	{"runs", 0, CLI_VALUE, "N", "measured runs of each command (default: 10; 1 to 1000, at least 5 with --vs)"},
	{"warmup", 0, CLI_VALUE, "N", "unmeasured runs of each command first (default: 1; 0 to 100)"},
	{"vs", 0, CLI_VALUE, "'CMD2'", "a shell command to compare with: runs alternate A B A B ..."},
	{"timeout", 0, CLI_VALUE, "SECONDS", "kill a run (and what it started) after SECONDS (default: 60)"},
	{"show-output", 0, CLI_FLAG, NULL, "let the commands write to the terminal (default: /dev/null)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_bench_spec = {
	.name = "bench",
	.summary = "Time a command over repeated runs; compare two with a confidence interval.",
	.args = "[--] CMD [ARGS...]",
	.min_args = 0,
	.max_args = -1,
	.opts = bench_opts,
	.description =
		"Runs CMD --warmup times unmeasured, then --runs times measured, and reports wall\n"
		"time (min, median, max, stddev), CPU time (user+sys) and peak RSS. With --vs, CMD2\n"
		"(a shell command) is B and CMD is A: after the warm-ups of each they run\n"
		"alternately, and the verdict is the ratio of medians A/B with a bootstrap 95%\n"
		"interval: which is faster and by how much, or no difference beyond noise.\n"
		"B slower than A beyond noise is a 'regression' finding (medium), for --fail-on.\n"
		"Put CMD after -- so its own options are not read as perfagent's. A run that\n"
		"fails (non-zero exit, a signal, --timeout) stops the benchmark with exit 3.",
};

/* One of the commands being compared and its measurements. */
struct side {
	const char *label;   /* "A" or "B" */
	const char *display; /* the command as the user would type it */
	struct runner_opts ro;
	double *wall, *cpu;  /* one per measured run */
	double max_rss_mb;
	size_t n;
};

/* Characters that need no quoting in a shell word. */
static int shell_safe(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%^", *s))
			return 0;
	return 1;
}

/* The argv as one line a shell would read back the same: words joined, quoted where needed. */
static char *join_argv(const char *const *argv, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, ' ');
		if (shell_safe(argv[i])) {
			buf_puts(&b, argv[i]);
			continue;
		}
		buf_putc(&b, '\'');
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				buf_puts(&b, "'\\''");
			else
				buf_putc(&b, *p);
		}
		buf_putc(&b, '\'');
	}
	return buf_detach(&b);
}

/* "run 3/10 of A ('sleep 1')" or, with one command, "run 3/10 ('sleep 1')". */
static void run_name(struct buf *b, const struct side *s, int two, const char *phase, long i, long total)
{
	buf_printf(b, "%s %ld/%ld", phase, i, total);
	if (two)
		buf_printf(b, " of %s", s->label);
	/* A command with quotes of its own reads better in double quotes. */
	if (strchr(s->display, '\''))
		buf_printf(b, " (\"%s\")", s->display);
	else
		buf_printf(b, " ('%s')", s->display);
}

/*
 * One run of side s. Returns 0 when it succeeded (and records it when
 * `measured`), 1 when it was interrupted, or EXIT_CANNOT_RUN after
 * printing how it failed.
 */
static int run_one(struct cmd_ctx *ctx, struct side *s, int two, int measured, long i, long total)
{
	struct runner_result rr;
	struct perr e;
	progress_update(&ctx->progress, "%s %ld/%ld  %s", measured ? "run" : "warm-up", i, total, s->label);
	if (runner_run(&s->ro, &rr, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	if (rr.end == RUNNER_STOPPED)
		return 1;
	if (rr.end == RUNNER_EXEC_FAILED) {
		cmd_error(ctx, "cannot run '%s': %s", s->ro.argv[0], strerror(rr.status));
		return EXIT_CANNOT_RUN;
	}
	if (!runner_ok(&rr)) {
		char how[256];
		struct buf b = BUF_INIT;
		runner_describe(&rr, s->ro.timeout_s, how, sizeof(how));
		run_name(&b, s, two, measured ? "run" : "warm-up run", i, total);
		buf_printf(&b, " %s", how);
		if (rr.end == RUNNER_EXITED && rr.status == 127 && s->ro.shell)
			buf_puts(&b, ": the shell could not find the command");
		buf_puts(&b, "; bench measures commands that succeed");
		if (!s->ro.show_output && rr.end != RUNNER_TIMED_OUT)
			buf_puts(&b, " (rerun with --show-output to see what it printed)");
		progress_clear(&ctx->progress);
		cmd_error(ctx, "%s", buf_str(&b));
		buf_free(&b);
		return EXIT_CANNOT_RUN;
	}
	if (measured) {
		s->wall[s->n] = rr.wall_s;
		s->cpu[s->n] = rr.user_s + rr.sys_s;
		if (rr.max_rss_mb > s->max_rss_mb)
			s->max_rss_mb = rr.max_rss_mb;
		s->n++;
		progress_update(&ctx->progress, "run %ld/%ld  %s  %.2fs", i, total, s->label, rr.wall_s);
	}
	return 0;
}

static double round_to(double v, double unit)
{
	return isfinite(v) ? round(v / unit) * unit : 0;
}

/* {"min","median","max","mean","stddev","values"} of x, in seconds to the microsecond. */
static json_t *summary_json(const double *x, size_t n)
{
	struct bstat_summary s;
	bstat_summarize(x, n, &s);
	json_t *o = json_object();
	json_object_set_new(o, "min", json_real(round_to(s.min, 1e-6)));
	json_object_set_new(o, "median", json_real(round_to(s.median, 1e-6)));
	json_object_set_new(o, "max", json_real(round_to(s.max, 1e-6)));
	json_object_set_new(o, "mean", json_real(round_to(s.mean, 1e-6)));
	json_object_set_new(o, "stddev", json_real(round_to(s.stddev, 1e-6)));
	json_t *v = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(v, json_real(round_to(x[i], 1e-6)));
	json_object_set_new(o, "values", v);
	return o;
}

static json_t *side_json(const struct side *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "command", jsonx_string(s->display));
	json_object_set_new(o, "runs", json_integer((json_int_t)s->n));
	json_object_set_new(o, "wall_s", summary_json(s->wall, s->n));
	json_object_set_new(o, "cpu_s", summary_json(s->cpu, s->n));
	json_object_set_new(o, "max_rss_mb", json_real(round_to(s->max_rss_mb, 0.01)));
	return o;
}

/* A ratio the way people read them: 3 decimals near 1, where 1.003x and 1.000x differ. */
static void fmt_ratio(double r, char *out, size_t n)
{
	snprintf(out, n, r < 1.1 ? "%.3fx" : r < 10 ? "%.2fx" : "%.1fx", r);
}

/*
 * The verdict on the ratio median(A)/median(B) in one line: "B is 1.84x
 * faster than A (95% CI 1.71x–1.97x)", the same the other way round, or
 * "no difference beyond noise: ...".
 */
static void verdict(const struct bstat_ratio *q, struct buf *b)
{
	char r[32], lo[32], hi[32];
	switch (q->faster) {
	case BSTAT_B:
		fmt_ratio(q->ratio, r, sizeof(r));
		fmt_ratio(q->ci_low, lo, sizeof(lo));
		fmt_ratio(q->ci_high, hi, sizeof(hi));
		buf_printf(b, "B is %s faster than A (95%% CI %s\u2013%s)", r, lo, hi);
		break;
	case BSTAT_A:
		fmt_ratio(1 / q->ratio, r, sizeof(r));
		fmt_ratio(1 / q->ci_high, lo, sizeof(lo));
		fmt_ratio(1 / q->ci_low, hi, sizeof(hi));
		buf_printf(b, "A is %s faster than B (95%% CI %s\u2013%s)", r, lo, hi);
		break;
	case BSTAT_NEITHER:
		fmt_ratio(q->ratio, r, sizeof(r));
		fmt_ratio(q->ci_low, lo, sizeof(lo));
		fmt_ratio(q->ci_high, hi, sizeof(hi));
		buf_printf(b, "no difference beyond noise: median A/B %s (95%% CI %s\u2013%s) includes 1", r, lo, hi);
		break;
	}
}

static json_t *ratio_json(const struct bstat_ratio *q)
{
	json_t *o = json_object();
	json_object_set_new(o, "median_ratio", json_real(round_to(q->ratio, 1e-4)));
	json_object_set_new(o, "ci_low", json_real(round_to(q->ci_low, 1e-4)));
	json_object_set_new(o, "ci_high", json_real(round_to(q->ci_high, 1e-4)));
	json_object_set_new(o, "level", json_real(0.95));
	json_object_set_new(o, "faster", q->faster == BSTAT_A ? json_string("a")
					 : q->faster == BSTAT_B ? json_string("b")
								: json_null());
	json_object_set_new(o, "within_noise", json_boolean(q->within_noise));
	struct buf b = BUF_INIT;
	verdict(q, &b);
	json_object_set_new(o, "verdict", jsonx_string(buf_str(&b)));
	buf_free(&b);
	return o;
}

/* B slower than A beyond noise: the finding CI fails on with --fail-on medium. */
static void add_regression(struct pa_result *r, const struct side *a, const struct side *b,
			   const struct bstat_ratio *q)
{
	char x[32], lo[32], hi[32];
	fmt_ratio(1 / q->ratio, x, sizeof(x));
	fmt_ratio(1 / q->ci_high, lo, sizeof(lo));
	fmt_ratio(1 / q->ci_low, hi, sizeof(hi));
	struct buf t = BUF_INIT;
	buf_printf(&t, "B is %s slower than A: '%s' vs '%s'", x, b->display, a->display);
	struct pa_finding *f = result_add_finding(r, "regression", PA_SEV_MEDIUM, buf_str(&t));
	buf_reset(&t);
	buf_printf(&t, "the median wall time of B ('%s') is %s that of A ('%s'), 95%% CI %s\u2013%s, "
		       "beyond run-to-run noise",
		   b->display, x, a->display, lo, hi);
	f->problem = result_str(r, buf_str(&t));
	buf_reset(&t);
	buf_printf(&t, "%s slower than A", x);
	f->impact = result_str(r, buf_str(&t));
	f->recommendation = result_str(r, "Find what made B slower before adopting it: profile both with perfagent profile.");
	f->impact_score = 1 / q->ratio;
	f->has_impact_score = 1;
	buf_free(&t);
	json_t *ev = json_object();
	struct bstat_summary sa, sb;
	bstat_summarize(a->wall, a->n, &sa);
	bstat_summarize(b->wall, b->n, &sb);
	json_object_set_new(ev, "median_a_s", json_real(round_to(sa.median, 1e-6)));
	json_object_set_new(ev, "median_b_s", json_real(round_to(sb.median, 1e-6)));
	json_object_set_new(ev, "median_ratio", json_real(round_to(q->ratio, 1e-4)));
	json_object_set_new(ev, "ci_low", json_real(round_to(q->ci_low, 1e-4)));
	json_object_set_new(ev, "ci_high", json_real(round_to(q->ci_high, 1e-4)));
	json_object_set_new(ev, "runs", json_integer((json_int_t)(a->n < b->n ? a->n : b->n)));
	f->evidence = ev;
}

/* One command's block of the human view, read back from its metrics object. */
static void human_side(const json_t *s, const char *label, long warmup, double floor_mb, FILE *out)
{
	const json_t *w = json_object_get(s, "wall_s"), *c = json_object_get(s, "cpu_s");
	char mn[32], md[32], mx[32], sd[32], cpu[32], rss[32];
	fmt_ms(jsonx_number(w, "min", NULL) * 1000, mn, sizeof(mn));
	fmt_ms(jsonx_number(w, "median", NULL) * 1000, md, sizeof(md));
	fmt_ms(jsonx_number(w, "max", NULL) * 1000, mx, sizeof(mx));
	fmt_ms(jsonx_number(w, "stddev", NULL) * 1000, sd, sizeof(sd));
	fmt_ms(jsonx_number(c, "median", NULL) * 1000, cpu, sizeof(cpu));
	double rss_mb = jsonx_number(s, "max_rss_mb", NULL);
	/* At the floor, all we know is that the program is no bigger than it. */
	int at_floor = floor_mb > 0 && rss_mb <= floor_mb * 1.05;
	fmt_mb(at_floor ? floor_mb : rss_mb, rss, sizeof(rss));
	json_int_t runs = json_integer_value(json_object_get(s, "runs"));
	if (label)
		fprintf(out, "%s: %s\n", label, json_string_value(json_object_get(s, "command")));
	else
		fprintf(out, "%s\n", json_string_value(json_object_get(s, "command")));
	fprintf(out, "  runs      %lld (after %ld warm-up%s)\n", (long long)runs, warmup, warmup == 1 ? "" : "s");
	fprintf(out, "  wall      min %s  median %s  max %s  stddev %s\n", mn, md, mx, sd);
	fprintf(out, "  cpu       median %s (user+sys)\n", cpu);
	fprintf(out, "  peak RSS  %s%s%s\n", at_floor ? "\u2264" : "", rss,
		at_floor ? " (the least measurable from here)" : "");
}

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	const json_t *m = r->metrics;
	long warmup = (long)json_integer_value(json_object_get(m, "warmup"));
	double floor_mb = jsonx_number(m, "rss_floor_mb", NULL);
	const json_t *b = json_object_get(m, "b");
	human_side(json_object_get(m, "a"), b ? "A" : NULL, warmup, floor_mb, out);
	if (!b)
		return;
	fputc('\n', out);
	human_side(b, "B", warmup, floor_mb, out);
	fputc('\n', out);
	const json_t *q = json_object_get(m, "ratio");
	if (q)
		fprintf(out, "%s\n", json_string_value(json_object_get(q, "verdict")));
	else
		fputs("too few runs to compare A and B (interrupted)\n", out);
}

int cmd_bench(struct cmd_ctx *ctx)
{
	long runs = 10, warmup = 1;
	double timeout = 60;
	const char *v;
	if ((v = cli_str(&ctx->args, "runs")) && cmd_parse_long(v, 1, RUNS_MAX, &runs)) {
		cmd_error(ctx, "--runs '%s': expected 1 to %d", v, RUNS_MAX);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "warmup")) && cmd_parse_long(v, 0, WARMUP_MAX, &warmup)) {
		cmd_error(ctx, "--warmup '%s': expected 0 to %d", v, WARMUP_MAX);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "timeout")) && (unit_parse_seconds(v, &timeout) || timeout <= 0)) {
		cmd_error(ctx, "--timeout '%s': expected seconds, e.g. 60 or 500ms", v);
		return EXIT_USAGE;
	}
	const char *vs = cli_str(&ctx->args, "vs");
	if (vs && !vs[strspn(vs, " \t\n")]) {
		cmd_error(ctx, "--vs is empty: give the command to compare with, e.g. --vs './new-build --flag'");
		return EXIT_USAGE;
	}
	if (ctx->args.npos == 0) {
		cmd_error(ctx, "no command to run: put it after --, e.g. perfagent bench --runs 5 -- sleep 0.1");
		return EXIT_USAGE;
	}
	if (vs && runs < VS_RUNS_MIN) {
		cmd_error(ctx, "--runs %ld is too few to compare two commands: use --runs %d or more", runs,
			  VS_RUNS_MIN);
		return EXIT_USAGE;
	}

	int64_t t0 = clock_mono_ns();
	volatile sig_atomic_t *interrupted = cmd_catch_interrupt();
	size_t npos = ctx->args.npos;
	char **argv = xcalloc(npos + 1, sizeof(*argv));
	for (size_t i = 0; i < npos; i++)
		argv[i] = xstrdup(ctx->args.pos[i]);
	char *display = join_argv(ctx->args.pos, npos);
	int show = cli_count(&ctx->args, "show-output") > 0;
	int nsides = vs ? 2 : 1, two = nsides == 2;
	int rc = 0;
	struct pa_result *r = NULL;
	/*
	 * Alone, CMD is exec'd directly. Compared with --vs, which is a shell
	 * command, CMD runs through the shell too (as its words, quoted), so
	 * both pay the same start-up and the ratio compares the commands, not
	 * a shell against none. A missing program is then caught here, since
	 * the shell would only say 127.
	 */
	struct side sides[2] = {
		{.label = "A", .display = display, .ro = {.argv = argv, .shell = vs ? display : NULL}},
		{.label = "B", .display = vs, .ro = {.shell = vs}},
	};
	int missing = vs ? runner_check_program(argv[0]) : 0;
	if (missing) {
		cmd_error(ctx, "cannot run '%s': %s", argv[0], strerror(missing));
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	for (int k = 0; k < nsides; k++) {
		sides[k].ro.timeout_s = timeout;
		sides[k].ro.show_output = show;
		sides[k].ro.stop = interrupted;
		sides[k].wall = xcalloc((size_t)runs, sizeof(double));
		sides[k].cpu = xcalloc((size_t)runs, sizeof(double));
	}

	for (int k = 0; k < nsides && !rc; k++)
		for (long i = 1; i <= warmup && !rc; i++)
			rc = run_one(ctx, &sides[k], two, 0, i, warmup);
	for (long i = 1; i <= runs && !rc; i++)
		for (int k = 0; k < nsides && !rc; k++)
			rc = run_one(ctx, &sides[k], two, 1, i, runs);
	int stopped = rc == 1 || *interrupted;
	if (rc == EXIT_CANNOT_RUN)
		goto out;
	progress_clear(&ctx->progress);
	if (stopped) {
		if (sides[0].n == 0 || (two && sides[1].n == 0)) {
			cmd_error(ctx, "interrupted before every command had a measured run; nothing to report");
			rc = EXIT_CANNOT_RUN;
			goto out;
		}
		cmd_note(ctx, "interrupted: reporting the %zu measured run%s of %ld", sides[nsides - 1].n,
			 sides[nsides - 1].n == 1 ? "" : "s", runs);
	}

	r = result_new("bench");
	json_object_set_new(r->target, "command", jsonx_string(display));
	if (vs)
		json_object_set_new(r->target, "vs", jsonx_string(vs));
	size_t measured = two && sides[1].n < sides[0].n ? sides[1].n : sides[0].n;
	json_object_set_new(r->metrics, "runs", json_integer((json_int_t)measured));
	json_object_set_new(r->metrics, "warmup", json_integer(warmup));
	json_object_set_new(r->metrics, "timeout_s", json_real(timeout));
	json_object_set_new(r->metrics, "rss_floor_mb", json_real(round_to(runner_rss_floor_mb(), 0.01)));
	if (stopped)
		json_object_set_new(r->metrics, "interrupted", json_true());
	json_object_set_new(r->metrics, "a", side_json(&sides[0]));
	if (two) {
		json_object_set_new(r->metrics, "b", side_json(&sides[1]));
		if (sides[0].n >= VS_RUNS_MIN && sides[1].n >= VS_RUNS_MIN) {
			struct bstat_ratio q;
			struct perr e;
			if (bstat_ratio_ci(sides[0].wall, sides[0].n, sides[1].wall, sides[1].n, BSTAT_RESAMPLES, 0.95,
					   BSTAT_SEED, &q, &e)) {
				cmd_error(ctx, "%s", e.msg);
				rc = EXIT_CANNOT_RUN;
				goto out;
			}
			json_object_set_new(r->metrics, "ratio", ratio_json(&q));
			if (q.faster == BSTAT_A)
				add_regression(r, &sides[0], &sides[1], &q);
		}
	}
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	rc = cmd_emit(ctx, r, human);
out:
	result_free(r);
	for (int k = 0; k < nsides; k++) {
		free(sides[k].wall);
		free(sides[k].cpu);
	}
	for (size_t i = 0; i < npos; i++)
		free(argv[i]);
	free(argv);
	free(display);
	return rc;
}
