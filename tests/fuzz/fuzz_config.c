/*
 * fuzz_config: arbitrary bytes as perfagent.ini, as a --budget value, as a
 * unit value and as a timestamp. None may crash; a budget that was accepted
 * must keep target < critical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct config c;
	struct perr e;
	config_init(&c);
	config_load_string(&c, s, "fuzz.ini", &e);
	for (int i = 0; i < BUDGET_COUNT; i++)
		if (!(c.budgets.b[i].target < c.budgets.b[i].critical))
			abort();
	struct budgets bs;
	budgets_defaults(&bs);
	if (budgets_override(&bs, s, &e) == 0)
		for (int i = 0; i < BUDGET_COUNT; i++)
			if (!(bs.b[i].target < bs.b[i].critical))
				abort();
	double v;
	unit_parse(UNIT_MS, s, &v);
	unit_parse(UNIT_MB, s, &v);
	unit_parse(UNIT_MB_PER_MIN, s, &v);
	int64_t t;
	clock_parse_rfc3339(s, &t);
	free(s);
	return 0;
}
