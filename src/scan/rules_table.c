/*
 * rules_table: the scan rules in the order docs/scan.md lists them. The
 * driver runs them in this order and --list-rules prints it; a new rule is
 * a file in src/scan/rules/, a line in rules.h and a line here.
 */
#include "rules.h"

const struct scan_rule *const scan_rules[] = {
	&scan_rule_n_plus_one,
	&scan_rule_query_in_loop,
	&scan_rule_quadratic,
	&scan_rule_string_concat_in_loop,
	&scan_rule_blocking_io_in_async,
	&scan_rule_missing_cache,
	&scan_rule_missing_index,
	&scan_rule_unbounded_query,
	&scan_rule_sql_smells,
};

const size_t scan_nrules = sizeof(scan_rules) / sizeof(scan_rules[0]);
