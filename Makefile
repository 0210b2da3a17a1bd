# mlgate: four small C tools for ML CI/CD.  See README.md.
#
#   make            build the tools into build/bin
#   make check      install missing packages, build, run every test (plain and under ASan+UBSan), lint
#   make demo       install missing packages, build, run the example pipeline
#   make bench      speed figures beside the reference tools
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build
CC ?= cc
OPT ?= -O2
SANITIZE ?=
PKG_CONFIG ?= pkg-config

WARN = -Wall -Wextra -Werror
STD = -std=c11 -D_POSIX_C_SOURCE=200809L
ifneq ($(SANITIZE),)
OPT = -O1 -g -fno-omit-frame-pointer
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all
endif
ALL_CFLAGS = $(STD) $(WARN) $(OPT) $(SANFLAGS) -Icommon -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

# Every tool is a folder cmd/<tool>/ with a main.c; each links only what it uses.
TOOLS := $(sort $(patsubst cmd/%/main.c,%,$(wildcard cmd/*/main.c)))
PKGS_COMMON = libcjson libcrypto
PKGS_mlsnapshot = libarchive
PKGS_mlrun-log =
PKGS_mleval-compare =
PKGS_mlpromote = libsodium
LIBS_mlsnapshot = -lpthread
LIBS_mleval-compare = -lpthread

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
BINS := $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MANS := $(sort $(wildcard man/man1/*.1 man/man7/*.7))

.PHONY: all check test lint demo bench install uninstall clean deps fuzz fuzz-build
.DELETE_ON_ERROR:

all: $(BINS) $(UNIT_BINS) $(BUILD)/tests/faultshim.so $(BUILD)/tests/oci-test

$(BUILD)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(call pkg_cflags,$(PKGS_COMMON)) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	rm -f $@
	ar rcs $@ $^

# One rule per tool, so that each gets its own objects, flags and libraries.
define tool_rules
$(1)_SRC := $$(sort $$(wildcard cmd/$(1)/*.c))
$(1)_OBJ := $$($(1)_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/cmd/$(1)/%.o: cmd/$(1)/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -Icmd/$(1) $$(call pkg_cflags,$(PKGS_COMMON) $$(PKGS_$(1))) -c -o $$@ $$<
$(BUILD)/bin/$(1): $$($(1)_OBJ) $(BUILD)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$($(1)_OBJ) $(BUILD)/libcommon.a \
		$$(call pkg_libs,$$(PKGS_$(1)) $(PKGS_COMMON)) $$(LIBS_$(1)) -lm
-include $$($(1)_OBJ:.o=.d)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rules,$(t))))

# Unit tests of common/: one program per file in tests/unit/.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(call pkg_cflags,$(PKGS_COMMON)) $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/libcommon.a $(call pkg_libs,$(PKGS_COMMON)) -lpthread

# A driver for mlpromote's OCI client (tests/oci.bats), built from the
# client's own sources. libcurl is dlopen'ed at run time, never linked.
OCI_TEST_SRC := tests/oci/oci-test.c $(sort $(wildcard cmd/mlpromote/oci_*.c))
$(BUILD)/tests/oci-test: $(OCI_TEST_SRC) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Icmd/mlpromote $(call pkg_cflags,$(PKGS_COMMON) libsodium) $(ALL_LDFLAGS) \
		-o $@ $(OCI_TEST_SRC) $(BUILD)/libcommon.a $(call pkg_libs,libsodium $(PKGS_COMMON)) -lm

# The I/O fault shim is preloaded into the tools, sanitized or not: it is
# built plain, and needs _GNU_SOURCE for RTLD_NEXT.
$(BUILD)/tests/faultshim.so: tests/fault/faultshim.c
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

# libFuzzer targets, one per parser, in tests/fuzz/ (clang only). `make fuzz`
# runs each for FUZZ_SECONDS on a copy of its seed corpus; `make check` does
# so for a few seconds each.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c)))
FUZZ_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined -Icommon
# A target that fuzzes a tool's parser names the tool's files it needs.
FUZZ_SRC_minisign = cmd/mlpromote/minisign.c
FUZZ_PKGS_minisign = libsodium
FUZZ_INC_minisign = -Icmd/mlpromote
FUZZ_SRC_csv = cmd/mleval-compare/csv.c cmd/mleval-compare/fastnum.c cmd/mleval-compare/bigmem.c
FUZZ_INC_csv = -Icmd/mleval-compare
FUZZ_SRC_tarlist = cmd/mlsnapshot/tarread.c cmd/mlsnapshot/entries.c
FUZZ_PKGS_tarlist = libarchive
FUZZ_INC_tarlist = -Icmd/mlsnapshot
.SECONDEXPANSION:
$(BUILD)/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $$(FUZZ_SRC_$$*)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_INC_$*) $(call pkg_cflags,$(PKGS_COMMON) $(FUZZ_PKGS_$*)) \
		-o $@ $< $(FUZZ_SRC_$*) $(COMMON_SRC) \
		$(call pkg_libs,$(FUZZ_PKGS_$*) $(PKGS_COMMON)) -lm

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		rm -rf $(BUILD)/fuzz/corpus-$$t && cp -r tests/fuzz/corpus/$$t $(BUILD)/fuzz/corpus-$$t && \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s" && \
		$(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$t- $(BUILD)/fuzz/corpus-$$t 2> $(BUILD)/fuzz/$$t.log || \
			{ tail -50 $(BUILD)/fuzz/$$t.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' $(BUILD)/fuzz/$$t.log; \
	done

-include $(COMMON_OBJ:.o=.d)

deps:
	@sh build-aux/deps.sh

# The suite runs twice: against the optimised build, then against an
# ASan+UBSan build of the same sources.
check: deps
	$(MAKE) all
	$(MAKE) test
	$(MAKE) BUILD=build/asan SANITIZE=1 all
	$(MAKE) BUILD=build/asan test
	$(MAKE) lint
	$(MAKE) fuzz FUZZ_SECONDS=5
	@echo "make check: all passed"

test: all
	@rm -rf $(BUILD)/records && mkdir -p $(BUILD)/records
	MLGATE_BUILD=$(abspath $(BUILD)) MLGATE_RECORDS=$(abspath $(BUILD))/records \
		sh build-aux/run-bats.sh
	python3 tests/schema-check.py schemas $(BUILD)/records

lint:
	shellcheck -x build-aux/*.sh $(wildcard bench/*.sh examples/*.sh tests/*.sh tests/soak/*.sh)
	shellcheck -s bash tests/*.bash tests/oci/*.bash
	@for m in $(MANS); do \
		out=$$(mandoc -T lint -W warning $$m) || { echo "$$out"; exit 1; }; \
		[ -z "$$out" ] || { echo "$$out"; exit 1; }; \
	done; echo "mandoc -T lint: $(words $(MANS)) pages clean"

demo: deps
	$(MAKE) all
	sh examples/demo.sh

bench: deps
	$(MAKE) all
	sh bench/run.sh

install: $(BINS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do install -m 0755 $(BUILD)/bin/$$t $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(wildcard man/man1/*.1); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(wildcard man/man7/*.7); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man7/; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(notdir $(wildcard man/man1/*.1)); do rm -f $(DESTDIR)$(MANDIR)/man1/$$m; done
	for m in $(notdir $(wildcard man/man7/*.7)); do rm -f $(DESTDIR)$(MANDIR)/man7/$$m; done

clean:
	rm -rf $(BUILD)
