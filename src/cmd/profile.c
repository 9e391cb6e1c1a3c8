/*
 * profile: `perfagent profile -- CMD ARGS...` or `--pid PID` — the seed's
 * profiling step (cProfile, memory_profiler, tracemalloc) done from
 * outside the program: CPU samples from perf events, the memory timeline
 * from /proc, a leak verdict, top functions and lines, and the flame
 * graph, folded stacks and speedscope files. The run is src/prof/prun.c,
 * the result src/prof/presult.c, the writers src/prof/flame.c.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/buf.h"
#include "../core/fsutil.h"
#include "../core/units.h"
#include "../prof/flame.h"
#include "../prof/prof.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_opt profile_opts[] = {
	{"pid", 0, CLI_VALUE, "PID", "attach to a running process instead of running a command"},
	{"duration", 0, CLI_VALUE, "SECONDS", "stop after SECONDS (a command is then ended)"},
	{"hz", 0, CLI_VALUE, "N", "CPU samples per second (default: 99)"},
	{"mem-interval", 0, CLI_VALUE, "MS", "RSS sampling interval in ms (default: 50)"},
	{"follow-children", 0, CLI_FLAG, NULL, "add the memory of child processes"},
	{"python", 0, CLI_VALUE, "auto|on|off", "read CPython 3.11/3.12 frames (default: auto, when the target is one)"},
	{"folded", 0, CLI_VALUE, "FILE", "write folded stacks"},
	{"flamegraph", 0, CLI_VALUE, "FILE", "write a flame graph SVG"},
	{"speedscope", 0, CLI_VALUE, "FILE", "write speedscope JSON"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_profile_spec = {
	.name = "profile",
	.summary = "CPU samples, memory timeline, leaks and a flame graph of a command or pid.",
	.args = "[CMD ARGS...]",
	.min_args = 0,
	.max_args = -1,
	.opts = profile_opts,
	.description =
		"Runs CMD (after --) or attaches to --pid until it exits, --duration passes or\n"
		"Ctrl-C, and reports what it saw: wall and CPU time, peak RSS, the RSS timeline\n"
		"and whether memory grows (none, slow, rapid leak, in MB/min), page faults,\n"
		"context switches, I/O; CPU samples from perf events with user-space call\n"
		"chains, resolved with ELF symbols and DWARF lines: the top functions, the\n"
		"hottest lines, and a flame graph.",
};

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	prof_print_human(r, out);
}

/* Write one of the profile's files; 0, or EXIT_CANNOT_RUN after saying why. */
static int write_out(struct cmd_ctx *ctx, struct pa_result *r, const char *path, const char *kind, struct buf *b)
{
	struct perr e;
	if (fs_write_atomic(path, b->data ? b->data : "", b->len, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	result_add_artifact(r, kind, path);
	return 0;
}

int cmd_profile(struct cmd_ctx *ctx)
{
	struct perr e;
	struct prof_opts o = {.hz = 99, .mem_interval_s = 0.05, .progress = &ctx->progress};
	const char *v;
	long n;
	double d;
	if ((v = cli_str(&ctx->args, "pid"))) {
		if (cmd_parse_long(v, 1, 1L << 30, &n)) {
			cmd_error(ctx, "--pid '%s': expected a process id", v);
			return EXIT_USAGE;
		}
		o.pid = (pid_t)n;
		if (ctx->args.npos) {
			cmd_error(ctx, "give either --pid or a command after --, not both");
			return EXIT_USAGE;
		}
	} else if (ctx->args.npos == 0) {
		cmd_error(ctx, "nothing to profile: give a command after -- (perfagent profile -- python3 app.py) or --pid PID");
		return EXIT_USAGE;
	} else {
		o.argv = (char *const *)ctx->args.pos;
	}
	if ((v = cli_str(&ctx->args, "duration")) && (unit_parse_seconds(v, &o.duration_s) || o.duration_s <= 0)) {
		cmd_error(ctx, "--duration '%s': expected seconds, e.g. 30 or 500ms", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "hz"))) {
		if (cmd_parse_long(v, 1, 10000, &n)) {
			cmd_error(ctx, "--hz '%s': expected 1 to 10000 samples per second", v);
			return EXIT_USAGE;
		}
		o.hz = (int)n;
	}
	if ((v = cli_str(&ctx->args, "mem-interval"))) {
		char *end;
		d = strtod(v, &end);
		if (end == v || *end || d < 5 || d > 60000) {
			cmd_error(ctx, "--mem-interval '%s': expected milliseconds, 5 to 60000", v);
			return EXIT_USAGE;
		}
		o.mem_interval_s = d / 1000;
	}
	if ((v = cli_str(&ctx->args, "python")) && strcmp(v, "auto") && strcmp(v, "on") && strcmp(v, "off")) {
		cmd_error(ctx, "--python '%s': expected auto, on or off", v);
		return EXIT_USAGE;
	}
	o.python = !v || strcmp(v, "auto") == 0 ? PROF_PY_AUTO : strcmp(v, "on") == 0 ? PROF_PY_ON : PROF_PY_OFF;
	o.follow_children = cli_count(&ctx->args, "follow-children") > 0;
	o.growth_slow_mb_min = ctx->config.budgets.b[BUDGET_MEMORY_GROWTH].target;
	o.growth_rapid_mb_min = ctx->config.budgets.b[BUDGET_MEMORY_GROWTH].critical;
	o.stop = cmd_catch_interrupt();

	struct prof_run run;
	if (prof_run(&o, &run, &e)) {
		cmd_error(ctx, "%s", e.msg);
		prof_run_free(&run);
		return EXIT_CANNOT_RUN;
	}
	if (!run.cpu_ok)
		cmd_note(ctx, "no CPU samples: %s", run.sampler + strlen("none: "));
	int py_missing = o.python == PROF_PY_ON && !run.python;
	if (!run.python && run.python_error && o.python == PROF_PY_AUTO && o.argv &&
	    strncmp(strrchr(o.argv[0], '/') ? strrchr(o.argv[0], '/') + 1 : o.argv[0], "python", 6) == 0)
		cmd_note(ctx, "no Python frames: %s", run.python_error);
	struct pa_result *r = prof_result_build(&o, &run, &ctx->config.budgets);
	int rc = 0;
	struct buf b = BUF_INIT;
	if ((v = cli_str(&ctx->args, "folded"))) {
		flame_folded(&run.cpu, &b);
		rc = rc ? rc : write_out(ctx, r, v, "folded", &b);
		buf_reset(&b);
	}
	if ((v = cli_str(&ctx->args, "flamegraph"))) {
		flame_svg(&run.cpu, run.command, 0, &b);
		rc = rc ? rc : write_out(ctx, r, v, "flamegraph", &b);
		buf_reset(&b);
	}
	if ((v = cli_str(&ctx->args, "speedscope"))) {
		flame_speedscope(&run.cpu, run.command, &b);
		rc = rc ? rc : write_out(ctx, r, v, "speedscope", &b);
		buf_reset(&b);
	}
	buf_free(&b);
	int emit = cmd_emit(ctx, r, human);
	if (!rc)
		rc = emit;
	if (py_missing) {
		cmd_error(ctx, "--python on: %s", run.python_error ? run.python_error : "no CPython 3.11/3.12 interpreter found");
		rc = EXIT_CANNOT_RUN;
	}
	if (run.exited && run.signal) {
		/* a crash is reported, and it is also the exit status: the run did not complete */
		cmd_error(ctx, "'%s' was killed by signal %d (SIG%s) after %.2f s", o.argv ? o.argv[0] : run.command,
			  run.signal, sigabbrev_np(run.signal) ? sigabbrev_np(run.signal) : "?", run.wall_s);
		rc = EXIT_CANNOT_RUN;
	}
	result_free(r);
	prof_run_free(&run);
	return rc;
}
