#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/setup-deps derives its mirror from the machine's own apt sources:
# check it on fake /etc/apt trees (deb822, one-line, none).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
check() { # name expected-output apt-etc
    n=$((n + 1))
    got=$(LAB_APT_ETC=$3 "$top/scripts/setup-deps" --print-mirror 2>&1)
    if [ "$got" = "$2" ]; then echo "ok $n - $1"
    else echo "not ok $n - $1"; echo "# want '$2', got '$got'"; bad=1; fi
}
echo "TAP version 13"
echo "1..4"

mkdir -p "$tmp/a/sources.list.d"
printf 'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n' > "$tmp/a/sources.list.d/debian.sources"
check "deb822 source" "http://mirror.example/debian" "$tmp/a"

mkdir -p "$tmp/b/sources.list.d"
printf 'deb http://other.example/debian-security bookworm-security main\ndeb [arch=amd64] http://other.example/debian bookworm main\n' > "$tmp/b/sources.list"
check "one-line source" "http://other.example/debian" "$tmp/b"

mkdir -p "$tmp/c/sources.list.d"
printf 'deb http://x.example/ubuntu jammy main\n' > "$tmp/c/sources.list"
check "no bookworm source: clear error" \
    "setup-deps: error: no apt source for Debian bookworm found in $tmp/c; add one (deb822 or one-line) and re-run" "$tmp/c"

# The lab's own entry must not be mistaken for the machine's.
mkdir -p "$tmp/d/sources.list.d"
printf 'Types: deb\nURIs: http://lab.example/debian\nSuites: bookworm trixie\n' > "$tmp/d/sources.list.d/smmu-lab.sources"
printf 'Types: deb\nURIs: http://real.example/debian\nSuites: bookworm\n' > "$tmp/d/sources.list.d/z.sources"
check "ignores its own entry" "http://real.example/debian" "$tmp/d"
exit $bad
