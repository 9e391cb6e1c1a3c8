/*
 * err: the error a failing function hands back to its caller.
 *
 * Library functions return 0 or -1; on -1 they have written one line into a
 * struct perr, lowercase, naming the input in quotes and saying what to do.
 * Only command functions print it, prefixed with the program and command.
 */
#ifndef PA_ERR_H
#define PA_ERR_H

struct perr {
	char msg[1024];
};

/* Format the message into e (when e is not NULL) and return -1. */
int perr_set(struct perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
