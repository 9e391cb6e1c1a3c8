/*
 * config: a project's perfagent.ini.
 *
 *   ; perfagent.ini at the project root
 *   [budgets]
 *   api_endpoint = 200ms:1s
 *   idle_memory  = 256MB:1GB
 *
 * Each [budgets] key is a budget name (see budget.h), its value
 * TARGET:CRITICAL. Unknown sections and keys are errors naming the file and
 * line, so a typo never silently leaves a default in force.
 */
#ifndef PA_CONFIG_H
#define PA_CONFIG_H

#include "budget.h"
#include "err.h"

struct config {
	struct budgets budgets;
	char path[4096]; /* the file read; "" when none was */
};

/* Defaults only, no file. */
void config_init(struct config *c);

/*
 * Read an INI file over the current settings. Errors (file missing or
 * unreadable, a directory, syntax, unknown section or key, bad value, a line
 * too long) name the file and, where there is one, the line:
 * "perfagent.ini:3: unknown budget ...". On error nothing is applied.
 */
int config_load_file(struct config *c, const char *path, struct perr *e);

/* The same for text in memory; `name` stands for the file in messages. */
int config_load_string(struct config *c, const char *text, const char *name, struct perr *e);

/*
 * The default lookup: `dir`/perfagent.ini when dir is given and the file
 * exists, else ./perfagent.ini when it exists, else nothing (0, no file).
 */
int config_load_default(struct config *c, const char *dir, struct perr *e);

#endif
