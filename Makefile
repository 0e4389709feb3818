# vmtriage: `make help` lists every target. Outputs go to out/ only.
#
# Two builds of the same sources: the image's (musl, static, baseline
# x86-64) and the host's for unit tests (glibc, ASan and UBSan).

OUT      ?= out
MUSL_CC  ?= musl-gcc
HOST_CC  ?= gcc
# Debian's libcpuid: headers for both builds, the static archive for musl.
CPUID_INC := /usr/include/libcpuid
CPUID_LIB := /usr/lib/x86_64-linux-gnu/libcpuid.a
# Debian's decompressors for the post-mortem's journal and rotated logs:
# their static archives in the musl build, headers through a folder of links
# (adding /usr/include itself would pull in glibc's headers).
COMPRESS_NAMES := zstd lzma lz4 z
COMPRESS_HDRS  := zstd.h zstd_errors.h lzma.h lzma lz4.h zlib.h zconf.h
COMPRESS_LIBS  := $(patsubst %,/usr/lib/x86_64-linux-gnu/lib%.a,$(COMPRESS_NAMES))
MUSL_INC       := $(OUT)/musl-include

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
COMMON    := -std=gnu11 -D_GNU_SOURCE $(WARN) -I tools -I $(CPUID_INC)
# The binaries must run on any x86-64 CPU (kvm64 included): baseline ISA,
# with wider instructions only inside functions marked target("...").
MUSL_CFLAGS = $(COMMON) -I $(MUSL_INC) $(MUSL_OPT) -march=x86-64 -mtune=generic -fno-plt
# Speed where the checks measure (isa's kernels, mem's fill, wake's timing,
# the burn-in's samplers) and size elsewhere: the lean image (kernel and
# initramfs) must stay within 4 MiB. -Os on these folders saves about 25 KiB
# of initrd.xz (scripts/sizes).
MUSL_OPT   = -O2
SIZE_DIRS := lib report postmortem host needs compare run sysinfo burnin watch
$(foreach d,$(SIZE_DIRS),$(eval $(OUT)/musl/tools/$(d)/%.o: MUSL_OPT = -Os))
HOST_CFLAGS := $(COMMON) -O1 -g -march=x86-64 -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined

