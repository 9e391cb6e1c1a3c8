/*
 * fuzz_elf: arbitrary bytes as an ELF image. sym_elf_functions() must never
 * crash, hang or leak; on failure it leaves no list and a NUL-terminated
 * message, on success a list sorted by strictly rising address with a
 * non-empty name in every entry. When the image parses, it is also mapped
 * into a symbol space (through sym_space_map_image, so its program headers,
 * symbols and any DWARF go through the same path as a file of a profiled
 * process) and a few addresses are looked up: each answer must be
 * consistent — a name only with a module, a line only with a file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prof/sym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(int rc, const struct sym_result *r)
{
	if (rc != 0 && rc != 1)
		abort();
	if (rc == 1 && (!r->name || !r->module))
		abort();
	if (r->name && !r->module)
		abort();
	if (r->line < 0 || (r->line > 0 && !r->file))
		abort();
	if (r->jit && (!r->name || strcmp(r->module, "[perf-map]") != 0))
		abort();
	if (r->name)
		(void)strlen(r->name);
	if (r->file)
		(void)strlen(r->file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_elf_fn *v = (struct sym_elf_fn *)1;
	size_t n = 12345;
	struct perr e;
	memset(&e, 0x55, sizeof(e));
	int rc = sym_elf_functions(data, size, &v, &n, &e);
	if (rc == -1) {
		if (v || n || !memchr(e.msg, '\0', sizeof(e.msg)) || !e.msg[0])
			abort();
		return 0;
	}
	if (rc != 0 || (n && !v))
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!v[i].name || !v[i].name[0])
			abort();
		if (i && v[i - 1].addr >= v[i].addr)
			abort();
	}

	/*
	 * The whole image mapped from file offset 0, so that an address's file
	 * offset is its distance from base; with the common layout (p_offset ==
	 * p_vaddr) base + a symbol's address lands on that symbol. A second,
	 * smaller mapping over part of it exercises the cutting of mappings.
	 */
	struct sym_space *s = sym_space_new();
	uint64_t base = UINT64_C(0x100000000);
	uint64_t span = ((uint64_t)size + 0xfff) & ~UINT64_C(0xfff);
	if (span == 0)
		span = 0x1000;
	sym_space_map_image(s, base, base + span, 0, "fuzz", data, size);
	sym_space_map_image(s, base + span / 2, base + span / 2 + 0x1000, 0x1000, "fuzz2", data, size);
	struct sym_result r;
	for (size_t k = 0; k < 8 && k < n; k++) {
		size_t i = k * n / 8;
		uint64_t a = base + v[i].addr;
		check_result(sym_lookup(s, a, &r), &r);
		check_result(sym_lookup(s, a + v[i].size / 2, &r), &r);
	}
	for (uint64_t k = 0; k < 8; k++)
		check_result(sym_lookup(s, base + k * span / 8, &r), &r);
	check_result(sym_lookup(s, base - 1, &r), &r);
	if (r.module)
		abort();
	check_result(sym_lookup(s, base + span, &r), &r);
	sym_space_free(s);
	sym_elf_functions_free(v, n);
	return 0;
}
