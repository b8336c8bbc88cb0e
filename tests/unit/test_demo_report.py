#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check scripts/lib/demo-report.py on planted replace_demo logs: the demo must
fail for each way its verdict could be wrong (forced row not flagged, no
DMA during the replace loop, a failed QOM read, a failed guest run, a
disrupted hitless row) and pass on a clean set of runs; and the first
disruption record must be decoded into old and new STE words."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, '..', '..', 'scripts', 'lib', 'demo-report.py')

LOG = """LAB-READY 6.12.117
LAB-BEGIN replace_demo
LAB-TL 0 100 0 0
LAB-RP 1000 20000 0
LAB-TL 2000 200 {err} 0
LAB-DEMO replaces=1 failed=0 loop_ops={loop} ops=100 dma_errors={err} mismatches=0 p50_ns=20000 p99_ns=20000 max_ns=20000 p50_idle_ns=15000 p99_idle_ns=15000
LAB-END replace_demo rc=0
LAB-DONE status={status}
"""
W_OLD = '0000000000000005:0000000001b00000:0000000000000000:0000000000000000'
W_NEW = '0000000000000005:0000000001b01000:0000000000000000:0000000000000000'
DLOG = ('first t=2500000000 sid=0x0010 event=0x0a reason=1 ste=%s last=%s next=%s\\n'
        % ('0000000000000000:0000000001b01000:0000000000000000:0000000000000000',
           W_OLD, W_NEW))


def log(err=0, loop=50, status=0, disr=None, qom_error=False):
    text = LOG.format(err=err, loop=loop, status=status)
    if disr is not None:
        text += 'LAB-QOM /machine/peripheral/smmu0 stat-disruptions %d\n' % disr
        text += 'LAB-QOM /machine/peripheral/smmu0 disruption-log "%s"\n' % (
            DLOG if disr else '')
    if qom_error:
        text += 'LAB-QOM-ERROR /machine/peripheral/smmu0 stat-disruptions gone\n'
    return text


def clean():
    return {'intel': (log(err=3), ''),
            'smmu-lite': (log(disr=0), ':hitless:model'),
            'smmu-lite-forced': (log(err=5, disr=5), ':disruptive:model')}


def case(change):
    runs = clean()
    change(runs)
    return runs


CASES = [
    ('clean runs pass', clean(), 0, None),
    ('forced row not flagged fails',
     case(lambda r: r.update({'smmu-lite-forced': (log(disr=0), ':disruptive:model')})),
     1, 'the planted bug was not flagged'),
    ('a run with no DMA in its replace loop fails',
     case(lambda r: r.update({'intel': (log(loop=0), '')})), 1, 'no DMA ran'),
    ('a failed QOM read fails',
     case(lambda r: r.update({'smmu-lite': (log(qom_error=True), ':hitless:model')})),
     1, 'QOM read failed'),
    ('a failed guest run fails',
     case(lambda r: r.update({'smmu-lite': (log(disr=0, status=1), ':hitless:model')})),
     1, 'the guest run failed'),
    ('a disrupted hitless row fails',
     case(lambda r: r.update({'smmu-lite': (log(disr=2), ':hitless:model')})),
     1, 'expected hitless'),
    ('the first disruption is decoded', clean(), 0,
     'C_BAD_CD (V=0)'),
]

print('TAP version 13')
print('1..%d' % len(CASES))
bad = 0
for i, (name, runs, want_rc, want_text) in enumerate(CASES, 1):
    with tempfile.TemporaryDirectory() as d:
        args = []
        for run, (text, flags) in runs.items():
            path = os.path.join(d, run + '.log')
            with open(path, 'w') as f:
                f.write(text)
            args.append('%s=%s%s' % (run, path, flags))
        env = dict(os.environ, PATH='/nonexistent')  # no gnuplot: no PNGs
        r = subprocess.run([sys.executable, REPORT, d, 'tcg'] + args,
                           capture_output=True, text=True, env=env)
    ok = r.returncode == want_rc and (want_text is None or want_text in r.stdout)
    if not ok:
        bad += 1
        print('# exit %d, output:' % r.returncode)
        for line in (r.stdout + r.stderr).splitlines():
            print('#   ' + line)
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
sys.exit(1 if bad else 0)
