# SPDX-License-Identifier: GPL-2.0-or-later
# Pinned inputs, all from Debian's registry. Bump a version and its checksums
# together; scripts/fetch-sources refuses anything that does not match.

# QEMU 10.2 source package (sid), unpacked with dpkg-source -x.
QEMU_SRC_PKG=qemu
QEMU_SRC_VERSION='1:10.2.2+ds-1'
QEMU_SRC_SUITE=sid
QEMU_UPSTREAM='10.2.2'
QEMU_SRC_FILES='
qemu_10.2.2+ds-1.debian.tar.xz ddf75aceab4f8f77374f3cb34fc97b41514895aeb293ce8b2ddd5e072bb0f5c0
qemu_10.2.2+ds-1.dsc f1684b3aa5ec500c3389d346c6501dee45041ea91656c6556d4da9023b7987dd
qemu_10.2.2+ds.orig.tar.xz be05230fe47a6937cd29f28f562932c8125f9c93c2a82c625198f7a4aa601dfb
'

# Firmware (qboot, option ROMs): the +ds source has none, and sid serves the
# binary packages of a newer QEMU only; the ROMs' interfaces are stable.
QEMU_DATA_PKG=qemu-system-data
QEMU_DATA_VERSION='1:11.1.3+ds-2~bpo13+1'
QEMU_DATA_DEB='qemu-system-data_1%3a11.1.3+ds-2~bpo13+1_all.deb'
QEMU_DATA_SHA256='7d5e70498a1ebcf1d001a4182c35f8c36059458da8aa735524b3dfe5f27a6680'

# Linux 7.3 source for the guest kernel (trixie-backports).
LINUX_PKG='linux-source-7.3'
LINUX_VERSION='7.3.4-1~bpo13+1'
LINUX_UPSTREAM='7.3.4'
LINUX_DEB='linux-source-7.3_7.3.4-1~bpo13+1_all.deb'
LINUX_SHA256='703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3'
# The oldest Linux a LINUX_TREE= may be for kernel-patches/ to apply (the
# iommu core interfaces the driver implements: 7.x's attach_dev with the old
# domain, iommu_pages_list, kzalloc_obj).
LINUX_TREE_MIN=7.2

# Build tools that bookworm itself does not carry in a new enough version.
# sparse for the kernel series' per-patch check (scripts/check-series):
# Linux 7.3's checker-valid.sh refuses bookworm's 0.6.4, and sid's binary
# needs sid's libc: its source package, built here (scripts/build-sparse).
SPARSE_SRC_PKG=sparse
SPARSE_SRC_VERSION='0.6.5~rc1-2'
SPARSE_SRC_FILES='
sparse_0.6.5~rc1-2.debian.tar.xz 0774bf1317531a03ccf5ebe1a3efa4140f2d7a8f17c823033493697fe6eb4b00
sparse_0.6.5~rc1-2.dsc 3520edb07c89820367b7fd99212236aaaf7bf4034ce06fdb7718da0c7e61e076
sparse_0.6.5~rc1.orig.tar.gz 3ac8855ec7f3ab92f325be0f64347ccc2b10f8b4d7c2906783ee8e2bdab3f0de
'
MESON_VERSION='1.7.0-1~bpo12+1'

# The sanitizer/fuzzing build of QEMU (make check-sanitize, make fuzz):
# clang, its sanitizer and libFuzzer runtimes and llvm-symbolizer, from
# bookworm.
SANITIZE_VERSION='1:19.1.7-3~deb12u1'
SANITIZE_PKGS='clang-19 libclang-rt-19-dev llvm-19'
SANITIZE_CC=clang-19
SANITIZE_CXX=clang++-19
SANITIZE_LLVM=19

# The arm64 guest (LAB_ARCH=arm64, scripts/setup-deps --arm64): the cross
# compiler and its C library from bookworm, the arm64 libraries the
# upstream selftests link (libcap, libuuid), and bookworm's static busybox
# for arm64 (multiarch: dpkg's arm64 architecture), unpacked into the cache.
ARM64_PKGS='gcc-aarch64-linux-gnu libc6-dev-arm64-cross libcap-dev:arm64 uuid-dev:arm64'
BUSYBOX_ARM64_PKG='busybox-static:arm64'
BUSYBOX_ARM64_VERSION='1:1.35.0-4+deb12u1+b1'
BUSYBOX_ARM64_DEB='busybox-static_1%3a1.35.0-4+deb12u1+b1_arm64.deb'
BUSYBOX_ARM64_SHA256='732c9135564fc71337e0e05fb4da4d11e6c28c1834bce3e405e575afef2a52f5'
