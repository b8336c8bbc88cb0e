#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check scripts/lib/check-report.py on planted meson logs: subtests are counted,
and a failed test (a failing TAP line, or an error without one) is followed
by the end of its output and of its console log, so that a CI log that
keeps only its last lines still says where the test stopped."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, '..', '..', 'scripts', 'lib', 'check-report.py')

n = 0


def check(ok, what):
    global n
    n += 1
    print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
    return ok


def run(tests, consoles):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'testlog.json')
        with open(path, 'w') as f:
            for t in tests:
                f.write(json.dumps(t) + '\n')
        for name, text in consoles.items():
            with open(os.path.join(d, name + '.log'), 'w') as f:
                f.write(text)
        env = dict(os.environ, LAB_LOGS=d)
        return subprocess.run([sys.executable, REPORT, path], env=env,
                              capture_output=True, text=True).stdout


def t(name, res, out):
    return {'name': 'smmu-lab:guest / ' + name, 'result': res,
            'stdout': out, 'duration': 1.0}


print('1..6')
good = t('a', 'OK', 'ok 1 x\nok 2 y\n')
hung = t('b', 'ERROR', 'ok 1 x\n# guest still running at 900 s: killed\n')
console = ''.join('[ %d] line %d\n' % (i, i) for i in range(100)) + \
    'remove_one_keeps_the_other ...\n'
out = run([good, hung], {'b': console})
lines = out.splitlines()
check(lines and lines[-1] == 'check: 3 passed, 1 failed, 0 skipped',
      'the summary line comes last and counts an error without a failing line')
check('--- b (ERROR): the last lines it printed' in out and
      '  # guest still running at 900 s: killed' in out,
      "a failed test's own output is shown")
check('  remove_one_keeps_the_other ...' in out and 'line 99' in out and
      'line 10\n' not in out, "only the end of its console log is shown")
check('--- a' not in out, 'a test that passed shows nothing')
out = run([t('c', 'FAIL', 'ok 1 x\nnot ok 2 y\n')], {})
check('--- c (FAIL)' in out and 'the last lines of' not in out,
      'a failed test without a console log: its output only')
out = run([good], {'a': 'console'})
check(out.strip() == 'check: 2 passed, 0 failed, 0 skipped',
      'all passed: just the summary')
