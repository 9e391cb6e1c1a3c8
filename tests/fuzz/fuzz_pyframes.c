/*
 * fuzz_pyframes: arbitrary bytes as a CPython 3.11/3.12 line table (what
 * the profiler reads out of a live interpreter's code objects, so torn or
 * hostile bytes are expected). The first 4 bytes pick the first line
 * number and the instruction asked about; the decoder must stay inside the
 * table and answer, never crash or loop (on garbage the line may be any
 * number: the caller validates it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prof/pyframes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	int first = (int)(data[0] | (data[1] << 8));
	long lasti = (long)(data[2] | (data[3] << 8));
	for (long k = 0; k < 4; k++) {
		volatile int line = py_linetable_line(data + 4, size - 4, first, lasti + k * 7);
		(void)line;
	}
	return 0;
}
