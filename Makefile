# SPDX-License-Identifier: GPL-2.0-or-later
#
# Thin wrapper, as in QEMU: the scripts do the work, meson runs the tests.
# `make help` lists every target: the '## ' line above each rule below.
#
# Your own kernel tree instead of the pinned one (build/tree-NAME):
#   make check-guest LINUX_TREE=~/src/linux [SKIP_DRIVER=1]
#   make demo LINUX_TREE=...     make shell LINUX_TREE=... [GDB=1]
# Debugging: TRACE='smmu_lite_*' (QEMU trace events per guest test or demo
# row into build/logs/), TESTS='replace-smmu-lite arm64-matrix-smmuv3 ...' (run only these
# tests), GDB=1 (make shell: QEMU's gdb stub, prints the gdb command line).

BUILD := build
# (not for make help: a fresh clone would configure first)
ifneq ($(MAKECMDGOALS),help)
-include $(BUILD)/config.mk
endif
LAB_ACCEL ?= tcg
LAB_JOBS ?= $(shell nproc)
export LAB_ACCEL LAB_JOBS
# the x86 guest unless a target says --arch=arm64: a LAB_ARCH left in the
# environment must not turn x86 targets into arm64 builds
export LAB_ARCH := x86_64
# One build at a time: each script runs LAB_JOBS jobs itself, and make -j
# would start two kernel builds (or QEMU and a kernel) at once.
.NOTPARALLEL:
IOMMU ?= none

ifneq ($(LINUX_TREE),)
# absolute: meson runs the tests from other directories
override LINUX_TREE := $(abspath $(LINUX_TREE))
export LINUX_TREE
ifneq ($(filter-out 0,$(SKIP_DRIVER)),)
export LAB_SKIP_DRIVER := 1
endif
KDIR := $(shell LINUX_TREE='$(LINUX_TREE)' LAB_SKIP_DRIVER='$(LAB_SKIP_DRIVER)' scripts/kdir)
ifeq ($(KDIR),)
$(error LINUX_TREE=$(LINUX_TREE) cannot be used (see the message above))
endif
CHECK_MUTANT := true
# targets that build or test the pinned tree only
PINNED_ONLY := $(filter check-debug check-mutants check-series bench kernel-debug,$(MAKECMDGOALS))
ifneq ($(PINNED_ONLY),)
$(error $(PINNED_ONLY): for the pinned kernel only, not with LINUX_TREE=)
endif
else
ifneq ($(filter-out 0,$(SKIP_DRIVER)),)
$(error SKIP_DRIVER=1 is for LINUX_TREE= builds only)
endif
KDIR := $(BUILD)
# one planted bug per commit, in turn (all of them: make check-mutants);
# before the suites, whose meson log test-summary reads
CHECK_MUTANT := scripts/check-mutants --rotate
endif
# make check's suites; the debug kernel's (make check-debug) and all five
# VFIO modes (make check-vfio-full) are left out
CHECK_SUITES := --suite qtest --suite unit --suite guest
# What a guest run needs; the debug kernel is built only by the targets that
# boot it (kernel-debug, check-debug)
GUEST_TARGETS := qemu kernel guest
ifneq ($(TRACE),)
export LAB_TRACE := $(TRACE)
endif
MESON_X86 := meson test -C $(KDIR)/lab --no-rebuild --print-errorlogs
MESON_TEST := $(MESON_X86) $(TESTS)
# The arm64 guest's build (build/arm64, build/tree-NAME-arm64)
ARM64_KDIR := $(shell LAB_ARCH=arm64 LINUX_TREE='$(LINUX_TREE)' LAB_SKIP_DRIVER='$(LAB_SKIP_DRIVER)' scripts/kdir 2>/dev/null)
ARM64_TARGETS := qemu-aarch64 kernel-arm64 guest-arm64
MESON_ARM64 := meson test -C $(ARM64_KDIR)/lab --no-rebuild --print-errorlogs --suite guest-arm64
MESON_TEST_ARM64 := $(MESON_ARM64) $(TESTS)
# make check runs the arm64 guest's suite too, on the pinned tree (with
# LINUX_TREE=: make check-arm64). TESTS= names tests of either guest: the
# arm64-* ones go to the arm64 guest's meson, the others to the x86 one's,
# and a side none of them is for is not run. The arm64 guest is built all
# the same: the planted bug in turn may be an arm64 one.
TESTS_ARM64 := $(filter arm64-%,$(TESTS))
TESTS_X86 := $(filter-out arm64-%,$(TESTS))
CHECK_X86 := $(MESON_X86) $(TESTS_X86) $(CHECK_SUITES)
CHECK_X86_KDIR := $(KDIR)
ifneq ($(TESTS),)
ifeq ($(TESTS_X86),)
CHECK_X86 := true
CHECK_X86_KDIR :=
endif
endif
CHECK_ARM64 := true
ifeq ($(LINUX_TREE),)
CHECK_ARM64_TARGETS := $(ARM64_TARGETS)
ifneq ($(if $(TESTS),$(TESTS_ARM64),all),)
CHECK_ARM64 := $(MESON_ARM64) $(TESTS_ARM64)
CHECK_ARM64_KDIR := $(ARM64_KDIR)
endif
endif
# make demo's arm-smmu-v3 row: the arm64 guest of the pinned tree
ifeq ($(LINUX_TREE),)
DEMO_ARM64_TARGETS := $(ARM64_TARGETS)
endif

