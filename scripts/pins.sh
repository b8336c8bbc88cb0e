# SPDX-License-Identifier: GPL-2.0-or-later
# Pinned inputs, all from Debian's registry. Bump a version and its checksums
# together; scripts/fetch-sources refuses anything that does not match.

# QEMU 10.0 source package (trixie), unpacked with dpkg-source -x.
QEMU_SRC_PKG=qemu
QEMU_SRC_VERSION='1:10.0.13+ds-0+deb13u1'
QEMU_SRC_SUITE=trixie
QEMU_UPSTREAM=10.0.13
QEMU_SRC_FILES='
qemu_10.0.13+ds-0+deb13u1.dsc a426c892e5369058c3423816c8625bc8010bb5a58ece57261f62b64ee4d765ad
qemu_10.0.13+ds.orig.tar.xz 6a0888e806c2ffc0c5f0733e974f9aea55491950d3c47c98669c8b236dde59ae
qemu_10.0.13+ds-0+deb13u1.debian.tar.xz da73c092f5684c551b0334d675eb16a3dec91e1edea94759cfb1102fa4a0364e
'

# Firmware (qboot, option ROMs) of the same QEMU version; the +ds build has none.
QEMU_DATA_PKG=qemu-system-data
QEMU_DATA_VERSION='1:10.0.13+ds-0+deb13u1'
QEMU_DATA_DEB='qemu-system-data_1%3a10.0.13+ds-0+deb13u1_all.deb'
QEMU_DATA_SHA256=a0e03c526cc09d4c2ab20aa19a8c12e916cdc49a170acb16a6563c28f70eafd3

# Linux 6.12 source for the guest kernel.
LINUX_PKG=linux-source-6.12
LINUX_VERSION='6.12.117-1~deb12u1'
LINUX_UPSTREAM=6.12.117
LINUX_DEB='linux-source-6.12_6.12.117-1~deb12u1_all.deb'
LINUX_SHA256=e849faf31ca3555757f3a8877cb01af92122f744f75d1f3102734651c4e14703

# Build tools that bookworm itself does not carry in a new enough version.
MESON_VERSION='1.7.0-1~bpo12+1'

# The sanitizer/fuzzing build of QEMU (make check-sanitize, make fuzz):
# clang, its sanitizer and libFuzzer runtimes and llvm-symbolizer, from
# bookworm.
SANITIZE_VERSION='1:19.1.7-3~deb12u1'
SANITIZE_PKGS='clang-19 libclang-rt-19-dev llvm-19'
SANITIZE_CC=clang-19
SANITIZE_CXX=clang++-19
SANITIZE_LLVM=19
