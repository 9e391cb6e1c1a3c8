/*
 * perfagent: a performance engineer in one binary.
 *
 * main() is the command table and nothing else: find the command, parse its
 * flags through the shared parser (src/cmd/common.c), answer -h, run it,
 * and make sure what it printed reached stdout. Each command lives in
 * src/cmd/NAME.c; a command not built yet has its table entry and help,
 * says so, and exits 2.
 */
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "core/suggest.h"
#include "core/version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const struct cli_spec *spec;
	cmd_fn fn; /* NULL: not built yet */
};

/* In the order of the seed's workflow: measure, analyze, recommend, verify, report. */
static const struct command commands[] = {
	{&cmd_audit_spec, NULL},
	{&cmd_context_spec, cmd_context},
	{&cmd_scan_spec, cmd_scan},
	{&cmd_db_spec, cmd_db},
	{&cmd_explain_spec, cmd_explain},
	{&cmd_digest_spec, cmd_digest},
	{&cmd_load_spec, cmd_load},
	{&cmd_endpoints_spec, cmd_endpoints},
	{&cmd_web_spec, cmd_web},
	{&cmd_profile_spec, cmd_profile},
	{&cmd_bench_spec, cmd_bench},
	{&cmd_report_spec, cmd_report},
	{&cmd_mcp_spec, NULL},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const topics[] = {"budgets"};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].spec->name, name) == 0)
			return &commands[i];
	return NULL;
}

static void unknown_command(const char *name)
{
	const char *names[NCOMMANDS + 1];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].spec->name;
	names[NCOMMANDS] = "help";
	const char *hint = suggest_closest(name, names, NCOMMANDS + 1);
	if (hint)
		fprintf(stderr, "perfagent: '%s' is not a perfagent command (did you mean '%s'?)\n", name, hint);
	else
		fprintf(stderr, "perfagent: '%s' is not a perfagent command; see 'perfagent help'\n", name);
}

static void general_help(FILE *out)
{
	fputs("usage: perfagent COMMAND [ARGS] [OPTIONS]\n"
	      "       perfagent help [COMMAND|budgets]\n"
	      "       perfagent --version\n"
	      "\n"
	      "perfagent measures a web application - its code, its database, its HTTP\n"
	      "endpoints, its pages and its processes - and writes the audit report a senior\n"
	      "performance engineer would write.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s%s\n", commands[i].spec->name, commands[i].spec->summary,
			commands[i].fn ? "" : " (not built yet)");
	fputs("\n"
	      "Every command takes --json, -o FILE, --fail-on SEVERITY, --budget NAME=TARGET:CRITICAL,\n"
	      "--config FILE, -q and --no-progress. 'perfagent COMMAND -h' shows a command's options.\n"
	      "Exit codes: 0 done, 1 findings at --fail-on, 2 usage error, 3 could not run.\n",
	      out);
}

static void budgets_help(FILE *out)
{
	struct config c;
	struct perr e;
	config_init(&c);
	if (config_load_default(&c, NULL, &e))
		fprintf(stderr, "perfagent help: %s (showing the defaults)\n", e.msg);
	fprintf(out, "Budgets in force (%s):\n\n", c.path[0] ? c.path : "the defaults, from the seed");
	fprintf(out, "  %-20s %-11s %-20s %s\n", "name", "target", "warning", "critical");
	for (int i = 0; i < BUDGET_COUNT; i++) {
		const struct budget *b = &c.budgets.b[i];
		char t[32], cr[32], tt[40], line[80], crit[40];
		fmt_unit(b->unit, b->target, t, sizeof(t));
		fmt_unit(b->unit, b->critical, cr, sizeof(cr));
		snprintf(tt, sizeof(tt), "<%s", t);
		snprintf(line, sizeof(line), "%s-%s", t, cr);
		snprintf(crit, sizeof(crit), ">%s", cr);
		fprintf(out, "  %-20s %-11s %-20s %s", b->name, tt, line, crit);
		if (b->escalate > 0) {
			char x[32];
			fmt_unit(b->unit, b->escalate, x, sizeof(x));
			fprintf(out, " (above %s: critical, escalate to /dev + /tl)", x);
		}
		fputc('\n', out);
	}
	fputs("\nA finding's severity: warning -> medium, critical -> high.\n"
	      "Override in perfagent.ini ([budgets] NAME = TARGET:CRITICAL) or with\n"
	      "--budget NAME=TARGET:CRITICAL, e.g. --budget api_endpoint=200ms:1s.\n"
	      "Aliases: api, endpoint, db, query, page, task.\n",
	      out);
}

