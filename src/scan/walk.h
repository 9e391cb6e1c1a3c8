/*
 * walk: which files `perfagent scan PATH...` reads. A PATH that is a file
 * is scanned as Python whatever its name; a directory is walked for *.py
 * files (and extension-less files whose first line is a python shebang),
 * leaving out what is not the project's own code:
 *
 *   - version control, caches and tooling: .git .hg .svn .bzr __pycache__
 *     .tox .nox .mypy_cache .pytest_cache .ruff_cache .pytype
 *     .ipynb_checkpoints
 *   - virtualenvs: any directory holding a pyvenv.cfg, and directories named
 *     venv .venv virtualenv .virtualenv (env and .env too, unless they hold
 *     an __init__.py: then they are a package)
 *   - dependencies and build output: node_modules site-packages
 *     __pypackages__ .eggs *.egg-info, and build and dist unless they hold
 *     an __init__.py
 *   - what the project's .gitignore files ignore (see below), and the
 *     caller's --exclude patterns
 *
 * The walk never follows a symbolic link to a directory (so a link loop
 * cannot hang it), nor goes deeper than 200 directories; a link to a file
 * is followed. A file reached twice (two
 * overlapping PATHs, a link) is scanned once. The list comes back sorted
 * by path, so the scan's output does not depend on readdir order.
 *
 * .gitignore support, the common subset of gitignore(5): blank lines and
 * `#` comments; `\#` and `\!` for a literal first character; trailing
 * spaces dropped; `!` negation (a later rule wins; a file inside an
 * ignored directory cannot be re-included, as in git); a trailing `/`
 * matches directories only; a pattern without a slash matches a name at
 * any depth below its .gitignore; one with a slash (a leading `/`
 * included) is anchored to the .gitignore's directory; `*`, `?`, `[a-z]`,
 * `[!a-z]` within one path segment; `**` as a whole segment across
 * segments (leading: at any depth; trailing: everything inside; in the
 * middle: zero or more directories). Every .gitignore
 * from the enclosing git work tree's top (the nearest ancestor holding
 * .git) down to each directory walked applies, deeper ones overriding,
 * plus .git/info/exclude. Outside a git work tree the current directory
 * plays the top's part when PATH is inside it (so `scan app` in a project
 * honours the project's .gitignore), else PATH does. Not read:
 * core.excludesFile and the global ignore file.
 */
#ifndef PA_SCAN_WALK_H
#define PA_SCAN_WALK_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/err.h"

struct scan_skip {
	const char *path;   /* as the user would type it: "app/venv" */
	const char *reason; /* "virtualenv", ".gitignore", "--exclude", ... */
};

struct scan_walk_error {
	const char *path;
	const char *msg; /* "cannot read 'x': permission denied" */
};

struct scan_files {
	const char **paths; /* sorted (strcmp), unique; "-" stands for standard input */
	size_t n;
	struct scan_skip *skipped; /* directories and Python files left out, in walk order */
	size_t nskipped;
	struct scan_walk_error *errors; /* PATHs that do not exist, directories that cannot be read */
	size_t nerrors;
	struct arena arena; /* every string above */
	size_t cap, capskipped, caperrors;
};

struct scan_walk_opts {
	int no_ignore;                /* 1: do not read .gitignore files (the built-in skips stay) */
	const char *const *excludes; /* gitignore-syntax patterns relative to each PATH; may be NULL */
	size_t nexcludes;
};

/*
 * Find the files to scan under roots[0..nroots). Returns 0, with every
 * PATH that could not be read listed in out->errors (the others are still
 * walked); -1 with e set only for an --exclude pattern that matches
 * nothing ever (empty, or "!" alone). Free out with scan_files_free() in
 * both cases.
 */
int scan_find_files(const char *const *roots, size_t nroots, const struct scan_walk_opts *o, struct scan_files *out,
	      struct perr *e);
void scan_files_free(struct scan_files *f);

/*
 * 1 when path (segments separated by '/', no leading '/') matches the
 * gitignore glob pat (its leading '/' and trailing '/' already removed):
 * '*' '?' and [classes] within a segment, '**' segments across them, '\'
 * escapes. Exposed for tests.
 */
int scan_glob_match(const char *pat, const char *path);

#endif
