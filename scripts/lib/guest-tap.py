#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn a lab guest's serial console log into one TAP stream.

The guest's /init frames each program with "LAB-BEGIN name" and
"LAB-END name rc=N". Inside a frame a program prints TAP (kselftest harness
or KUnit); its top-level "ok"/"not ok" lines are renumbered into one plan
and prefixed with the program name. Everything that would make a run look
better than it was is a failure: a missing frame, a non-zero exit status
with no failing test, a plan that was announced but not met, a panic, a
timeout, a guest that never reported.

Checks on device state read at the end of the run (scripts/lib/qom-probe.py
prints "LAB-QOM PATH PROP VALUE") become TAP lines too: a check is
PATH:PROP followed by ==, !=, <=, >=, < or > and an integer, e.g.
"/machine/peripheral/smmu0:stat-disruptions==0". A property that was not
read, or is not an integer, fails its check.

--console-findings=FILE: the output of scripts/lib/check-console.py on this log
(scripts/guest-test --splat-check). Each line of it is a failing TAP line;
an empty file gives one passing line; a missing file fails. It replaces the
scan for panics, BUG, Oops and WARNING lines above (check-console finds
those too).

usage: guest-tap.py LOG EXPECTED_PROGRAMS RUN_GUEST_STATUS [CHECK...]
                    [--console-findings=FILE]
"""
import operator
import re
import sys

import labpy

RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$')
PLAN = re.compile(r'^1\.\.(\d+)')
QOM = re.compile(r'^LAB-QOM (\S+) (\S+) (.*)$')
CHECK = re.compile(r'^(.+):([^:=!<>]+?)(==|!=|<=|>=|<|>)(-?\d+)$')
OPS = {'==': operator.eq, '!=': operator.ne, '<=': operator.le,
       '>=': operator.ge, '<': operator.lt, '>': operator.gt}
PANIC = re.compile(r'Kernel panic|BUG: |Oops: |general protection fault|'
                   r'WARNING: CPU: \d+ PID: \d+')


def parse_check(text):
    """'PATH:PROP<op>N' -> (path, prop, op, n); ValueError if malformed."""
    m = CHECK.match(text)
    if not m:
        raise ValueError('bad check %r (want PATH:PROP==N, !=, <=, >=, <, >)' % text)
    return m.group(1), m.group(2), m.group(3), int(m.group(4))


def convert(lines, expected, status, checks=(), findings=None):
    out = []
    n = 0
    failed = 0

    def emit(ok, desc):
        nonlocal n, failed
        n += 1
        if not ok:
            failed += 1
        out.append('%s %d - %s' % ('ok' if ok else 'not ok', n, desc))

    seen = {}
    qom = {}
    cur = None
    plan = None
    count = 0
    prog_failed = 0
    problems = []
    for raw in lines:
        line = raw.rstrip('\r\n')
        m = re.match(r'^LAB-BEGIN (\S+)$', line)
        if m:
            cur, plan, count, prog_failed = m.group(1), None, 0, 0
            out.append('# --- %s' % cur)
            continue
        m = re.match(r'^LAB-END (\S+) rc=(\d+)$', line)
        if m and cur == m.group(1):
            rc = int(m.group(2))
            seen[cur] = rc
            if plan is not None and count != plan:
                emit(False, '%s: planned %d tests, ran %d' % (cur, plan, count))
            elif count == 0:
                emit(rc == 0, '%s: exit status %d (no TAP results)' % (cur, rc))
            elif rc != 0 and prog_failed == 0:
                emit(False, '%s: exit status %d with no failing test' % (cur, rc))
            cur = None
            continue
        m = QOM.match(line)
        if m:
            qom[(m.group(1), m.group(2))] = m.group(3)
            continue
        if PANIC.search(line):
            problems.append('guest kernel: ' + line.strip())
        if cur is None:
            continue
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            count += 1
            ok = m.group(1) == 'ok'
            desc = m.group(3)
            if not ok and re.search(r'#\s*(TODO)\b', desc, re.I):
                ok = True
            if not ok:
                prog_failed += 1
            emit(ok, '%s: %s' % (cur, desc))
        elif line.strip():
            out.append('# ' + line)

    if cur is not None:
        emit(False, '%s: did not finish (guest stopped inside it)' % cur)
    for prog in expected:
        if prog not in seen and prog != cur:
            emit(False, '%s: never ran' % prog)
    for path, prop, op, want in checks:
        desc = '%s %s %s %d' % (path.rsplit('/', 1)[-1], prop, op, want)
        got = qom.get((path, prop))
        try:
            value = int(got)
        except (TypeError, ValueError):
            emit(False, '%s (not read: %s)' % (desc, got))
            continue
        emit(OPS[op](value, want), '%s (got %d)' % (desc, value))
    if findings is None:
        for p in problems:
            emit(False, p)
    else:
        # scripts/lib/check-console.py finds all of PANIC's lines too (and says
        # what they are): one failing line per report, not two.
        for f in findings:
            emit(False, 'console: ' + f)
        if not findings:
            emit(True, 'console: no kernel report (lockdep, KASAN, kmemleak, WARNING, '
                       'BUG, Oops, RCU stall, ...)')
    if status != 0:
        why = {124: 'timeout', 2: 'no status reported (panic or power-off)',
               3: 'QEMU failed'}
        if not (status == 1 and failed):
            emit(False, 'guest run status %d (%s)' % (status, why.get(status, 'failure')))
    out.append('1..%d' % n)
    return out, failed


def read_findings(path):
    """The lines of scripts/lib/check-console.py's output; a missing file is one
    finding (the check did not run)."""
    try:
        with open(path, errors='replace') as f:
            return [l.rstrip('\n') for l in f if l.strip()]
    except OSError as e:
        return ['console check gave no result (%s: %s)' % (path, e.strerror)]


def main():
    labpy.handle_help(__doc__)
    argv = [a for a in sys.argv[1:] if not a.startswith('--console-findings=')]
    opts = [a.split('=', 1)[1] for a in sys.argv[1:] if a.startswith('--console-findings=')]
    if len(argv) < 3:
        sys.stderr.write('guest-tap.py: error: usage: guest-tap.py LOG EXPECTED_PROGRAMS '
                         'RUN_GUEST_STATUS [CHECK...] [--console-findings=FILE]\n')
        return 2
    log, expected, status = argv[0], argv[1], int(argv[2])
    try:
        checks = [parse_check(c) for c in argv[3:]]
    except ValueError as e:
        sys.stderr.write('guest-tap.py: error: %s\n' % e)
        return 2
    findings = read_findings(opts[-1]) if opts else None
    with open(log, errors='replace') as f:
        lines = f.readlines()
    out, failed = convert(lines, [p for p in expected.split(',') if p], status,
                          checks, findings)
    print('TAP version 13')
    print('\n'.join(out))
    if failed:
        sys.stderr.write('--- last 50 console lines of %s ---\n' % log)
        sys.stderr.writelines(lines[-50:])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
