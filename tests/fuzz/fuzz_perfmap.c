/*
 * fuzz_perfmap: arbitrary bytes as the text of /tmp/perf-PID.map.
 * sym_perfmap_parse() must never crash, hang or leak, and every entry it
 * returns must be one a lookup can trust: a non-zero size whose end does
 * not wrap past the top of the address space, and a non-empty name of
 * bounded length that is one line of the input (no newline, no NUL, no
 * surrounding blanks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prof/sym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_perfmap_entry *v = (struct sym_perfmap_entry *)1;
	size_t n = sym_perfmap_parse((const char *)data, size, &v);
	if (n && !v)
		abort();
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (n > lines)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (v[i].size == 0 || v[i].start + v[i].size < v[i].start)
			abort();
		size_t len = strlen(v[i].name);
		if (len == 0 || len > 4096 || len > size)
			abort();
		if (strchr(v[i].name, '\n'))
			abort();
		char first = v[i].name[0], last = v[i].name[len - 1];
		if (first == ' ' || first == '\t' || last == ' ' || last == '\t' || last == '\r')
			abort();
	}
	sym_perfmap_free(v, n);
	return 0;
}
