/*
 * commands: every command's spec and entry point, for the table in
 * src/main.c. A command that is not built yet has a spec (so -h and the
 * docs exist) and no entry point.
 */
#ifndef PA_COMMANDS_H
#define PA_COMMANDS_H

#include "cmd.h"

extern const struct cli_spec cmd_audit_spec;
extern const struct cli_spec cmd_context_spec;
extern const struct cli_spec cmd_scan_spec;
extern const struct cli_spec cmd_db_spec;
extern const struct cli_spec cmd_explain_spec;
extern const struct cli_spec cmd_digest_spec;
extern const struct cli_spec cmd_load_spec;
extern const struct cli_spec cmd_endpoints_spec;
extern const struct cli_spec cmd_web_spec;
extern const struct cli_spec cmd_profile_spec;
extern const struct cli_spec cmd_bench_spec;
extern const struct cli_spec cmd_report_spec;
extern const struct cli_spec cmd_mcp_spec;

int cmd_report(struct cmd_ctx *ctx);
int cmd_scan(struct cmd_ctx *ctx);
int cmd_context(struct cmd_ctx *ctx);
int cmd_load(struct cmd_ctx *ctx);
int cmd_endpoints(struct cmd_ctx *ctx);
int cmd_digest(struct cmd_ctx *ctx);
int cmd_db(struct cmd_ctx *ctx);
int cmd_explain(struct cmd_ctx *ctx);
int cmd_web(struct cmd_ctx *ctx);
int cmd_profile(struct cmd_ctx *ctx);
int cmd_bench(struct cmd_ctx *ctx);

/* db and explain: parse --connect-timeout (default 10 s); -1 after printing the error. */
int db_cmd_timeout(struct cmd_ctx *ctx, unsigned *out);

#endif
