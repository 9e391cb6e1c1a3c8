/*
 * runner: one measured run of a command (the contract is in runner.h).
 *
 * Waiting is a poll() on a pidfd: it wakes the moment the child exits,
 * so the wall time is not rounded up to a polling tick, and it gives the
 * timeout and the Ctrl-C check their deadlines without signals or a
 * SIGCHLD handler that would change the rest of perfagent. On a kernel
 * without pidfds (before 5.3) it falls back to waitpid(WNOHANG) every
 * half millisecond.
 */
#include "runner.h"
#include "../core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A pidfd for pid, or -1 when the kernel has none to give. */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Start the command: its own process group, stdin from /dev/null,
 * stdout/stderr to /dev/null unless show_output, every signal at its
 * default and none blocked. 0 and *pid, or the errno of the failure; a
 * failed exec comes back through a close-on-exec pipe, so "no such
 * program" is told apart from a program that exits 127.
 *
 * fork(), not vfork() or posix_spawn(): the kernel carries a process's
 * peak RSS across exec, and a vfork child's is perfagent's whole resident
 * set (shared libraries included, ~8 MB), which would be every small
 * command's "peak RSS". A forked child starts counting from the private
 * pages it copied (~1.5 MB), below what nearly any program uses itself.
 * The child calls only async-signal-safe functions (and execvp) before
 * exec; bench is single-threaded.
 */
static int spawn(const struct runner_opts *o, pid_t *pid)
{
	int ep[2];
	*pid = -1;
	if (pipe2(ep, O_CLOEXEC) != 0)
		return errno;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		int err = errno;
		close(ep[0]);
		close(ep[1]);
		return err;
	}
	char *const sh_argv[] = {(char *)"sh", (char *)"-c", (char *)o->shell, NULL};
	pid_t p = fork();
	if (p == 0) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (int sig = 1; sig < NSIG; sig++)
			sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP and libc's own simply refuse */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		dup2(devnull, STDIN_FILENO);
		if (!o->show_output) {
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		if (o->shell)
			execv("/bin/sh", sh_argv);
		else
			execvp(o->argv[0], o->argv);
		int err = errno;
		ssize_t w = write(ep[1], &err, sizeof(err));
		(void)w;
		_exit(127);
	}
	int err = p < 0 ? errno : 0;
	close(ep[1]);
	close(devnull);
	if (p > 0) {
		setpgid(p, p); /* also here, so a kill of the group cannot race the child's own call */
		int child_err;
		ssize_t n;
		while ((n = read(ep[0], &child_err, sizeof(child_err))) < 0 && errno == EINTR)
			;
		if (n == (ssize_t)sizeof(child_err)) {
			while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
				;
			err = child_err ? child_err : ENOEXEC;
		}
	}
	close(ep[0]);
	*pid = p;
	return err;
}

/* Kill the run's whole process group (the command and whatever it started). */
static void kill_group(pid_t pid)
{
	if (kill(-pid, SIGKILL) != 0)
		kill(pid, SIGKILL);
}

/*
 * Wait until pid has exited, the deadline (monotonic ns; 0: none) passes
 * or *stop is set; in the last two cases kill its group. Returns the end
 * to report when it was killed, RUNNER_EXITED when it ended on its own
 * (its status decides the rest). The child is still to be reaped.
 */
