# SPDX-License-Identifier: GPL-2.0-or-later
# Common definitions for the lab's scripts. Source it; it sets -eu.
set -eu

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smmu-lab}
LAB_BUILD=${LAB_BUILD:-$LAB_TOP/build}
# shellcheck source=scripts/lib/pins.sh
. "$LAB_TOP/scripts/lib/pins.sh"

LAB_DL=$LAB_CACHE/dl
LAB_SRC=$LAB_CACHE/src
QEMU_PRISTINE=$LAB_SRC/qemu-$QEMU_UPSTREAM
QEMU_DATA=$LAB_SRC/qemu-data-${QEMU_DATA_VERSION#*:}
LINUX_PRISTINE=$LAB_SRC/linux-$LINUX_UPSTREAM
BUSYBOX_ARM64=$LAB_SRC/busybox-arm64-${BUSYBOX_ARM64_VERSION#*:}
SPARSE_PRISTINE=$LAB_SRC/sparse-$SPARSE_SRC_VERSION
LAB_JOBS=${LAB_JOBS:-$(nproc)}

# ccache: one cache outside the tree, paths made relative to the checkout so a
# clone elsewhere still hits.
export CCACHE_DIR=${CCACHE_DIR:-$LAB_CACHE/ccache}
export CCACHE_BASEDIR=$LAB_TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Depend mode: a miss costs the compile alone, not a preprocessor run before
# it (the key comes from the compiler's own -MD list). 40 kernel objects,
# cold: 24.7 s against 32.0 s in the default mode and 26.0 s without ccache.
# Its price: with -MMD (the kernel's host tools) system headers are not in
# the key, so a libc or libelf header update without a new compiler can
# serve a stale host-tool object (rm -rf the ccache directory then); no
# fallback to preprocessor hits. CCACHE_NODEPEND=1 turns it off.
[ -n "${CCACHE_NODEPEND:-}" ] || export CCACHE_DEPEND=1

die() { echo "${0##*/}: error: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

# lab_help SCRIPT: the comment block at the top of SCRIPT (what it does, its
# usage), without the '#'s. Every script that sources this file answers -h
# and --help (as its first argument) with it.
lab_help() {
    awk 'NR == 1 && /^#!/ { next }
         /SPDX-License-Identifier/ { next }
         /^#/ { sub(/^# ?/, ""); if (NF || seen) print; seen = 1; next }
         { exit }' "$1"
}
case "${1:-}" in
-h|--help) lab_help "$0"; exit 0 ;;
esac

# Debian's python with Debian's meson, never a pyenv/venv shim.
LAB_PYTHON=/usr/bin/python3

sha256_ok() { # file expected-sha256
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# stamp NAME VALUE: a directory is valid only once its stamp holds VALUE.
stamp_ok() { [ -f "$1/.lab-stamp" ] && [ "$(cat "$1/.lab-stamp")" = "$2" ]; }
stamp_set() { printf '%s' "$2" > "$1/.lab-stamp"; }

# need_space DIR GIB WHAT: stop with one line unless DIR's file system has
# GIB GiB free for WHAT (a full disk otherwise shows up as a linker or
# objcopy error deep in a kernel build).
need_space() {
    local d=$1 free
    while [ ! -d "$d" ]; do d=$(dirname "$d"); done
    free=$(df -Pk "$d" | awk 'NR == 2 { print int($4 / 1048576) }')
    [ "$free" -ge "$2" ] ||
        die "$3 needs about $2 GiB free in $d; only $free GiB are (free some space, e.g. old build trees, and run again)"
}

# selftests_make DIR OUTPUT HEADERS: build a kselftest directory statically
# for the guest, against the uapi HEADERS; each test may run
# LAB_SELFTEST_TIMEOUT seconds instead of kselftest's 30 (kernel-patches:
# 'selftests: harness: let the build raise ...'): under TCG on a loaded host
# 30 s is not a bound on the test, only on the host's speed.
LAB_SELFTEST_TIMEOUT=${LAB_SELFTEST_TIMEOUT:-300}
selftests_make() {
    local cross=()
    [ "$LAB_ARCH" != arm64 ] || cross=(ARCH=arm64 CROSS_COMPILE="$LAB_CROSS")
    make -s -C "$1" OUTPUT="$2" CC="ccache ${cross:+$LAB_CROSS}gcc" "${cross[@]}" \
        KHDR_INCLUDES="-isystem $3" \
        USERLDFLAGS=-static USERCFLAGS="-DTEST_TIMEOUT_DEFAULT=$LAB_SELFTEST_TIMEOUT"
}

# lab_kmake SRC OBJ: set KMAKE to the make command line that builds the
# kernel tree SRC into OBJ the way every lab kernel is built (ccache, but
# not for the assembler files that .incbin the kernel image: see
# scripts/lib/kernel-cc; a fixed build user, host and time, so the same
# source gives the same objects whichever script builds it).
# For an arm64 guest (LAB_ARCH=arm64) the same with Debian's cross compiler.
lab_kmake() {
    KMAKE=(make -C "$1" O="$2" -j"$LAB_JOBS" CC="$LAB_TOP/scripts/lib/kernel-cc" HOSTCC="ccache gcc"
           KBUILD_BUILD_USER=lab KBUILD_BUILD_HOST=smmu-lab
           KBUILD_BUILD_TIMESTAMP="2026-01-01 00:00 UTC")
    if [ "$LAB_ARCH" = arm64 ]; then
        KMAKE+=(ARCH=arm64 CROSS_COMPILE="$LAB_CROSS")
        export LAB_KCC=${LAB_CROSS}gcc
    else
        export LAB_KCC=gcc
    fi
}

# served_versions PKG [src]: the versions of PKG (binary, or with src the
# source package) that the configured apt suites serve, oldest first.
served_versions() {
    if [ "${2:-}" = src ]; then
        apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/{print $2}' | sort -uV
    else
        apt-cache madison "$1" 2>/dev/null |
            awk -F' *[|] *' '$3 ~ / Packages$/ { print $2 }' | sort -uV
    fi
}

# The kernel-patches/ series: its patch names, and the stamp of a tree that
# has them applied (Linux version + a hash of the series and every patch).
kernel_series() { grep -v '^[[:space:]]*\(#\|$\)' "$LAB_TOP/kernel-patches/series" || true; }
kernel_series_stamp() {
    echo "$LINUX_VERSION $(cd "$LAB_TOP/kernel-patches" &&
        { cat series; kernel_series | xargs -r cat; } | sha256sum | cut -d' ' -f1)"
}

# The guest kernel's tree and build. By default the pinned Debian source,
# patched in build/linux-src and built in build/linux (LAB_KDIR=build).
# LINUX_TREE=/path/to/linux (a git checkout of the user's) moves every
# kernel-side output (linux-src, linux, linux-headers, guest programs,
# initramfs, logs) to build/tree-NAME, NAME from the tree's directory name;
# QEMU stays in build/qemu. LAB_SKIP_DRIVER=1 applies only the selftests
# patches of kernel-patches/ (no smmu-lite driver, no uapi addition).
lab_tree_name() {
    basename "$(realpath "$1")" | tr -c 'A-Za-z0-9._\n-' '_'
}
LAB_SKIP_DRIVER=${LAB_SKIP_DRIVER:-}
case "$LAB_SKIP_DRIVER" in ''|0) LAB_SKIP_DRIVER= ;; *) LAB_SKIP_DRIVER=1 ;; esac
# The guest's architecture: x86_64 (q35, the default) or arm64 (QEMU's
# virt with an SMMUv3). LAB_ARCH=arm64, or --arch=arm64 on the command line
# of a script that builds or runs a guest, moves every kernel-side output
# to build/arm64 (build/tree-NAME-arm64 with LINUX_TREE=).
for a in "$@"; do
    case "$a" in --arch=*) LAB_ARCH=${a#--arch=} ;; esac
done
LAB_ARCH=${LAB_ARCH:-x86_64}
[ "$LAB_ARCH" != aarch64 ] || LAB_ARCH=arm64
case "$LAB_ARCH" in
x86_64) lab_arch_dir= ;;
arm64) lab_arch_dir=arm64 ;;
*) die "unknown guest architecture '$LAB_ARCH' (x86_64, arm64)" ;;
esac
export LAB_ARCH
LAB_CROSS=aarch64-linux-gnu-
if [ -n "${LINUX_TREE:-}" ]; then
    [ -d "$LINUX_TREE" ] || die "LINUX_TREE=$LINUX_TREE is not a directory"
    git -C "$LINUX_TREE" rev-parse --verify -q HEAD >/dev/null ||
        die "LINUX_TREE=$LINUX_TREE is not a git checkout with a commit"
    LINUX_TREE=$(realpath "$LINUX_TREE")
    [ "$(realpath "$(git -C "$LINUX_TREE" rev-parse --show-toplevel)")" = "$LINUX_TREE" ] ||
        die "LINUX_TREE=$LINUX_TREE is inside a git tree, not its top ($(git -C "$LINUX_TREE" rev-parse --show-toplevel))"
    if [ -z "$LAB_SKIP_DRIVER" ]; then
        tree_version=$(git -C "$LINUX_TREE" show HEAD:Makefile 2>/dev/null |
            awk '$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 } END { if (v != "") print v "." p }')
        [ -z "$tree_version" ] ||
            [ "$(printf '%s\n' "$LINUX_TREE_MIN" "$tree_version" | sort -V | head -n1)" = "$LINUX_TREE_MIN" ] ||
            die "LINUX_TREE=$LINUX_TREE is Linux $tree_version; kernel-patches/ needs $LINUX_TREE_MIN or later (SKIP_DRIVER=1 runs the intel and upstream suites without the driver)"
    fi
    LAB_KDIR=${LAB_KDIR:-$LAB_BUILD/tree-$(lab_tree_name "$LINUX_TREE")${LAB_SKIP_DRIVER:+-nodriver}${lab_arch_dir:+-$lab_arch_dir}}
else
    [ -z "$LAB_SKIP_DRIVER" ] || die "SKIP_DRIVER (--skip-driver) is for LINUX_TREE= builds only"
    LAB_KDIR=${LAB_KDIR:-$LAB_BUILD${lab_arch_dir:+/$lab_arch_dir}}
fi

# The patches of kernel-patches/ that are not the smmu-lite driver but
# change upstream's own tests: tools/testing/selftests (subject
# "selftests...") and the iommufd test module ("iommufd/selftest: ...").
# They are applied with --skip-driver too. They are written against the
# pinned tree: on a LINUX_TREE one may not apply (the fix it carries is not
# needed there, or the code it extends differs); build-kernel then leaves it
# out with a notice and lists it in $LAB_KDIR/skipped-patches.
kernel_patch_is_test() {
    grep -q -m1 -E '^Subject: \[PATCH[^]]*\] (selftests|iommufd/selftest)[:/]' \
        "$LAB_TOP/kernel-patches/$1"
}
