/*
 * browser: launch, question and kill one headless Chromium (see browser.h).
 */
#include "browser.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/clock.h"

#define INSTALL_HINT "install it with 'apt-get install chromium', or pass --chromium PATH"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

extern char **environ;

/* Our environment with TMPDIR set to dir, for the browser; free with free_env(). */
static char **child_env(const char *dir)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xcalloc(n + 2, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "TMPDIR=", 7) != 0)
			env[k++] = xstrdup(environ[i]);
	struct buf t = BUF_INIT;
	buf_printf(&t, "TMPDIR=%s", dir);
	env[k] = buf_detach(&t);
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * In the child, between fork and exec: the pipes onto fds 3 and 4, output
 * into the log, default signal handling, a process group of its own, and
 * death when perfagent dies. Only async-signal-safe calls.
 */
static void child_exec(const char *path, const char *const argv[], char *const envp[], int cmd_r, int resp_w,
		       int log_fd, int errno_fd, pid_t parent)
{
	/* Move the three out of the way first, so no dup2 clobbers another. */
	int a = fcntl(cmd_r, F_DUPFD, 10), b = fcntl(resp_w, F_DUPFD, 10), l = fcntl(log_fd, F_DUPFD, 10);
	errno_fd = fcntl(errno_fd, F_DUPFD_CLOEXEC, 10);
	if (a < 0 || b < 0 || l < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0 || dup2(l, 1) < 0 || dup2(l, 2) < 0)
		_exit(126);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	close(a);
	close(b);
	close(l);
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	/* nothing of ours beyond the pipes and the errno pipe reaches the browser */
	close_range(5, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(path, (char *const *)argv, envp);
	int err = errno;
	if (write(errno_fd, &err, sizeof(err)) != (ssize_t)sizeof(err))
		_exit(126);
	_exit(127);
}

/* The last few non-empty, telling lines of the browser's log, joined by " | ", at most ~600 bytes. */
static void log_tail(const struct browser *b, char *out, size_t outsz)
{
	out[0] = '\0';
	if (!b->dir)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/chromium.log", b->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char buf[8192];
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Walk back over the last three non-empty lines. */
	const char *lines[3];
	size_t lens[3], k = 0;
	char *end = buf + n;
	while (k < 3 && end > buf) {
		while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
			end--;
		char *start = end;
		while (start > buf && start[-1] != '\n')
			start--;
		/* Chromium's complaints about a missing D-Bus, and the Debian wrapper's, say nothing */
		int noise = end > start && (memmem(start, (size_t)(end - start), "dbus", 4) ||
					     memmem(start, (size_t)(end - start), "D-Bus", 5) ||
					     memmem(start, (size_t)(end - start), "unexpected operator", 19));
		if (end > start && !noise) {
			lines[k] = start;
			lens[k] = (size_t)(end - start);
			k++;
		}
		end = start;
	}
	struct buf o = BUF_INIT;
	while (k-- > 0) {
		if (o.len)
			buf_puts(&o, " | ");
		buf_put(&o, lines[k], lens[k] > 200 ? 200 : lens[k]);
	}
	snprintf(out, outsz, "%s", buf_str(&o));
	buf_free(&o);
}

int browser_launch(struct browser *b, const char *path, volatile sig_atomic_t *stop, double timeout_s,
		   struct perr *e)
{
	memset(b, 0, sizeof(*b));
	b->cdp.wfd = b->cdp.rfd = b->cdp.log_fd = -1;
	if (!path)
		path = BROWSER_DEFAULT;
	b->path = xstrdup(path);
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode) || access(path, X_OK)) {
		perr_set(e, "no Chromium at '%s': %s", path, INSTALL_HINT);
		free(b->path);
		b->path = NULL;
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	struct buf d = BUF_INIT;
	buf_printf(&d, "%s/perfagent-web-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	b->dir = buf_detach(&d);
	if (!mkdtemp(b->dir)) {
		perr_set(e, "cannot create a browser profile directory under '%s': %s", tmp && *tmp ? tmp : "/tmp",
			 strerror(errno));
		free(b->dir);
		b->dir = NULL;
		free(b->path);
		b->path = NULL;
		return -1;
	}
	char logpath[4096], profile[4096];
	snprintf(logpath, sizeof(logpath), "%s/chromium.log", b->dir);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", b->dir);
	int cmd[2] = {-1, -1}, resp[2] = {-1, -1}, errp[2] = {-1, -1};
	int log_fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log_fd < 0 || pipe2(cmd, O_CLOEXEC) || pipe2(resp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		perr_set(e, "cannot set up the browser's pipes: %s", strerror(errno));
		goto fail;
	}
	const char *argv[] = {
		b->path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
		"--mute-audio", "--hide-scrollbars", "--disable-breakpad", "--password-store=basic",
		/* a tab we open is not the focused window: keep it from being treated as in the background */
		"--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
		"--disable-background-timer-throttling",
		profile, "--remote-debugging-pipe", "about:blank", NULL,
	};
	/*
	 * Become the reaper of the browser's orphans: once the browser process
	 * is killed its helpers are reparented here, so browser_kill() can reap
	 * them all rather than leave zombies to an init that may not.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Chromium leaves scratch directories in $TMPDIR: point it at ours, which goes. */
	char **envp = child_env(b->dir);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		free_env(envp);
		perr_set(e, "cannot start '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_exec(b->path, argv, envp, cmd[0], resp[1], log_fd, errp[1], parent);
	free_env(envp);
	setpgid(pid, pid); /* also here: whichever runs first, the group exists before any kill */
	b->pid = pid;
	close(cmd[0]);
	close(resp[1]);
	close(log_fd);
	/* The errno pipe closes at a successful exec; otherwise it says why exec failed. */
	close(errp[1]);
	int exec_err = 0;
	ssize_t got;
	while ((got = read(errp[0], &exec_err, sizeof(exec_err))) < 0 && errno == EINTR)
		;
	close(errp[0]);
	if (got == (ssize_t)sizeof(exec_err)) {
		perr_set(e, "cannot run the browser '%s': %s; %s", path, strerror(exec_err), INSTALL_HINT);
		cmd[0] = resp[1] = log_fd = errp[0] = errp[1] = -1;
		close(cmd[1]);
		close(resp[0]);
		cmd[1] = resp[0] = -1;
		browser_kill(b);
		return -1;
	}
	cdp_init(&b->cdp, cmd[1], resp[0], stop);
	json_t *v = NULL;
	if (cdp_call(&b->cdp, NULL, "Browser.getVersion", NULL, timeout_s, &v, e)) {
		if (!b->cdp.interrupted && !browser_explain(b, "while starting", e) && b->cdp.timed_out)
			perr_set(e, "'%s' did not answer on its DevTools pipe within %.0f s (is it Chromium?)", path,
				 timeout_s);
		browser_kill(b);
		return -1;
	}
	const char *product = json_string_value(json_object_get(v, "product"));
	const char *ua = json_string_value(json_object_get(v, "userAgent"));
	b->product = xstrdup(product ? product : "Chromium");
	b->user_agent = ua ? xstrdup(ua) : NULL;
	json_decref(v);
	return 0;
fail:
	if (log_fd >= 0)
		close(log_fd);
	for (int i = 0; i < 2; i++) {
		if (cmd[i] >= 0)
			close(cmd[i]);
		if (resp[i] >= 0)
			close(resp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	browser_kill(b);
	return -1;
}

/* Reap the browser if it has exited; wait up to ms for it. 1 when reaped. */
static int reap(struct browser *b, long ms)
{
	if (b->reaped)
		return 1;
	if (!b->pid)
		return 0;
	for (long waited = 0;; waited += 10) {
		int st;
		pid_t r = waitpid(b->pid, &st, WNOHANG);
		if (r == b->pid) {
			b->status = st;
			b->reaped = 1;
			return 1;
		}
		if (r < 0 || waited >= ms)
			return 0;
		sleep_ms(10);
	}
}

int browser_explain(struct browser *b, const char *what, struct perr *e)
{
	if (!reap(b, 1000))
		return 0;
	char tail[700], how[128];
	log_tail(b, tail, sizeof(tail));
	int st = b->status;
	if (WIFEXITED(st))
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(how, sizeof(how), "was killed by signal %d (%s)", WTERMSIG(st), sigabbrev_np(WTERMSIG(st))
			 ? sigabbrev_np(WTERMSIG(st)) : "?");
	else
		snprintf(how, sizeof(how), "stopped");
	perr_set(e, "the browser '%s' %s %s%s%s", b->path ? b->path : "chromium", how, what,
		 tail[0] ? "; its last output: " : "", tail);
	return 1;
}

void browser_kill(struct browser *b)
{
	if (b->cdp.rfd >= 0 || b->cdp.wfd >= 0)
		cdp_close(&b->cdp);
	if (b->pid > 0) {
		kill(-b->pid, SIGKILL); /* the group: its members are ours to reap, so the id is not reused */
		if (!b->reaped)
			kill(b->pid, SIGKILL);
		if (!b->reaped) {
			int st;
			if (waitpid(b->pid, &st, 0) == b->pid) {
				b->status = st;
				b->reaped = 1;
			}
		}
		/*
		 * The helpers (zygote, renderers) were in the group: killed with
		 * it, reparented to us as subreaper; reap them, for up to 2 s.
		 */
		for (int i = 0; i < 200; i++) {
			int st;
			pid_t r = waitpid(-b->pid, &st, WNOHANG);
			if (r < 0)
				break; /* no child left in that group */
			if (r == 0)
				sleep_ms(10);
		}
		b->pid = 0;
	}
	if (b->dir) {
		remove_tree(b->dir);
		free(b->dir);
		b->dir = NULL;
	}
	free(b->path);
	free(b->product);
	free(b->user_agent);
	b->path = b->product = b->user_agent = NULL;
}
