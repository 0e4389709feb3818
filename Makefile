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
MUSL_CFLAGS := $(COMMON) -I $(MUSL_INC) -O2 -march=x86-64 -mtune=generic -fno-plt
HOST_CFLAGS := $(COMMON) -O1 -g -march=x86-64 -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined

LIB_SRC   := $(wildcard tools/lib/*.c)
CMD_SRC   := $(wildcard tools/*/*.c) tools/commands.c
CMD_SRC   := $(filter-out $(LIB_SRC),$(CMD_SRC))
INIT_SRC  := $(wildcard init/*.c)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)

MUSL_OBJ   = $(patsubst %.c,$(OUT)/musl/%.o,$(1))
HOST_OBJ   = $(patsubst %.c,$(OUT)/host/%.o,$(1))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(UNIT_SRC))

.PHONY: all tools kernel initramfs iso run check check-unit check-includes check-html check-qemu check-quick \
        bench deps clean help report-disk sizes
.DEFAULT_GOAL := all
# Objects are never intermediate: keep them (and make no `rm` noise after
# the test summary).
.SECONDARY:

help:
	@echo "vmtriage make targets:"
	@echo "  all          (default) tools, kernel, initramfs and the hybrid ISO; prints sizes"
	@echo "  run          build, boot the ISO under QEMU with a report disk, leave the report in $(OUT)/report/"
	@echo "  check        all tests: unit tests (cmocka, ASan+UBSan) and QEMU boot tests"
	@echo "  check-unit   unit tests only"
	@echo "  check-includes  the layering rules of the #include lines (scripts/check-includes)"
	@echo "  check-html   report.html in headless Chromium: renders, loads nothing, numbers match"
	@echo "  check-qemu   QEMU boot tests only (tests/qemu/cases)"
	@echo "  check-quick  unit tests and a small subset of the boot tests"
	@echo "  bench        benchmarks: sizes, boot times, check timings"
	@echo "  tools        $(OUT)/triage and $(OUT)/init (static, musl)"
	@echo "  kernel       $(OUT)/bzImage (cached in \$$VMTRIAGE_CACHE or ~/.cache/vmtriage)"
	@echo "  initramfs    $(OUT)/initrd.xz, $(OUT)/stress.xz and $(OUT)/pm.xz"
	@echo "  iso          $(OUT)/vmtriage.iso"
	@echo "  report-disk  $(OUT)/report-disk.img: an empty FAT disk labelled TRIAGE"
	@echo "  deps         install missing Debian packages (scripts/deps)"
	@echo "  clean        remove $(OUT)/"

deps:
	@scripts/deps

all: iso
	@scripts/sizes $(OUT)

tools: $(OUT)/triage $(OUT)/init

# ---- the image's binaries (musl, static) ----

$(MUSL_INC): | deps
	@mkdir -p $@
	@for h in $(COMPRESS_HDRS); do ln -sfn /usr/include/$$h $@/$$h; done

$(OUT)/musl/%.o: %.c | deps $(MUSL_INC)
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

kernel: | deps
	@scripts/kernel $(OUT)/bzImage

$(OUT)/bzImage: kernel

# kernel: its modules (out/modules/) go into pm.xz.
initramfs: $(OUT)/triage $(OUT)/init kernel
	@scripts/initramfs $(OUT)

iso: kernel initramfs
	@scripts/iso $(OUT)

report-disk: | deps
	@scripts/report-disk $(OUT)/report-disk.img

run: all
	@scripts/qemu-run $(OUT)

# ---- tests ----

$(OUT)/host/%.o: %.c | deps
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

HOST_LIB_OBJ := $(call HOST_OBJ,$(LIB_SRC) $(CMD_SRC))

$(OUT)/unit/%: $(OUT)/host/tests/unit/%.o $(HOST_LIB_OBJ)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ -lcmocka -lcpuid $(addprefix -l,$(COMPRESS_NAMES)) -lm

check-unit: $(UNIT_BINS)
	@scripts/unit-tests $(UNIT_BINS)

check-includes:
	@out=$$(tests/includes/run 2>&1) || { echo "$$out"; exit 1; }
	@scripts/check-includes

check-html: $(OUT)/triage
	@TRIAGE=$(OUT)/triage tests/html/check $(OUT)/html-check

check-qemu: all
	@tests/qemu/run $(OUT)

check-quick: check-unit all
	@tests/qemu/run --quick $(OUT)

check: check-includes check-unit check-html check-qemu

bench: all
	@scripts/bench $(OUT)

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT)/musl $(OUT)/host -name '*.d' 2>/dev/null)
