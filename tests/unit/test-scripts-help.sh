#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ways in: `make help` lists every phony target of the Makefile (from
# its '## ' lines), and every entry point in scripts/ and every Python
# helper in scripts/lib/ answers --help with its usage, status 0.
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"

help=$(make -s -C "$top" help 2>&1)
phony=$(sed -n '/^\.PHONY:/,/[^\\]$/p' "$top/Makefile" | tr -d '\\' |
        sed 's/^\.PHONY://' | tr -s ' \t' '\n' | grep -v '^$' | sort)
listed=$(echo "$help" | awk '{ print $2 }' | sort)
missing=$(comm -23 <(echo "$phony") <(echo "$listed"))
extra=$(comm -13 <(echo "$phony") <(echo "$listed"))
if [ -n "$phony" ] && [ -z "$missing" ] && [ -z "$extra" ]; then
    ok "make help lists the $(echo "$phony" | wc -l) phony targets"
else
    fail "make help and .PHONY differ" "not listed: $(echo $missing)" \
         "listed, not phony: $(echo $extra)"
fi

for f in "$top"/scripts/* "$top"/scripts/lib/*.py; do
    [ -f "$f" ] || continue
    name=${f#"$top"/}
    if [ "${f%.py}" != "$f" ]; then
        out=$(cd "$tmp" && /usr/bin/python3 "$f" --help 2>&1) && rc=0 || rc=$?
    else
        out=$(cd "$tmp" && "$f" --help 2>&1) && rc=0 || rc=$?
    fi
    if [ "$rc" = 0 ] && echo "$out" | grep -qi 'usage'; then
        ok "$name --help"
    else
        fail "$name --help" "status $rc, no usage line in: $(echo "$out" | head -n 3)"
    fi
done
echo "1..$n"
exit $bad