static int print_help(const struct cli_spec *spec)
{
	struct buf b = BUF_INIT;
	cli_help(spec, cmd_common_opts, &b);
	fputs(buf_str(&b), stdout);
	buf_free(&b);
	return EXIT_DONE;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "perfagent help: unexpected argument '%s'; usage: perfagent help [COMMAND|budgets]\n",
			argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 0) {
		general_help(stdout);
		return EXIT_DONE;
	}
	if (strcmp(argv[0], "budgets") == 0) {
		budgets_help(stdout);
		return EXIT_DONE;
	}
	const struct command *c = find_command(argv[0]);
	if (!c) {
		const char *names[NCOMMANDS + 1];
		for (size_t i = 0; i < NCOMMANDS; i++)
			names[i] = commands[i].spec->name;
		names[NCOMMANDS] = topics[0];
		const char *hint = suggest_closest(argv[0], names, NCOMMANDS + 1);
		fprintf(stderr, "perfagent help: no command or topic '%s'%s%s%s\n", argv[0],
			hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
		return EXIT_USAGE;
	}
	return print_help(c->spec);
}

/* A command not built yet: -h works; anything else says so, whatever the arguments. */
static int not_built(const struct command *c, int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    (argv[i][0] == '-' && argv[i][1] != '-' && strchr(argv[i], 'h')))
			return print_help(c->spec);
	fprintf(stderr, "perfagent %s: %s; see 'perfagent help %s' for what it will do\n", c->spec->name,
		c->spec->status, c->spec->name);
	return EXIT_USAGE;
}

static int run(const struct command *c, int argc, char **argv)
{
	struct cmd_ctx ctx;
	int code;
	if (!c->fn)
		return not_built(c, argc, argv);
	if (cmd_setup(&ctx, c->spec, argc, argv, &code)) {
		cmd_teardown(&ctx);
		return code;
	}
	if (cli_count(&ctx.args, "help"))
		code = print_help(c->spec);
	else
		code = c->fn(&ctx);
	cmd_teardown(&ctx);
	return code;
}

/* A failed write to stdout (a full disk, a closed pipe) is an error, not a success. */
static int finish(int code)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "perfagent: cannot write to standard output: %s\n",
			errno ? strerror(errno) : "write error");
		return EXIT_CANNOT_RUN;
	}
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		general_help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0 || strcmp(name, "version") == 0) {
		printf("perfagent %s (result schema %s)\n", PA_VERSION, PA_SCHEMA);
		return finish(EXIT_DONE);
	}
	if (strcmp(name, "help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
		return finish(cmd_help(argc - 2, argv + 2));
	if (strcmp(name, "--list-commands") == 0) {
		for (size_t i = 0; i < NCOMMANDS; i++)
			puts(commands[i].spec->name);
		return finish(EXIT_DONE);
	}
	if (name[0] == '-') {
		static const char *const top[] = {"--version", "--help", "--list-commands"};
		const char *hint = suggest_closest(name, top, sizeof(top) / sizeof(top[0]));
		if (hint)
			fprintf(stderr, "perfagent: unknown option '%s' (did you mean '%s'?)\n", name, hint);
		else
			fprintf(stderr, "perfagent: unknown option '%s' before the command; see 'perfagent help'\n",
				name);
		return EXIT_USAGE;
	}
	const struct command *c = find_command(name);
	if (!c) {
		unknown_command(name);
		return EXIT_USAGE;
	}
	return finish(run(c, argc - 2, argv + 2));
}
