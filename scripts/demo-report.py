#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the console logs of replace_demo runs into the demo's table, one CSV
of per-millisecond traffic per run, and a PNG timeline per run (gnuplot).

usage: demo-report.py OUTDIR ACCEL NAME=LOG[:FLAG...] ...
  FLAG hitless     this run must be hitless
  FLAG disruptive  this run must be flagged disruptive (the planted bug)
  FLAG model       the IOMMU model's counters must have been read (QOM)
Verdict of a run: "hitless" when the replace loop saw no DMA error, no
data mismatch and (where the IOMMU counts them) no disruption; else
"disruptive".
Exit status 1, with the reason printed, when a run's expectation is not
met, when a run did no DMA during its replace loop, when a required QOM
read failed, or when a guest run failed (no LAB-DONE status=0); 0 else.
"""
import json
import os
import re
import shutil
import subprocess
import sys

TL = re.compile(r'^LAB-TL (\d+) (\d+) (\d+) (\d+)$')
RP = re.compile(r'^LAB-RP (\d+) (\d+) (-?\d+)$')
DEMO = re.compile(r'^LAB-DEMO (.*)$')
QOM = re.compile(r'^LAB-QOM \S+ (\S+) (.*)$')
QOM_ERR = re.compile(r'^LAB-QOM-ERROR (.*)$')
DONE = re.compile(r'^LAB-DONE status=(\d+)$')

EVENTS = {
    0x00: 'CONFIG=abort', 0x02: 'C_BAD_STREAMID', 0x03: 'F_STE_FETCH',
    0x04: 'C_BAD_STE', 0x09: 'F_CD_FETCH', 0x0a: 'C_BAD_CD',
    0x0b: 'F_WALK_EABT', 0x10: 'F_TRANSLATION', 0x12: 'F_ACCESS',
    0x13: 'F_PERMISSION',
}
STE_REASONS = {1: 'V=0', 2: 'bad CONFIG', 3: 'bad S2T0SZ', 4: 'bad L1STD',
               5: 'bad STRTAB_BASE_CFG'}
CD_REASONS = {1: 'V=0', 2: 'bad T0SZ'}


def parse(path):
    run = {'tl': [], 'rp': [], 'summary': None, 'qom': {}, 'qom_errors': [],
           'done': None}
    try:
        with open(path, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        return run
    for line in lines:
        line = line.strip('\r')
        m = TL.match(line)
        if m:
            run['tl'].append(tuple(int(x) for x in m.groups()))
            continue
        m = RP.match(line)
        if m:
            run['rp'].append(tuple(int(x) for x in m.groups()))
            continue
        m = DEMO.match(line)
        if m:
            run['summary'] = dict(kv.split('=', 1) for kv in m.group(1).split())
            continue
        m = QOM_ERR.match(line)
        if m:
            run['qom_errors'].append(m.group(1))
            continue
        m = QOM.match(line)
        if m:
            try:
                run['qom'][m.group(1)] = json.loads(m.group(2))
            except ValueError:
                run['qom_errors'].append('%s: not JSON: %s' % m.groups())
            continue
        m = DONE.match(line)
        if m:
            run['done'] = int(m.group(1))
    return run


def explain(log):
    """The first record of a smmu-lite disruption-log, in words."""
    first = next((ln for ln in log.splitlines() if ln.startswith('first ')), None)
    if not first:
        return None
    f = dict(kv.split('=', 1) for kv in first.split()[1:])
    typ, reason = int(f['event'], 16), int(f['reason'])
    what = EVENTS.get(typ, 'event 0x%02x' % typ)
    if typ == 0x04:
        what += ' (%s)' % STE_REASONS.get(reason, 'reason %d' % reason)
    elif typ == 0x0a:
        what += ' (%s)' % CD_REASONS.get(reason, 'reason %d' % reason)
    text = 'sid %s at %.6f s: refused with %s' % (
        f['sid'], int(f['t']) / 1e9, what)
    if 'ste' in f:
        ste = f['ste'].split(':')
        old = f.get('last', '').split(':') if 'last' in f else None
        new = f.get('next', '').split(':') if 'next' in f else None
        parts = []
        for i, w in enumerate(ste):
            o = old is not None and w == old[i]
            n = new is not None and w == new[i]
            src = ('old = new' if o and n else 'old' if o else 'new' if n
                   else 'neither old nor new')
            parts.append('w%d=0x%s (%s)' % (i, w.lstrip('0') or '0', src))
        text += '\n    the STE it fetched: ' + ', '.join(parts)
        torn = [i for i in range(4) if old and new and ste[i] == new[i] != old[i]]
        kept = [i for i in range(4) if old and new and ste[i] == old[i] != new[i]]
        if torn and kept:
            text += ('\n    a torn STE: word%s %s of the new STE with word%s %s '
                     'of the old' % ('s' if len(torn) > 1 else '',
                                     ', '.join(map(str, torn)),
                                     's' if len(kept) > 1 else '',
                                     ', '.join(map(str, kept))))
    return text


def bins(run):
    """Per-millisecond DMA ops and errors, from the counter samples."""
    out = {}
    prev = None
    for t_us, ops, err, mis in run['tl']:
        if prev is not None:
            ms = t_us // 1000
            o, e, m = out.get(ms, (0, 0, 0))
            out[ms] = (o + ops - prev[1], e + err - prev[2], m + mis - prev[3])
        prev = (t_us, ops, err, mis)
    if not out:
        return []
    last = max(out)
    return [(ms,) + out.get(ms, (0, 0, 0)) for ms in range(0, last + 1)]


def write_csv(path, rows, replaces):
    with open(path, 'w') as f:
        f.write('ms,dma_ops,dma_errors,mismatches,replaces\n')
        per_ms = {}
        for t_us, _dur, _rc in replaces:
            per_ms[t_us // 1000] = per_ms.get(t_us // 1000, 0) + 1
        for ms, o, e, m in rows:
            f.write('%d,%d,%d,%d,%d\n' % (ms, o, e, m, per_ms.get(ms, 0)))


def plot(csv, png, title):
    if not shutil.which('gnuplot'):
        return 'gnuplot not installed'
    script = """