.PHONY: all qemu kernel kernel-debug headers guest lab check check-qtest \
        qemu-aarch64 kernel-arm64 guest-arm64 check-arm64 \
        check-unit check-guest check-debug check-vfio-full check-mutants check-series check-sanitize \
        qemu-sanitize fuzz demo shell bench clean distclean help

## all: QEMU with the lab devices, the guest kernel, the initramfs
all: $(GUEST_TARGETS)

## help: this list
help:
	@awk '/^## [a-z0-9-]+: / { sub(/^## /, ""); t = $$0; sub(/:.*/, "", t); \
	      d = $$0; sub(/^[^:]*: /, "", d); printf "  make %-16s %s\n", t, d }' \
	     $(firstword $(MAKEFILE_LIST))

$(BUILD)/config.mk:
	./configure

## qemu: qemu-system-x86_64 with smmu-lite, dma-gen and the lab qtests (build/qemu)
qemu: $(BUILD)/config.mk
	scripts/build-qemu

## kernel: the lab guest kernel, kernel-patches/ on the pinned Linux (build/linux)
kernel: $(BUILD)/config.mk
	scripts/build-kernel

# After the lab kernel: the same tree, never two kernel builds at once.
## kernel-debug: the same tree with debug.config: KASAN, kmemleak, UBSAN (build/linux-debug)
kernel-debug: kernel
	scripts/build-kernel --debug

## headers: the guest kernel's uapi headers only (build/linux-headers)
headers: $(BUILD)/config.mk
	scripts/build-kernel --headers-only

## guest: the static guest programs and the initramfs
guest: kernel
	scripts/build-guest

## qemu-aarch64: qemu-system-aarch64 from the same tree (build/qemu), for the arm64 guest
qemu-aarch64: qemu
	scripts/build-qemu qemu-system-aarch64

## kernel-arm64: the arm64 guest kernel, cross-built from the same series (build/arm64/linux)
kernel-arm64: $(BUILD)/config.mk
	scripts/build-kernel --arch=arm64

## guest-arm64: the arm64 guest programs and initramfs (build/arm64)
guest-arm64: kernel-arm64
	scripts/build-guest --arch=arm64

## lab: the meson project alone (guest programs and the test list)
lab: headers
	scripts/build-guest --lab-only

