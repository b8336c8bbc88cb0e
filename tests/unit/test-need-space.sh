#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# need_space (scripts/lib/lib.sh), called before each QEMU and kernel build:
# a file system without room stops the build with one line naming what
# needs how much, and where; one with room lets it go on.
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"
echo "1..3"

run() { (. "$top/scripts/lib/lib.sh" && need_space "$@" && echo "went on") 2>&1; }

out=$(run "$tmp" 0 "a kernel build")
if [ "$out" = "went on" ]; then ok "room: goes on"; else fail "room: goes on" "$out"; fi

out=$(run "$tmp/not/yet/made" 0 "a kernel build")
if [ "$out" = "went on" ]; then ok "a directory not made yet: its parent is asked"
else fail "a directory not made yet: its parent is asked" "$out"; fi

out=$(run "$tmp" 1000000 "a kernel build")
if [ "$(echo "$out" | wc -l)" = 1 ] &&
   echo "$out" | grep -q "error: a kernel build needs about 1000000 GiB free in $tmp; only [0-9]* GiB are"; then
    ok "no room: one line naming the build, the need and the place"
else
    fail "no room: one line naming the build, the need and the place" "$out"
fi
exit $bad
