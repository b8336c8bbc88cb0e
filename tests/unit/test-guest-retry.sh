#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest-test boots once more when the guest stops before its first program
# began, and only then: a fake QEMU (LAB_QEMU) plays the guest.
# - a hang at boot, then a good run: passes, says so, keeps the first console;
# - a hang at boot twice: fails;
# - a hang inside a program: fails without a second boot.
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"
echo "1..6"

kd=$tmp/kdir
mkdir -p "$kd/linux/arch/x86/boot" "$kd/logs"
: > "$kd/linux/arch/x86/boot/bzImage"
: > "$kd/initramfs.cpio.gz"
# FAKE_PLAN: one word per boot, 'hang' (before any program), 'inside' (hang
# in the program) or 'good'; FAKE_COUNT counts the boots.
cat > "$tmp/qemu" <<'EOS'
#!/usr/bin/env bash
c=$(($(cat "$FAKE_COUNT" 2>/dev/null || echo 0) + 1))
echo "$c" > "$FAKE_COUNT"
set -- $FAKE_PLAN
shift $((c - 1))
echo "[    0.000000] Linux version fake"
case ${1:-good} in
hang) echo "[   30.000000] rcu: INFO: rcu_preempt self-detected stall on CPU"; exec sleep 60 ;;
inside) echo "LAB-READY"; echo "LAB-BEGIN prog"; exec sleep 60 ;;
good) printf 'LAB-READY\nLAB-BEGIN prog\n1..1\nok 1 t\nLAB-END prog rc=0\nLAB-DONE status=0\n'; exit 33 ;;
esac
EOS
chmod +x "$tmp/qemu"

run() {
    rm -f "$tmp/count"
    FAKE_PLAN=$1 FAKE_COUNT=$tmp/count LAB_KDIR=$kd LAB_QEMU=$tmp/qemu \
        "$top/scripts/guest-test" t prog --timeout=2 2>"$tmp/stderr" >"$tmp/stdout"
    local rc=$?
    cat "$tmp/stdout" "$tmp/stderr"
    return $rc
}

out=$(run "hang good"); rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$tmp/count")" = 2 ] &&
   echo "$out" | grep -q '^# t: the guest stopped before any test program began (status 124); booting once more' &&
   echo "$out" | grep -q '^#   \[   30.000000\] rcu: INFO' && echo "$out" | grep -q '^ok 1 - prog: t'; then
    ok "a hang at boot, then a good boot: passes and says so"
else
    fail "a hang at boot, then a good boot: passes and says so" "rc=$rc" "$out"
fi
if [ "$(head -n1 "$tmp/stdout")" = "TAP version 13" ]; then
    ok "after a retry, stdout is still TAP from its first line"
else
    fail "after a retry, stdout is still TAP from its first line" "$(head -n3 "$tmp/stdout")"
fi
if grep -q 'rcu: INFO' "$kd/logs/t.log.boot1" && grep -q '^LAB-DONE' "$kd/logs/t.log"; then
    ok "the first console is kept as NAME.log.boot1"
else
    fail "the first console is kept as NAME.log.boot1"
fi
out=$(run "hang hang"); rc=$?
if [ $rc -ne 0 ] && [ "$(cat "$tmp/count")" = 2 ] && echo "$out" | grep -q '^not ok'; then
    ok "two hangs at boot: a failure"
else
    fail "two hangs at boot: a failure" "rc=$rc" "$out"
fi
out=$(run "inside good"); rc=$?
if [ $rc -ne 0 ] && [ "$(cat "$tmp/count")" = 1 ] &&
   echo "$out" | grep -q '^not ok.*prog: did not finish'; then
    ok "a hang inside a program: a failure, no second boot"
else
    fail "a hang inside a program: a failure, no second boot" "rc=$rc" "$out"
fi
out=$(run "good"); rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$tmp/count")" = 1 ] && [ ! -e "$kd/logs/t.log.boot1" ] &&
   ! echo "$out" | grep -q 'booting once more'; then
    ok "a good boot: one boot, nothing said, no old boot1 log left"
else
    fail "a good boot: one boot, nothing said, no old boot1 log left" "rc=$rc" "$out"
fi
exit $bad