static enum runner_end wait_exit(pid_t pid, int64_t deadline, volatile sig_atomic_t *stop)
{
	int pfd = open_pidfd(pid);
	enum runner_end end = RUNNER_EXITED;
	for (;;) {
		int64_t now = clock_mono_ns();
		if (stop && *stop) {
			end = RUNNER_STOPPED;
			break;
		}
		if (deadline && now >= deadline) {
			end = RUNNER_TIMED_OUT;
			break;
		}
		/* Wake at least every 100 ms to look at *stop; else at the deadline. */
		int64_t slice_ns = deadline ? deadline - now : INT64_C(100000000);
		if (stop && slice_ns > INT64_C(100000000))
			slice_ns = INT64_C(100000000);
		if (!deadline && !stop)
			slice_ns = -1;
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			int ms = slice_ns < 0 ? -1 : (int)((slice_ns + 999999) / 1000000);
			int n = poll(&p, 1, ms);
			if (n > 0)
				break;
			if (n < 0 && errno != EINTR) {
				/* Should not happen; fall back to polling waitpid. */
				close(pfd);
				pfd = -1;
			}
		} else {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
				break;
			struct timespec ts = {0, 500000};
			nanosleep(&ts, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (end != RUNNER_EXITED)
		kill_group(pid);
	return end;
}

int runner_run(const struct runner_opts *o, struct runner_result *out, struct perr *e)
{
	memset(out, 0, sizeof(*out));
	if (!o->shell && (!o->argv || !o->argv[0]))
		return perr_set(e, "no command to run");
	pid_t pid;
	int64_t t0 = clock_mono_ns();
	int rc = spawn(o, &pid);
	if (rc) {
		if (pid < 0)
			return perr_set(e, "cannot start a process: %s; try again when the machine is less loaded",
					strerror(rc));
		out->end = RUNNER_EXEC_FAILED;
		out->status = rc;
		return 0;
	}
	int64_t deadline = o->timeout_s > 0 ? t0 + (int64_t)(o->timeout_s * 1e9) : 0;
	enum runner_end end = wait_exit(pid, deadline, o->stop);
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			return perr_set(e, "cannot wait for process %d: %s", (int)pid, strerror(errno));
	}
	int64_t t1 = clock_mono_ns();
	out->wall_s = clock_elapsed_s(t0, t1);
	out->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	out->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	out->max_rss_mb = (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
	/* A run that ended on its own just as the deadline passed keeps its own ending. */
	if (end != RUNNER_EXITED && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
		end = RUNNER_EXITED;
	}
	out->end = end;
	if (end == RUNNER_EXITED) {
		if (WIFEXITED(status)) {
			out->status = WEXITSTATUS(status);
		} else {
			out->end = RUNNER_SIGNALED;
			out->status = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		}
	}
	return 0;
}

static int check_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES; /* what execve says of a directory */
	return access(path, X_OK) == 0 ? 0 : errno;
}

int runner_check_program(const char *name)
{
	if (!*name)
		return ENOENT;
	if (strchr(name, '/'))
		return check_path(name);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	int err = ENOENT;
	size_t nlen = strlen(name);
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t dlen = colon ? (size_t)(colon - path) : strlen(path);
		char full[4096];
		/* An empty entry is the current directory, as for execvp. */
		if (dlen + 1 + nlen + 1 <= sizeof(full)) {
			if (dlen)
				memcpy(full, path, dlen);
			else
				full[dlen++] = '.';
			full[dlen] = '/';
			memcpy(full + dlen + 1, name, nlen + 1);
			int r = check_path(full);
			if (r == 0)
				return 0;
			if (r == EACCES)
				err = EACCES; /* found but not runnable: say so rather than "not found" */
		}
		if (!colon)
			break;
		path = colon + 1;
	}
	return err;
}

double runner_rss_floor_mb(void)
{
	/* The smallest program there is, started the way every run is: what it reports is the floor. */
	char *const argv[] = {(char *)"true", NULL};
	struct runner_opts o = {.argv = argv, .timeout_s = 10};
	struct runner_result r;
	if (runner_run(&o, &r, NULL) || !runner_ok(&r))
		return 0;
	return r.max_rss_mb;
}

int runner_ok(const struct runner_result *r)
{
	return r->end == RUNNER_EXITED && r->status == 0;
}

void runner_describe(const struct runner_result *r, double timeout_s, char *out, size_t n)
{
	switch (r->end) {
	case RUNNER_EXITED:
		snprintf(out, n, "exited with status %d", r->status);
		break;
	case RUNNER_SIGNALED:
		snprintf(out, n, "was killed by signal %d (%s)", r->status, strsignal(r->status));
		break;
	case RUNNER_TIMED_OUT:
		snprintf(out, n, "did not finish within %gs and was killed", timeout_s);
		break;
	case RUNNER_STOPPED:
		snprintf(out, n, "was interrupted");
		break;
	case RUNNER_EXEC_FAILED:
		snprintf(out, n, "could not be started: %s", strerror(r->status));
		break;
	}
}
