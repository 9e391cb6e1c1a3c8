/*
 * sarif: a scan report as SARIF 2.1.0, the format GitHub code scanning
 * (github/codeql-action/upload-sarif) and editors' SARIF viewers read.
 *
 * One run; tool.driver names perfagent and lists the rules that ran, each
 * with its description, its documentation link and its default level;
 * one result per finding with ruleId/ruleIndex, level, message, the file
 * as a relative URI (against %SRCROOT%, the current directory) and the
 * region's start line and column (columns in Unicode code points, as
 * run.columnKind says), and a partial fingerprint that survives the code
 * moving up or down. Files that could not be read and syntax errors are
 * the invocation's tool execution notifications.
 */
#ifndef PA_SCAN_SARIF_H
#define PA_SCAN_SARIF_H

#include <jansson.h>

#include "scan.h"

/* Where perfagent and its rule documentation live: SARIF wants absolute URIs. */

/* "error" (critical, high), "warning" (medium) or "note" (low, info). */
const char *scan_sarif_level(enum pa_severity s);

/*
 * The docs/scan.md anchor of a rule's section, "### NAME (SEVERITY)" as
 * GitHub renders it: "n-plus-one-high". Written into out (at least 96 bytes).
 */
void scan_sarif_anchor(const struct scan_rule *rule, char *out, size_t size);

/*
 * The SARIF log of a report (a new reference). cwd: the directory
 * relative paths are relative to, as an absolute path for
 * originalUriBaseIds, or NULL to leave that out.
 */
json_t *scan_sarif(const struct scan_report *r, const char *cwd);

#endif
