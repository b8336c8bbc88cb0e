#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""After `meson test`: count tests and TAP subtests from meson's log and
print the closing line 'check: N passed, N failed, N skipped', after one
line per test skipped as a whole with its reason ('1..0 # SKIP why'). With --docs
DIR also write DIR/results.md, the 'make check' section of docs/results.md:
one row per meson test (suite, result, subtests, duration), with the
commit and date of the run.

For each test that failed it first prints the last lines of what the test
printed and, with LAB_LOGS set, of LAB_LOGS/NAME.log (a guest test's
console): a CI log that keeps only its end still says where it stopped.
Several meson logs (x86 and arm64 guests: make check) are joined with ':',
and so are several LAB_LOGS directories.

usage: check-report.py TESTLOG.json[:TESTLOG.json...] [--docs DIR COMMIT]
"""
import datetime
import json
import os
import re
import sys

import labpy


def main():
    labpy.handle_help(__doc__)
    args = sys.argv[1:]
    if not args or (len(args) > 1 and (args[1] != '--docs' or len(args) != 4)):
        sys.exit(__doc__)
    lines = []
    for path in args[0].split(':'):
        try:
            lines += open(path).read().splitlines()
        except OSError:
            pass

    passed = failed = skipped = 0
    rows = []
    skip_reasons = []
    failures = []
    TAIL = 25


    def tail(text, n=TAIL):
        return text.rstrip('\n').splitlines()[-n:]


    for line in lines:
        t = json.loads(line)
        res = t.get('result')
        out = t.get('stdout') or ''
        subs = [m.group(1) for m in re.finditer(r'^(ok|not ok)\b.*$', out, re.M)]
        skips = len(re.findall(r'^ok\b.*#\s*SKIP', out, re.M | re.I))
        if subs:
            passed += subs.count('ok') - skips
            failed += subs.count('not ok')
            skipped += skips
            if res not in ('OK', 'SKIP', 'EXPECTEDFAIL') and 'not ok' not in subs:
                failed += 1      # a TAP test that failed without a failing line
        elif res in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif res == 'SKIP':
            skipped += 1
            m = re.search(r'^1\.\.0\s*#\s*SKIP\s*(.*)$', out, re.M | re.I)
            skip_reasons.append('%s: %s' % (t.get('name', '?').rpartition(' / ')[2],
                                            m.group(1) if m else 'no reason given'))
        else:
            failed += 1
        full = t.get('name', '?')        # 'project:suite / test'
        suite, _, name = full.rpartition(' / ')
        suite = suite.split(':')[-1] or '?'
        detail = '%d/%d subtests ok' % (subs.count('ok') - skips, len(subs)) if subs else ''
        if skips:
            detail += ', %d skipped' % skips
        rows.append((suite, name, res, detail, t.get('duration', 0.0)))
        if res not in ('OK', 'SKIP', 'EXPECTEDFAIL') or 'not ok' in subs:
            failures.append((name, res, out))

    logs = [d for d in os.environ.get('LAB_LOGS', '').split(':') if d]
    for name, res, out in failures:
        print('--- %s (%s): the last lines it printed' % (name, res))
        for line in tail(out):
            print('  ' + line)
        for d in logs:
            path = os.path.join(d, name + '.log')
            try:
                console = open(path, errors='replace').read()
            except OSError:
                continue
            print('--- %s: the last lines of %s' % (name, path))
            for line in tail(console):
                print('  ' + line)
            break

    summary = 'check: %d passed, %d failed, %d skipped' % (passed, failed, skipped)
    for r in skip_reasons:
        print('skipped %s' % r)
    print(summary)

    if len(args) == 4:
        outdir, commit = args[2], args[3]
        total = sum(r[4] for r in rows)
        with open(outdir + '/results.md', 'w') as md:
            md.write('## make check (%s, commit %s)\n\n' %
                     (datetime.date.today().isoformat(), commit))
            md.write('Written by `scripts/lib/test-summary` (`LAB_CHECK_DOCS=1 make '
                     'check`): `%s`; the tests\' durations add up to %.0f s '
                     '(qtests and unit tests run in parallel, guest tests one '
                     'at a time).\n\n' % (summary, total))
            md.write('| suite | test | result | subtests | duration |\n')
            md.write('| --- | --- | --- | --- | --- |\n')
            for suite, name, res, detail, dur in rows:
                md.write('| %s | `%s` | %s | %s | %.1f s |\n' %
                         (suite, name, res, detail, dur))
            md.write('\n')


if __name__ == '__main__':
    main()