LIB_SRC   := $(wildcard tools/lib/*.c)
CMD_SRC   := $(wildcard tools/*/*.c) tools/commands.c
CMD_SRC   := $(filter-out $(LIB_SRC),$(CMD_SRC))
INIT_SRC  := $(wildcard init/*.c)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
# Helpers the unit tests share (tests/unit/schema.c): linked into each.
UNIT_HELP := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))

MUSL_OBJ   = $(patsubst %.c,$(OUT)/musl/%.o,$(1))
HOST_OBJ   = $(patsubst %.c,$(OUT)/host/%.o,$(1))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(UNIT_SRC))

.PHONY: deps-build deps-run deps-check deps-bench all tools kernel initramfs iso run check check-unit check-includes check-scripts check-html check-qemu check-quick check-needs check-autopsy check-watch debian-guest \
        bench deps clean help report-disk sizes fuzz check-fuzz check-unit-clang check-models
.DEFAULT_GOAL := all
# Objects are never intermediate: keep them (and make no `rm` noise after
# the test summary).
.SECONDARY:

help:
	@echo "vmtriage make targets:"
	@echo "  all          (default) tools, kernel, initramfs and the hybrid ISO; prints sizes"
	@echo "  run          build, boot the ISO under QEMU with a report disk, leave the report in $(OUT)/report/"
	@echo "  check        all tests: unit tests (gcc and clang), fuzz targets (bounded), HTML, QEMU boot tests"
	@echo "  check-unit   unit tests only"
	@echo "  check-includes  the layering rules of the #include lines (scripts/check-includes)"
	@echo "  check-scripts   every bash script fails loudly (scripts/check-scripts); scripts/module-order on fixtures;"
	@echo "               the boot tests' case format and expectation language (tests/qemu/test_vmtest.py)"
	@echo "  check-unit-clang  the unit tests built by clang (ASan, UBSan with float-cast-overflow)"
	@echo "  check-fuzz   every libFuzzer target (tests/fuzz/) for FUZZ_CHECK_SECONDS each, and its regressions"
	@echo "  fuzz         the same for FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600 [FUZZ=json,cmdline])"
	@echo "  check-html   report.html in headless Chromium: renders, loads nothing, numbers match"
	@echo "  check-qemu   QEMU boot tests only (tests/qemu/cases)"
	@echo "  check-models the QEMU CPU-model tables (tools/lib/qemu-models-*.def) against QEMU's QMP answers"
	@echo "  check-needs  triage needs against objdump -d and readelf -n on programs built at each -march level"
	@echo "  check-autopsy  triage host --autopsy against real QEMU processes (paused, stopped, throttled, spinning, idle, starved)"
	@echo "  check-watch  triage watch stopped by SIGSTOP for 3 s: the post-mortem finds the freeze from the record alone (15 s)"
	@echo "  debian-guest the post-mortem's Debian guest disk (debootstrap, two TCG boots; cached)"
	@echo "  check-quick  unit tests and a small subset of the boot tests"
	@echo "  bench        benchmarks: sizes, boot times, check timings"
	@echo "  tools        $(OUT)/triage and $(OUT)/init (static, musl)"
	@echo "  kernel       $(OUT)/bzImage (cached in \$$VMTRIAGE_CACHE or ~/.cache/vmtriage)"
	@echo "  initramfs    $(OUT)/initrd.xz, $(OUT)/stress.xz and $(OUT)/pm.xz"
	@echo "  iso          $(OUT)/vmtriage.iso"
	@echo "  report-disk  $(OUT)/report-disk.img: an empty FAT disk labelled TRIAGE"
	@echo "  deps         install every missing Debian package (scripts/deps all); each target installs only its own (scripts/deps build|run|check|bench)"
	@echo "  clean        remove $(OUT)/"

# Packages per target (scripts/deps): building the ISO on a PVE node
# installs no test oracle; `make check` adds them.
deps:
	@scripts/deps all
deps-build deps-run deps-check deps-bench:
	@scripts/deps $(@:deps-%=%)

all: iso
	@scripts/sizes $(OUT)

tools: $(OUT)/triage $(OUT)/init

# ---- the image's binaries (musl, static) ----

$(MUSL_INC): | deps-build
	@mkdir -p $@
	@for h in $(COMPRESS_HDRS); do ln -sfn /usr/include/$$h $@/$$h; done

$(OUT)/musl/%.o: %.c | deps-build $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/musl/libtriage.a: $(call MUSL_OBJ,$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

TRIAGE_OBJ = $(call MUSL_OBJ,tools/triage.c $(CMD_SRC))
$(OUT)/triage: $(TRIAGE_OBJ) $(OUT)/musl/libtriage.a
	$(MUSL_CC) -static -o $@ $(TRIAGE_OBJ) $(OUT)/musl/libtriage.a $(CPUID_LIB) $(OUT)/musl/libtriage.a $(COMPRESS_LIBS) -lm

$(OUT)/init: $(call MUSL_OBJ,$(INIT_SRC)) $(OUT)/musl/libtriage.a
	$(MUSL_CC) -static -o $@ $^

# ---- kernel, initramfs, ISO ----

kernel: | deps-build
	@scripts/kernel $(OUT)/bzImage

$(OUT)/bzImage: kernel

# kernel: its modules (out/modules/) go into pm.xz.
initramfs: $(OUT)/triage $(OUT)/init kernel
	@scripts/initramfs $(OUT)

iso: kernel initramfs
	@scripts/iso $(OUT)

report-disk: | deps-build
	@scripts/report-disk $(OUT)/report-disk.img

run: deps-run all
	@scripts/qemu-run $(OUT)

# ---- tests ----

$(OUT)/host/%.o: %.c | deps-check
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

HOST_LIB_OBJ := $(call HOST_OBJ,$(LIB_SRC) $(CMD_SRC))

$(OUT)/unit/%: $(OUT)/host/tests/unit/%.o $(call HOST_OBJ,$(UNIT_HELP)) $(HOST_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ -lcmocka -lcpuid $(addprefix -l,$(COMPRESS_NAMES)) -lm

check-unit: $(UNIT_BINS)
	@scripts/unit-tests $(UNIT_BINS)

check-scripts:
	@scripts/check-scripts
	@tests/scripts/run
	@python3 tests/qemu/test_vmtest.py -q

check-includes:
	@out=$$(tests/includes/run 2>&1) || { echo "$$out"; exit 1; }
	@scripts/check-includes

# The same unit tests built by clang: its -fsanitize=float-cast-overflow
# (gcc's UBSan has no such check) sees a double from a file cast to an int.
CLANG_CFLAGS  = $(COMMON) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
CLANG_OBJ     = $(patsubst %.c,$(OUT)/clang/%.o,$(1))
UNIT_CLANG_BINS := $(patsubst tests/unit/%.c,$(OUT)/unit-clang/%,$(UNIT_SRC))

$(OUT)/clang/%.o: %.c | deps-check
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CLANG_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/unit-clang/%: $(OUT)/clang/tests/unit/%.o $(call CLANG_OBJ,$(UNIT_HELP) $(LIB_SRC) $(CMD_SRC))
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ -lcmocka -lcpuid $(addprefix -l,$(COMPRESS_NAMES)) -lm

check-unit-clang: $(UNIT_CLANG_BINS)
	@scripts/unit-tests $(UNIT_CLANG_BINS)

check-html: $(OUT)/triage | deps-check
	@TRIAGE=$(OUT)/triage tests/html/check $(OUT)/html-check

# The Debian guest disk of the post-mortem's boot test: built once (minutes:
# debootstrap and one TCG boot), then cached under ~/.cache/vmtriage.
debian-guest: | deps-check
	@tests/postmortem/make-debian-disk >/dev/null

check-qemu: all debian-guest | deps-check
	@tests/qemu/run $(OUT)

check-quick: check-unit all
	@tests/qemu/run --quick $(OUT)

# ---- fuzzing: libFuzzer targets over the same sources, built by clang ----
# One target is one file tests/fuzz/fuzz_NAME.c with LLVMFuzzerTestOneInput,
# seeds in tests/fuzz/corpus/NAME/, inputs that once failed in
# tests/fuzz/regress/NAME/ (run first, every time). Other .c files in
# tests/fuzz/ are helpers linked into every target.

# The release's clang (Debian 12: 14, 13: 19; scripts/deps installs `clang`).
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_CFLAGS  := $(COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_HELP    := $(filter-out $(FUZZ_SRC),$(wildcard tests/fuzz/*.c))
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_BINS    := $(patsubst %,$(OUT)/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_OBJ      = $(patsubst %.c,$(OUT)/fuzzobj/%.o,$(1))
# Seconds per target: `make check` (bounded) and `make fuzz` (as long as asked).
FUZZ_CHECK_SECONDS ?= 5
FUZZ_SECONDS ?= 60
# Targets `make check` leaves out while a known finding waits for its fix
# elsewhere (their regress/ inputs show it); `make fuzz` runs them all.
FUZZ_CHECK_SKIP ?=
FUZZ         ?= $(FUZZ_NAMES)
comma        := ,

$(OUT)/fuzzobj/%.o: %.c | deps-check
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

# An archive: a target links only the objects its parser needs.
$(OUT)/fuzzobj/libtriage.a: $(call FUZZ_OBJ,$(LIB_SRC) $(CMD_SRC))
	@rm -f $@
	ar rcs $@ $^

$(OUT)/fuzz/fuzz_%: $(OUT)/fuzzobj/tests/fuzz/fuzz_%.o $(call FUZZ_OBJ,$(FUZZ_HELP)) $(OUT)/fuzzobj/libtriage.a
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ -lcpuid $(addprefix -l,$(COMPRESS_NAMES)) -lm

check-fuzz: $(FUZZ_BINS)
	@scripts/fuzz --seconds $(FUZZ_CHECK_SECONDS) --skip '$(FUZZ_CHECK_SKIP)' $(OUT) $(FUZZ_NAMES)

fuzz: $(FUZZ_BINS)
	@scripts/fuzz --seconds $(FUZZ_SECONDS) $(OUT) $(subst $(comma), ,$(FUZZ))

# The model tables against QEMU itself: Debian 12's QEMU 7.2 on PATH, and
# QEMU 10 where QEMU10 says how to run it (a Debian 13 chroot, see
# docs/cpu-models.md); without one that half prints SKIP.
QEMU10 ?= $(if $(wildcard /work/trixie-qemu/usr/bin/qemu-system-x86_64),chroot /work/trixie-qemu qemu-system-x86_64)
check-models: | deps-check
	@scripts/qemu-cpu-models check tools/lib/qemu-models-7.2.def
	@if [ -n "$(QEMU10)" ]; then scripts/qemu-cpu-models check tools/lib/qemu-models-10.0.def --qemu '$(QEMU10)'; \
	else echo "SKIP tools/lib/qemu-models-10.0.def: no QEMU 10 here (set QEMU10, e.g. to a Debian 13 chroot's qemu-system-x86_64)"; fi

check-needs: $(OUT)/triage | deps-check
	@tests/needs/check $(OUT)/triage

# Real QEMU processes (TCG, a few bytes of guest code each), one a case of
# tests/autopsy/cases, about 30 s in all.
check-autopsy: $(OUT)/triage | deps-check
	@tests/autopsy/check $(OUT)/triage $(OUT)/autopsy-test

check-watch: $(OUT)/triage | deps-check
	@tests/watch/run $(OUT)/triage

check: deps-check check-scripts check-includes check-unit check-unit-clang check-fuzz check-html check-needs check-autopsy check-watch check-models check-qemu

bench: deps-bench all
	@scripts/bench $(OUT)

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT)/musl $(OUT)/host $(OUT)/fuzzobj $(OUT)/clang -name '*.d' 2>/dev/null)
