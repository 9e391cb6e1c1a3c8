/*
 * browser: one headless Chromium for the length of a run, talked to over
 * --remote-debugging-pipe (commands on its fd 3, replies on its fd 4).
 *
 * It gets a fresh profile in a temporary directory, its own process group
 * (so Ctrl-C in the terminal reaches perfagent, not the browser, and one
 * kill reaches every helper process it forked), and the parent-death
 * signal, so it does not outlive a perfagent that was itself killed. Its
 * stderr goes to a file in that directory; when it dies, the last lines
 * of that file say why. browser_kill() always leaves nothing behind: the
 * process group is killed and reaped and the directory removed.
 */
#ifndef PA_WEB_BROWSER_H
#define PA_WEB_BROWSER_H

#include <signal.h>
#include <sys/types.h>

#include "../core/err.h"
#include "cdp.h"

#define BROWSER_DEFAULT "/usr/bin/chromium"

struct browser {
	pid_t pid;        /* 0 when not running */
	int status;       /* its wait status once reaped */
	int reaped;
	char *dir;        /* the temporary directory: profile/ and chromium.log */
	char *path;       /* the executable */
	struct cdp cdp;
	char *product;    /* "Chrome/156.0.8078.79", once started */
	char *user_agent;
};

/*
 * Start the browser at path (NULL: BROWSER_DEFAULT) and wait up to
 * timeout_s for it to answer Browser.getVersion. -1 with e saying what to
 * do: install it (the apt-get line), or why it exited (status, last lines
 * of its output). Nothing is left behind on failure.
 */
int browser_launch(struct browser *b, const char *path, volatile sig_atomic_t *stop, double timeout_s,
		   struct perr *e);

/*
 * After a DevTools failure: if the browser has exited (or exits within a
 * moment), replace e's message with how it ended and its last output,
 * prefixed by what ("while loading 'URL'"). Returns 1 when it had exited.
 */
int browser_explain(struct browser *b, const char *what, struct perr *e);

/* Kill the process group, reap it, remove the directory. Safe to call twice. */
void browser_kill(struct browser *b);

#endif
