/*
 * pyframes: the Python stacks of a running CPython 3.11 or 3.12, read from
 * outside the process, the way py-spy and austin do it.
 *
 * The interpreter is found in the target's executable (Debian's python3.11
 * links libpython statically and exports _PyRuntime in its .dynsym) or in a
 * mapped libpython3.X.so; its Py_Version says which table of structure
 * offsets applies. A sample follows _PyRuntime -> interpreters -> thread
 * states -> the _PyInterpreterFrame chain with process_vm_readv, without
 * stopping the target. Because the target keeps running, every pointer,
 * type, size and length read is checked before it is used, and a stack
 * whose frames changed while it was read is read again (up to three times)
 * or left out for that sample: never a wrong name or an unbounded read. Code objects are cached by address (names and
 * line table), so a warm sample costs about one read per frame.
 *
 * Reading another process's memory needs ptrace permission over it: a
 * child of ours always qualifies under Yama's ptrace_scope 1; an unrelated
 * process needs root or ptrace_scope 0, and py_attach says so.
 */
#ifndef PA_PROF_PYFRAMES_H
#define PA_PROF_PYFRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"

struct py_frame {
	char *qualname; /* co_qualname ("Class.method", "<module>"), at most 1 KB */
	char *filename; /* co_filename as the interpreter holds it, at most 1 KB */
	int line;       /* from the line table at the frame's instruction; 0 when unknown */
};

struct py_thread_stack {
	unsigned long tid;       /* native thread id (PyThreadState.native_thread_id) */
	struct py_frame *frames; /* ROOT FIRST: frames[0] is the outermost, usually "<module>" */
	size_t nframes;
};

struct py_proc;

/*
 * Find the interpreter in pid: the executable or a mapped libpython3.X.so
 * that defines _PyRuntime; read its Py_Version (3.11 and later have one),
 * pick the offsets for 3.11 or 3.12 (x86_64), and locate _PyRuntime from the
 * ELF symbol plus the load base from /proc/PID/maps. 0 and *out (free with
 * py_detach), or -1 with e: "process N is not CPython 3.11/3.12 (found X)",
 * or why its memory cannot be read.
 */
int py_attach(pid_t pid, struct py_proc **out, struct perr *e);

/* The interpreter's version, "3.11.2" (with "a1", "b2", "rc1" for pre-releases). */
const char *py_version(const struct py_proc *p);

/*
 * One sample of every thread's Python stack: *out gets *n stacks (free with
 * py_stacks_free), one per thread state that could be read, root frame
 * first, at most 256 frames deep (a deeper stack keeps its 256 leaf-most
 * frames). A thread state is listed even when it has no Python frame, or
 * when its stack kept changing while it was read (nframes 0 either way). Returns 0, or -1 (with *out NULL, *n 0) when
 * the interpreter cannot be read at all, e.g. the process has exited.
 */
int py_sample(struct py_proc *p, struct py_thread_stack **out, size_t *n);
void py_stacks_free(struct py_thread_stack *v, size_t n);
void py_detach(struct py_proc *p);

/*
 * The line table reader on its own (for tests and a fuzz target): the
 * source line of the code unit lasti (an index in 2-byte code units; -1 for
 * a frame that has not started) in a 3.11/3.12 co_linetable ("location
 * table", PEP 626/657) of len bytes, for a code object whose
 * co_firstlineno is firstlineno. -1 when the table gives that instruction
 * no line or does not reach it. Reads nothing outside table[0, len).
 */
int py_linetable_line(const uint8_t *table, size_t len, int firstlineno, long lasti);

#endif
