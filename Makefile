# perfagent — GNU make, pkg-config.
#
#   make            build ./perfagent (warnings are errors)
#   make test       unit tests, command-line tests, fuzz smoke runs; ends "N passed, N failed"
#   make asan       build with address+undefined sanitizers and run the tests with it
#   make fuzz       build the libFuzzer targets with clang into build/fuzz/
#   make clean

PKGS      := jansson inih openssl zlib libmariadb libpq sqlite3 tree-sitter libdw libelf
CC        ?= cc
CLANG     ?= clang
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN   := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes -Wvla \
          -Wwrite-strings -Werror
CSTD   := -std=c11 -D_GNU_SOURCE
OPT    ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -pthread -Isrc $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS_ALL = $(PKG_LIBS) -lm -pthread $(LDLIBS)

B       ?= build/default
SRC     := $(filter-out $(EXCLUDE),$(shell find src -name '*.c' | sort))
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(SRC:%.c=$(B)/%.o)
# The tree-sitter-python grammar (parser.c, scanner.c): fetched from the npm
# registry at a pinned version by scripts/fetch-grammar.sh, never committed;
# generated code, so compiled without our warnings.
GRAMMAR     := build/grammar/tree-sitter-python
GRAMMAR_SRC := $(GRAMMAR)/parser.c $(GRAMMAR)/scanner.c
GRAMMAR_OBJ := $(B)/grammar/parser.o $(B)/grammar/scanner.o
LIBOBJ  := $(LIBSRC:%.c=$(B)/%.o) $(GRAMMAR_OBJ)
LIB     := $(B)/libperfagent.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/helpers/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

# The binary users run sits at the top; sanitizer builds keep theirs in $(B).
ifeq ($(B),build/default)
PROG := perfagent
else
PROG := $(B)/perfagent
endif

.PHONY: all test asan fuzz unit-bins clean
# Keep the fuzz objects: they are intermediate to make, but costly to rebuild.
.SECONDARY:
.DEFAULT_GOAL := all

all: $(PROG)

$(PROG): $(B)/src/main.o $(LIB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDFLAGS) $(LDLIBS_ALL)

$(LIB): $(LIBOBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(GRAMMAR_SRC): scripts/fetch-grammar.sh
	$(Q)scripts/fetch-grammar.sh $(GRAMMAR)

$(B)/grammar/%.o: $(GRAMMAR)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CSTD) $(OPT) -w -I$(GRAMMAR) -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS_ALL) $(shell pkg-config --libs cmocka)

$(B)/tests/helpers/%: tests/helpers/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  HELPER  $@"
	$(Q)$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS_ALL)

unit-bins: $(UNIT_BIN) $(HELPER_BIN)

test: $(PROG) unit-bins fuzz
	@PERFAGENT=$(abspath $(PROG)) BUILD=$(abspath $(B)) FUZZ=$(abspath build/fuzz) tests/run.sh

# Sanitizers: a separate tree, the same tests. Fuzz targets already run
# under ASan+UBSan, so the fuzz smoke runs as in `make test`.
asan:
	$(MAKE) B=build/asan OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" test

# libFuzzer targets: the library recompiled with clang and coverage.
FUZZ_CFLAGS := $(CSTD) -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP
FUZZ_LIBOBJ := $(LIBSRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/grammar/parser.o build/fuzz/obj/grammar/scanner.o

build/fuzz/obj/grammar/%.o: $(GRAMMAR)/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(CLANG) $(CSTD) -O1 -g -fsanitize=fuzzer-no-link,address,undefined -w -I$(GRAMMAR) -c -o $@ $<

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBOBJ)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_LIBOBJ) $(PKG_LIBS) -lm -pthread

fuzz: $(FUZZ_BIN)

clean:
	rm -rf build perfagent

-include $(OBJ:.o=.d) $(FUZZ_LIBOBJ:.o=.d)
