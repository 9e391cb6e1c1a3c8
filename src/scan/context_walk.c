/*
 * context_walk: the Python files of a project, found the way `perfagent
 * scan` finds them (src/scan/walk.h: no .git or other tooling directories,
 * no virtualenvs, node_modules, site-packages or build output, nothing the
 * project's .gitignore files name, symbolic links to directories not
 * followed), then narrowed to what an inventory of the running
 * application wants: *.py files only, Django migrations left out (they are
 * history, not services), and tests left out unless asked for — a test
 * client's get("/users") is not a route and a fixture's query is not a
 * service.
 */
#include "context_int.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "walk.h"

static int is_test_file(const char *base)
{
	size_t n = strlen(base);
	return strncmp(base, "test_", 5) == 0 || (n > 8 && strcmp(base + n - 8, "_test.py") == 0) ||
	       strcmp(base, "conftest.py") == 0 || strcmp(base, "tests.py") == 0;
}

/* 1 when a directory component of rel (not its last, the file) is name. */
static int has_dir(const char *rel, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = rel; (p = strstr(p, name)); p++)
		if ((p == rel || p[-1] == '/') && p[nl] == '/')
			return 1;
	return 0;
}

static int wanted(const struct cx_state *s, const char *rel)
{
	size_t n = strlen(rel);
	if (n < 4 || strcmp(rel + n - 3, ".py") != 0)
		return 0; /* the walk also finds extension-less scripts; they are no module */
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (has_dir(rel, "migrations"))
		return 0;
	if (!s->opts->include_tests && (has_dir(rel, "tests") || has_dir(rel, "test") || is_test_file(base)))
		return 0;
	return 1;
}

/* "app/users.py" -> "app.users"; "app/__init__.py" -> "app"; "__init__.py" -> "". */
static const char *module_of(struct arena *a, const char *rel, int *is_pkg)
{
	size_t n = strlen(rel) - 3; /* ".py" */
	char *m = arena_strndup(a, rel, n);
	for (char *p = m; *p; p++)
		if (*p == '/')
			*p = '.';
	*is_pkg = 0;
	size_t ml = strlen(m);
	if (ml >= 8 && strcmp(m + ml - 8, "__init__") == 0 && (ml == 8 || m[ml - 9] == '.')) {
		*is_pkg = 1;
		m[ml == 8 ? 0 : ml - 9] = '\0';
	}
	return m;
}

int cx_walk(struct cx_state *s, const char *dir, struct perr *e)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return perr_set(e, "cannot read '%s': %s; give the project's directory", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return perr_set(e, "'%s' is not a directory; give the project's directory", dir);
	struct scan_files found;
	struct scan_walk_opts wo = {0};
	const char *roots[] = {dir};
	if (scan_find_files(roots, 1, &wo, &found, e)) {
		scan_files_free(&found);
		return -1;
	}
	for (size_t i = 0; i < found.nerrors; i++) {
		if (strcmp(found.errors[i].path, dir) == 0) {
			perr_set(e, "%s", found.errors[i].msg);
			scan_files_free(&found);
			return -1;
		}
		cx_note(s, "%s; skipped", found.errors[i].msg);
	}
	/* the walk names files as "DIR/rel" (just "rel" for "."): take DIR off */
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	struct arena *a = &s->c->arena;
	for (size_t i = 0; i < found.n; i++) {
		const char *p = found.paths[i];
		if (strncmp(p, dir, dl) == 0 && p[dl] == '/')
			p += dl + 1;
		else if (strncmp(p, "./", 2) == 0)
			p += 2;
		if (!wanted(s, p))
			continue;
		s->files = cx_grow(a, s->files, s->nfiles, &s->capfiles, sizeof(*s->files));
		struct cx_file *f = &s->files[s->nfiles++];
		f->path = arena_strdup(a, p);
		f->module = module_of(a, f->path, &f->is_pkg);
	}
	scan_files_free(&found);
	return 0;
}