set terminal pngcairo size 1200,420 noenhanced
set output '%(png)s'
set datafile separator ','
set title '%(title)s'
set xlabel 'time (ms)'
set ylabel 'per ms'
set key top right
stats '%(csv)s' every ::1 using 2 nooutput
ymax = STATS_max > 0 ? STATS_max * 1.15 : 1
set yrange [0:ymax]
plot '%(csv)s' every ::1 using 1:($5 > 0 ? ymax : 1/0) with impulses lc rgb '#c8c8c8' title 'replace', \\
     '' every ::1 using 1:2 with steps lw 2 lc rgb '#1f77b4' title 'DMA ops', \\
     '' every ::1 using 1:3 with impulses lw 3 lc rgb '#d62728' title 'DMA errors'
""" % {'png': png, 'title': title.replace("'", ''), 'csv': csv}
    r = subprocess.run(['gnuplot'], input=script, text=True, capture_output=True)
    if r.returncode:
        return 'gnuplot failed: ' + r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'gnuplot failed'
    return None


def pct(ns):
    return '%.0f' % (int(ns) / 1000.0)


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    outdir, accel = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    rows = []
    status = 0
    pngs = []
    problems = []
    explanations = []
    for arg in sys.argv[3:]:
        name, _, rest = arg.partition('=')
        log, *flags = rest.split(':')
        run = parse(log)
        s = run['summary']
        if run['done'] != 0:
            problems.append('%s: the guest run failed (%s; log: %s)' % (
                name, 'no LAB-DONE' if run['done'] is None
                else 'LAB-DONE status=%d' % run['done'], log))
        if s is None:
            rows.append((name, '-', '-', '-', '-', '-', '-', '-', 'NO RESULT (log: %s)' % log))
            problems.append('%s: no result in the log' % name)
            continue
        if int(s.get('loop_ops', 0)) == 0:
            problems.append('%s: no DMA ran during the replace loop' % name)
        disr = run['qom'].get('stat-disruptions')
        if 'model' in flags:
            for e in run['qom_errors']:
                problems.append('%s: QOM read failed: %s' % (name, e))
            if not isinstance(disr, int):
                problems.append('%s: the model\'s stat-disruptions was not read' % name)
                disr = None
        bad = int(s['dma_errors']) or int(s['mismatches']) or (disr or 0) or int(s['failed'])
        verdict = 'disruptive' if bad else 'hitless'
        if 'hitless' in flags and bad:
            verdict += '  << expected hitless'
            problems.append('%s: expected hitless, was disruptive' % name)
        if 'disruptive' in flags and not bad:
            verdict += '  << the planted bug was not caught'
            problems.append('%s: the planted bug was not flagged' % name)
        rows.append((name, s['replaces'], s['ops'], s['dma_errors'], s['mismatches'],
                     'n/a' if disr is None else str(disr), pct(s['p50_ns']),
                     pct(s['p99_ns']), verdict))
        log_text = run['qom'].get('disruption-log')
        if bad and isinstance(log_text, str):
            why = explain(log_text)
            if why:
                explanations.append('%s, first disruption: %s' % (name, why))
        csv = os.path.join(outdir, name + '.csv')
        write_csv(csv, bins(run), run['rp'])
        png = os.path.join(outdir, name + '.png')
        why = plot(csv, png, '%s: dma-gen traffic while replacing (%s)' % (name, accel))
        pngs.append(png if why is None else '%s (no PNG: %s)' % (csv, why))

    head = ('IOMMU run', 'replaces', 'DMA ops', 'DMA errors', 'mismatches',
            'disruptions', 'p50 us', 'p99 us', 'verdict')
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print('replace under live DMA (accelerator: %s)' % accel)
    print()
    for r in [head] + rows:
        print('  ' + '  '.join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    print()
    print('disruptions: refused translations between two accepted configurations,')
    print('  counted by the IOMMU model (smmu-lite; one per disrupted dma-gen')
    print('  operation); n/a where the model has none')
    for e in explanations:
        print(e)
    for p in pngs:
        print('timeline: ' + p)
    for p in problems:
        print('demo: ' + p)
    return 1 if problems else status


if __name__ == '__main__':
    sys.exit(main())
