#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check scripts/lib/guest-tap.py on planted console logs: every way a guest run
can go wrong must come out as a failure, and a clean run must pass."""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# the helpers import the lab's module from their own directory
sys.path.insert(0, os.path.join(HERE, '..', '..', 'scripts', 'lib'))
spec = importlib.util.spec_from_file_location(
    'guest_tap', os.path.join(HERE, '..', '..', 'scripts', 'lib', 'guest-tap.py'))
guest_tap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(guest_tap)

GOOD = """LAB-READY 6.12.117
LAB-BEGIN a
TAP version 13
1..2
# Starting 2 tests from 1 test cases.
ok 1 one.x
ok 2 one.y # SKIP not here
# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0
LAB-END a rc=0
LAB-BEGIN b
TAP version 13
1..1
ok 1 two
LAB-END b rc=0
LAB-DONE status=0
"""

CASES = [
    # name, log, programs, run-guest status, expected failures, expected total
    ('clean run passes', GOOD, 'a,b', 0, 0, 3),
    ('failing test fails', GOOD.replace('ok 2 one.y # SKIP not here', 'not ok 2 one.y'),
     'a,b', 1, 1, 3),
    ('panic is caught', GOOD.replace('LAB-BEGIN b', 'Kernel panic - not syncing: x\nLAB-BEGIN b'),
     'a,b', 0, 1, 4),
    ('WARNING is caught', GOOD.replace('LAB-BEGIN b', '[    3.1] WARNING: CPU: 1 PID: 1 at x.c:3 '
                                       'f+0x1/0x2\nLAB-BEGIN b'), 'a,b', 0, 1, 4),
    ('crash inside a program', GOOD.split('LAB-BEGIN b')[0] + 'LAB-BEGIN b\n1..1\n',
     'a,b', 124, 2, 4),
    ('short plan is caught', GOOD.replace('1..1\nok 1 two', '1..3\nok 1 two'), 'a,b', 0, 1, 4),
    ('program never ran', GOOD, 'a,b,c', 0, 1, 4),
    ('exit status without failing test', GOOD.replace('LAB-END a rc=0', 'LAB-END a rc=1'),
     'a,b', 1, 1, 4),
    ('no status from guest', GOOD, 'a,b', 2, 1, 4),
    ('no TAP but rc 0 passes', 'LAB-BEGIN k\nhello\nLAB-END k rc=0\n', 'k', 0, 0, 1),
    ('no TAP and rc!=0 fails', 'LAB-BEGIN k\nLAB-END k rc=127\n', 'k', 1, 1, 1),
    # device-state checks read over QMP after LAB-DONE
    ('qom check met passes', GOOD + 'LAB-QOM /m/p/s stat-disruptions 0\n', 'a,b', 0, 0, 4,
     ['/m/p/s:stat-disruptions==0']),
    ('qom check missed fails', GOOD + 'LAB-QOM /m/p/s stat-disruptions 3\n', 'a,b', 0, 1, 4,
     ['/m/p/s:stat-disruptions==0']),
    ('planted-bug check: nonzero wanted', GOOD + 'LAB-QOM /m/p/s stat-disruptions 0\n', 'a,b', 0,
     1, 4, ['/m/p/s:stat-disruptions>0']),
    ('qom property never read fails', GOOD, 'a,b', 0, 1, 4, ['/m/p/s:stat-disruptions==0']),
    ('qom value not an integer fails', GOOD + 'LAB-QOM /m/p/s stat-disruptions "x"\n', 'a,b',
     0, 1, 4, ['/m/p/s:stat-disruptions<=0']),
    # scripts/lib/check-console.py's findings (guest-test --splat-check)
    ('no console findings: one passing line', GOOD, 'a,b', 0, 0, 4, [], []),
    ('each console finding fails', GOOD, 'a,b', 0, 2, 5, [],
     ['KASAN: BUG: KASAN: slab-use-after-free in f+0x1/0x2 (console line 9)',
      'kmemleak: unreferenced object 0xffff888001 (size 64): (console line 20)']),
    ('console findings replace the panic scan',
     GOOD.replace('LAB-BEGIN b', '[    3.1] WARNING: CPU: 1 PID: 1 at x.c:3 f+0x1/0x2\nLAB-BEGIN b'),
     'a,b', 0, 1, 4, [], ['WARNING at console line 9: WARNING: CPU: 1 PID: 1 at x.c:3 f+0x1/0x2']),
]
BAD_CHECKS = ['/m/p/s', '/m/p/s:x=1', 'stat==1x', ':==1']

print('TAP version 13')
print('1..%d' % (len(CASES) + 1))
bad = 0
for i, case in enumerate(CASES, 1):
    name, log, progs, status, want_failed, want_total = case[:6]
    checks = [guest_tap.parse_check(c) for c in (case[6] if len(case) > 6 else [])]
    findings = case[7] if len(case) > 7 else None
    out, failed = guest_tap.convert(log.splitlines(True), progs.split(','), status,
                                    checks, findings)
    total = int(out[-1][3:])
    ok = failed == want_failed and total == want_total
    if not ok:
        bad += 1
        print('# got failed=%d total=%d:' % (failed, total))
        for line in out:
            print('#   ' + line)
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
rejected = 0
for text in BAD_CHECKS:
    try:
        guest_tap.parse_check(text)
        print('# accepted malformed check %r' % text)
    except ValueError:
        rejected += 1
ok = rejected == len(BAD_CHECKS)
bad += 0 if ok else 1
print('%s %d - malformed checks are refused' % ('ok' if ok else 'not ok', len(CASES) + 1))
sys.exit(1 if bad else 0)
