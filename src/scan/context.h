/*
 * context: `perfagent context` as a library call — the inventory of a
 * Python web project that the seed's Auto-Context Loading asks for before
 * any measuring:
 *
 *   rules         CLAUDE.md: its headings and the rule lines under them
 *   architecture  specs/architecture.md: the components it names
 *   dependencies  requirements*.txt (with -r includes), pyproject.toml,
 *                 Pipfile; the heavy ones marked, with why
 *   routes        Flask, FastAPI and Django routes with their full paths
 *                 (blueprint / router prefixes and url includes joined)
 *   services      functions that query the database or call HTTP APIs
 *
 * on any layout: every Python file of the project is parsed once (the scan
 * front end, pyfile.h), the facts kept and the tree dropped, then the
 * routes are put together across files. It is a reading of the source,
 * not an import of it: what the code builds at run time (a prefix from a
 * variable, a blueprint made in a loop) is beyond it, and it says so in
 * notes rather than guess. docs/context.md lists the heuristics.
 *
 * Memory: everything a project_context holds lives in its arena and goes
 * with context_free().
 */
#ifndef PA_SCAN_CONTEXT_H
#define PA_SCAN_CONTEXT_H

#include <stddef.h>
#include <stdio.h>

#include "../core/arena.h"
#include "../core/err.h"
#include "../core/result.h"

struct ctx_opts {
	int include_tests; /* also read tests/, test_*.py, *_test.py, conftest.py, tests.py */
};

/* One rule line of CLAUDE.md: a bullet or numbered line, marker taken off. */
struct ctx_rule_item {
	const char *text;
	unsigned line;
};

/* A heading of CLAUDE.md and the rule lines under it (heading NULL: before the first one). */
struct ctx_rule_section {
	const char *heading;
	int level; /* 1..6; 0 for the part before the first heading */
	unsigned line;
	struct ctx_rule_item *items;
	size_t nitems;
};

/* A component the architecture file names: a heading, or the name of a bullet. */
struct ctx_component {
	const char *name;
	const char *kind;    /* "heading" or "item" */
	const char *section; /* the heading it is under; NULL for none */
	const char *detail;  /* a bullet's text after its name ("routes requests"), or NULL */
	unsigned line;
};

struct ctx_dep {
	const char *name;   /* as written: "scikit-learn" */
	const char *spec;   /* the version specifier: "==1.3.2", ">=2,<3", "^2.0", "" for none */
	const char *extras; /* "security,socks", or NULL */
	const char *marker; /* "python_version < '3.11'", or NULL */
	const char *group;  /* NULL (main), or "dev", an optional-dependencies / poetry group name */
	const char *file;   /* relative to the project: "requirements/base.txt" */
	unsigned line;
	int heavy;
	const char *module;      /* heavy: what code imports ("sklearn" for scikit-learn) */
	const char *why;         /* heavy: one line of facts (approximate import time and memory) */
	int import_ms, rss_mb;   /* heavy: the approximate figures; 0 otherwise */
	const char *imported_at; /* heavy: "app/report.py:3" where project code imports it, or NULL */
	int imported_at_module;  /* that import is at module level (paid at start-up), not in a function */
};

struct ctx_route {
	const char *method; /* "GET" */
	const char *path;   /* "/api/users/<int:id>" */
	const char *file;
	unsigned line; /* the decorator, add_url_rule or path() call */
	const char *handler;   /* "get_user", "views.index" */
	const char *framework; /* "flask", "fastapi" or "django" */
};

struct ctx_service {
	const char *file;
	unsigned line;        /* the def */
	const char *function; /* "UserService.get", "<module>" for module-level code */
	int is_async;
	const char **db; /* the database calls, as written: "User.query.filter_by().first" */
	size_t ndb;
	const char **http; /* the HTTP calls, resolved: "requests.get" */
	size_t nhttp;
};

struct project_context {
	struct arena arena;
	const char *dir;
	size_t python_files;      /* parsed */
	size_t python_errors;     /* of those, with syntax errors (read as far as they parse) */
	const char *rules_file;   /* "CLAUDE.md", or NULL when there is none */
	struct ctx_rule_section *rules;
	size_t nrules;
	const char *architecture_file; /* "specs/architecture.md", or NULL */
	struct ctx_component *components;
	size_t ncomponents;
	struct ctx_dep *deps;
	size_t ndeps;
	struct ctx_route *routes; /* sorted by file, line, path, method */
	size_t nroutes;
	struct ctx_service *services; /* sorted by file, line */
	size_t nservices;
	const char **notes; /* what the reader should know: files missing, things not understood */
	size_t nnotes;
};

/*
 * Read the project under dir. Returns 0 with *out filled (files that are
 * missing or unreadable become notes, not errors), or -1 with e set when
 * dir is not a readable directory. context_free() *out in both cases.
 */
int context_load(const char *dir, const struct ctx_opts *o, struct project_context *out, struct perr *e);
void context_free(struct project_context *c);

/*
 * Fill r (command "context") from c: target {dir}, metrics {rules_file,
 * rules, architecture_file, components, dependencies, routes, services,
 * python_files, notes}, and one heavy-dependency finding per heavy
 * package (low when project code imports it at module level, else info).
 */
void context_to_result(const struct project_context *c, struct pa_result *r);

/* The human view of such a result: Rules, Architecture, Dependencies, Routes, Services, Notes. */
void context_print_human(const struct pa_result *r, FILE *out);

/* The routes of such a result as `endpoints --routes` reads them: "METHOD /path" per line. */
void context_print_routes(const struct pa_result *r, FILE *out);

#endif
