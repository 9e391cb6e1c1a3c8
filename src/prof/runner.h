/*
 * runner: run a command once and measure it from outside — wall time on
 * the monotonic clock, user and system CPU and peak RSS from wait4()'s
 * rusage (the child and the descendants it waited for), and how it ended:
 * an exit status, a signal, a timeout, an interruption, or a program that
 * could not be started at all.
 *
 * The child gets its own process group, so a timeout or Ctrl-C kills
 * everything it started and nothing of ours; stdin is /dev/null (a
 * benchmark is not interactive, and a background group reading the
 * terminal would stop), and stdout/stderr are /dev/null unless asked for,
 * so the terminal's speed is not part of the measurement. It starts with
 * default signal dispositions and an empty signal mask, whatever perfagent
 * itself ignores or blocks. The cost of starting it (a fork and an exec)
 * is part of its wall time, the same for every run.
 */
#ifndef PA_PROF_RUNNER_H
#define PA_PROF_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "../core/err.h"

struct runner_opts {
	char *const *argv; /* program and arguments, NULL-terminated, looked up in PATH; or NULL and: */
	const char *shell; /* a command line run as /bin/sh -c SHELL */
	double timeout_s;  /* kill the process group after this long; 0: no limit */
	int show_output;   /* 1: the child writes to our stdout and stderr */
	volatile sig_atomic_t *stop; /* non-zero (Ctrl-C): kill the run; NULL: never */
};

enum runner_end {
	RUNNER_EXITED,      /* status = the exit status */
	RUNNER_SIGNALED,    /* status = the signal that killed it */
	RUNNER_TIMED_OUT,   /* killed after timeout_s */
	RUNNER_STOPPED,     /* killed because *stop was set */
	RUNNER_EXEC_FAILED, /* could not be started; status = the errno */
};

struct runner_result {
	enum runner_end end;
	int status;
	double wall_s;     /* from just before the spawn to the reaping */
	double user_s, sys_s;
	double max_rss_mb; /* peak resident set, MB (1 MB = 1024 KiB); never below ~1.5 MB, see runner.c */
};

/*
 * Run the command once and wait for it. Returns 0 with *out filled for
 * every way the command can end, a failed exec included (then wall time
 * and rusage are 0); -1 with e only when no process could be created.
 */
int runner_run(const struct runner_opts *o, struct runner_result *out, struct perr *e);

/*
 * How a run ended, as a phrase that follows the command's name: "exited
 * with status 1", "was killed by signal 11 (Segmentation fault)", "did not
 * finish within 2s and was killed", "was interrupted", "could not be
 * started: No such file or directory".
 */
void runner_describe(const struct runner_result *r, double timeout_s, char *out, size_t n);

/*
 * Whether execvp() would find name as a program: 0, or the errno it would
 * fail with (ENOENT, EACCES). A name with a '/' is a path; else each
 * directory of $PATH is tried (the default path when it is unset). For
 * telling "no such program" from a command that fails, before a shell
 * would blur the two into exit status 127.
 */
int runner_check_program(const char *name);

/*
 * The lowest peak RSS a run can report, MB: a forked child counts the
 * pages it copied from perfagent until it execs (see runner.c), so
 * programs smaller than this show this. Measured as the peak RSS of
 * running `true` (from $PATH), the smallest program there is; 0 when
 * that fails.
 */
double runner_rss_floor_mb(void);

/* Whether the run succeeded: exited with status 0. */
int runner_ok(const struct runner_result *r);

#endif
