# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the shell unit tests: $top (the repo), $tmp (removed at exit),
# and ok/fail, which number TAP lines and keep the exit status in $bad.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[1]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; bad=1; }