## check: every suite (qtest, unit, guest, guest-arm64) and one planted bug in turn
check: all $(CHECK_ARM64_TARGETS)
	rc=0; $(CHECK_MUTANT) || rc=$$?; \
	$(CHECK_X86) || rc=$$?; \
	$(CHECK_ARM64) || rc=$$?; \
	LAB_CHECK_KDIRS='$(CHECK_X86_KDIR) $(CHECK_ARM64_KDIR)' scripts/lib/test-summary $$rc

## check-qtest: the qtests of smmu-lite and dma-gen
check-qtest: qemu lab
	$(MESON_TEST) --suite qtest ; scripts/lib/test-summary $$?

## check-unit: the lab's tooling on planted inputs (tests/unit)
check-unit: lab
	$(MESON_TEST) --suite unit ; scripts/lib/test-summary $$?

## check-guest: the guest suites on the lab kernel (TESTS=... for some)
check-guest: $(GUEST_TARGETS)
	$(MESON_TEST) --suite guest ; scripts/lib/test-summary $$?

## check-arm64: the arm64 guest on QEMU's smmuv3 with Linux's arm-smmu-v3 (replace under DMA, KUnit, upstream iommufd)
check-arm64: $(ARM64_TARGETS)
	$(MESON_TEST_ARM64) ; LAB_ARCH=arm64 scripts/lib/test-summary $$?

## check-debug: every guest test again on the debug kernel (KASAN, kmemleak, ...)
check-debug: all kernel-debug
	$(MESON_TEST) --suite guest-debug --suite guest-debug-full ; scripts/lib/test-summary $$?

## check-vfio-full: upstream vfio_pci_driver_test through all five VFIO/iommufd modes
check-vfio-full: $(GUEST_TARGETS)
	$(MESON_TEST) --suite guest-vfio-full ; scripts/lib/test-summary $$?

## check-mutants: every planted driver bug (tests/mutants/) must be caught
check-mutants: $(GUEST_TARGETS) $(ARM64_TARGETS)
	scripts/check-mutants

## check-series: kernel-patches/ one patch at a time: W=1, sparse, build, boot (FIRST= LAST=)
check-series: $(GUEST_TARGETS)
	scripts/check-series $(if $(LAST),$(or $(FIRST),1) $(LAST),$(FIRST))

# A second QEMU build (clang-19, ASan + UBSan + libFuzzer instrumentation),
# after the first: both prepare the same QEMU source tree.
## qemu-sanitize: QEMU again with clang, ASan, UBSan and libFuzzer (build/qemu-sanitize)
qemu-sanitize: qemu
	scripts/build-qemu --sanitize

## check-sanitize: every qtest on the sanitizer QEMU
check-sanitize: qemu-sanitize
	scripts/check-sanitize

FUZZ_TIME ?= 600
## fuzz: generic-fuzz and the lab's smmu-lite target on smmu-lite and dma-gen (FUZZ_TIME=seconds)
fuzz: qemu qemu-sanitize
	scripts/fuzz --time=$(FUZZ_TIME)

## demo: replace under live DMA on each IOMMU, side by side, with pictures
demo: $(GUEST_TARGETS) $(DEMO_ARM64_TARGETS)
	scripts/demo

## bench: smmu-lite, intel-iommu and no IOMMU measured side by side
bench: $(GUEST_TARGETS)
	scripts/bench

## shell: boot the guest to a busybox shell (IOMMU=none|intel|smmu-lite, GDB=1)
shell: $(GUEST_TARGETS)
	scripts/run-guest --shell --iommu=$(IOMMU) --accel=$(LAB_ACCEL) $(if $(GDB),--gdb)

## clean: remove the build outputs, keep the prepared sources
clean:
	rm -rf $(BUILD)/qemu $(BUILD)/qemu-sanitize $(BUILD)/linux $(BUILD)/linux-debug \
	       $(BUILD)/mutant $(BUILD)/mutants $(BUILD)/series \
	       $(BUILD)/lab $(BUILD)/guest $(BUILD)/logs \
	       $(BUILD)/initramfs.cpio.gz $(BUILD)/arm64

## distclean: remove build/
distclean:
	rm -rf $(BUILD)
