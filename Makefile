# novo - serverless functions behind nginx. See README.md.
#   make        build/novod, build/novoctl, the example functions (and build/novo.ko)
#   make run    serve the examples on http://127.0.0.1:8080 until Ctrl-C
#   make test   unit tests, then the suite through real nginx + novod (also under ASan/UBSan)
#   make bench  benchmarks against nginx and fcgiwrap (not part of test)

.DEFAULT_GOAL := all
CC      ?= cc
BUILD   := build
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g -Wall -Wextra -Werror -Wformat=2 \
	-Wshadow -Wno-unused-parameter -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection -fPIE -Ipool
CFLAGS  ?= -O2
HARDEN  := -D_FORTIFY_SOURCE=2
LDHARD  := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
LIBS    := -lfcgi -linih -lseccomp -lpthread
SANFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

NOVOCTL_ONLY := pool/novoctl.c pool/fcgi_client.c pool/learn.c pool/learn_lkm.c
POOL_SRC   := $(filter-out $(NOVOCTL_ONLY),$(wildcard pool/*.c))
NOVOD_SRC  := $(POOL_SRC)
NOVOCTL_SRC := $(wildcard $(NOVOCTL_ONLY)) $(filter-out pool/novod.c,$(POOL_SRC))
HDRS       := $(wildcard pool/*.h) lkm/uapi/novo.h

FN_C      := $(wildcard functions/*/main.c)
FN_BINS   := $(foreach f,$(FN_C),$(patsubst %/,%,$(dir $(f)))/$(notdir $(patsubst %/,%,$(dir $(f)))))
-include functions/*/rules.mk

.PHONY: all run test unit bench clean deps test-deps bench-deps lkm asan functions testfn
all: $(BUILD)/novod $(BUILD)/novoctl functions lkm

$(BUILD):
	mkdir -p $@ $@/asan $@/unit

$(BUILD)/novod: $(NOVOD_SRC) $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(HARDEN) -DNOVOD_MAIN -o $@ $(NOVOD_SRC) $(LDHARD) $(LIBS)

$(BUILD)/novoctl: $(NOVOCTL_SRC) $(HDRS) | $(BUILD)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(HARDEN) -o $@ $(NOVOCTL_SRC) $(LDHARD) $(LIBS)

# The same daemon under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: $(BUILD)/asan/novod $(BUILD)/asan/novoctl
$(BUILD)/asan/novod: $(NOVOD_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SANFLAGS) -DNOVOD_MAIN -o $@ $(NOVOD_SRC) $(LIBS)
$(BUILD)/asan/novoctl: $(NOVOCTL_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SANFLAGS) -o $@ $(NOVOCTL_SRC) $(LIBS)

# Example functions: functions/NAME/main.c -> functions/NAME/NAME, static.
functions: $(FN_BINS) $(FN_EXTRA)
define fn_rule
$(1): $(dir $(1))main.c functions/include/cgi_query.h
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Ifunctions/include -static -o $$@ $$<
endef
$(foreach b,$(FN_BINS),$(eval $(call fn_rule,$(b))))

# Test-only functions: tests/fn/NAME.c -> build/testfn/NAME/NAME, static.
TESTFN_C    := $(wildcard tests/fn/*.c)
TESTFN_BINS := $(foreach f,$(TESTFN_C),$(BUILD)/testfn/$(basename $(notdir $(f)))/$(basename $(notdir $(f))))
define testfn_rule
$(BUILD)/testfn/$(1)/$(1): tests/fn/$(1).c tests/fn/fnutil.h functions/include/cgi_query.h
	@mkdir -p $$(dir $$@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $$@ $$<
endef
$(foreach f,$(TESTFN_C),$(eval $(call testfn_rule,$(basename $(notdir $(f))))))
testfn: $(TESTFN_BINS)

# Unit tests: tests/unit/test_*.c, each linked with the pool sources it needs.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
$(BUILD)/unit/%: tests/unit/%.c $(filter-out pool/novod.c,$(POOL_SRC)) $(HDRS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SANFLAGS) -Itests/unit -o $@ $< $(filter-out pool/novod.c,$(POOL_SRC)) $(LIBS)
unit: $(UNIT_BINS)

deps:
	@sh tests/deps.sh run
test-deps:
	@sh tests/deps.sh test
bench-deps:
	@sh tests/deps.sh bench

# novo.ko needs kernel headers; without them it is skipped, not failed.
lkm:
	@$(MAKE) -s -C lkm BUILD=$(CURDIR)/$(BUILD) $(if $(KDIR),KDIR=$(KDIR)) >/dev/null 2>&1 || \
		echo "lkm: no kernel headers found, build/novo.ko skipped (make lkm KDIR=...)"

run: deps all
	@sh conf/run.sh

test: test-deps all asan unit testfn
	@sh tests/run.sh

bench: bench-deps all $(BUILD)/floor
	@sh bench/run.sh

# The function alone, run by a tiny parent: the bound of every ratio.
$(BUILD)/floor: bench/floor.c | $(BUILD)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

clean:
	rm -rf $(BUILD) $(FN_BINS) $(FN_EXTRA)
	-@$(MAKE) -s -C lkm clean BUILD=$(CURDIR)/$(BUILD) 2>/dev/null || true
