# SPDX-License-Identifier: GPL-2.0-or-later
# Common definitions for the lab's scripts. Source it; it sets -eu.
set -eu

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smmu-lab}
LAB_BUILD=${LAB_BUILD:-$LAB_TOP/build}
# shellcheck source=scripts/pins.sh
. "$LAB_TOP/scripts/pins.sh"

LAB_DL=$LAB_CACHE/dl
LAB_SRC=$LAB_CACHE/src
QEMU_PRISTINE=$LAB_SRC/qemu-$QEMU_UPSTREAM
QEMU_DATA=$LAB_SRC/qemu-data-$QEMU_UPSTREAM
LINUX_PRISTINE=$LAB_SRC/linux-$LINUX_UPSTREAM
LAB_JOBS=${LAB_JOBS:-$(nproc)}

# ccache: one cache outside the tree, paths made relative to the checkout so a
# clone elsewhere still hits.
export CCACHE_DIR=${CCACHE_DIR:-$LAB_CACHE/ccache}
export CCACHE_BASEDIR=$LAB_TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

die() { echo "${0##*/}: error: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

# Debian's python with Debian's meson, never a pyenv/venv shim.
LAB_PYTHON=/usr/bin/python3

sha256_ok() { # file expected-sha256
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# stamp NAME VALUE: a directory is valid only once its stamp holds VALUE.
stamp_ok() { [ -f "$1/.lab-stamp" ] && [ "$(cat "$1/.lab-stamp")" = "$2" ]; }
stamp_set() { printf '%s' "$2" > "$1/.lab-stamp"; }

# The kernel-patches/ series: its patch names, and the stamp of a tree that
# has them applied (Linux version + a hash of the series and every patch).
kernel_series() { grep -v '^[[:space:]]*\(#\|$\)' "$LAB_TOP/kernel-patches/series" || true; }
kernel_series_stamp() {
    echo "$LINUX_VERSION $(cd "$LAB_TOP/kernel-patches" &&
        { cat series; kernel_series | xargs -r cat; } | sha256sum | cut -d' ' -f1)"
}
