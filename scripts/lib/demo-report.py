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
The PNG: DMA ops per ms (left axis), DMA errors and mismatches per ms as
marks on their own right axis, a tick per replace along the top, and the
run's totals and verdict as its headline ("0 DMA errors, ...: hitless").
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

import labpy

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


def caption(s, disr, bad):
    """The run's totals in words, e.g. '37 DMA errors, 0 mismatches: disruptive'."""
    parts = ['%s DMA errors' % s['dma_errors'], '%s mismatches' % s['mismatches']]
    if disr is not None:
        parts.append('%s disruptions' % disr)
    if int(s['failed']):
        parts.append('%s failed replaces' % s['failed'])
    return ', '.join(parts) + (': disruptive' if bad else ': hitless')


def plot(csv, png, title, totals, bad):
    """DMA ops per ms on the left axis; DMA errors and mismatches per ms as
    marks on their own right axis (log scale when there are any); each
    replace as a tick along the top; the totals, coloured by the verdict,
    as a headline above the title."""
    if not shutil.which('gnuplot'):
        return 'gnuplot not installed'
    script = """
set terminal pngcairo size 1200,460 noenhanced
set output '%(png)s'
set datafile separator ','
set title '%(title)s'
set xlabel 'time (ms)'
set ylabel 'DMA ops per ms' tc rgb '#1f77b4'
set y2label 'DMA errors / mismatches per ms' tc rgb '#d62728'
set tmargin 5
set bmargin 5
set key outside bottom center horizontal
set label 1 '%(totals)s' at screen 0.5, screen 0.9 center font ',16' tc rgb '%(colour)s'
stats '%(csv)s' every ::1 using 2 nooutput
ymax = STATS_max > 0 ? STATS_max * 1.3 : 1
stats '%(csv)s' every ::1 using ($3 > $4 ? $3 : $4) nooutput
emax = STATS_max
set yrange [0:ymax]
set ytics nomirror tc rgb '#1f77b4'
set y2tics tc rgb '#d62728'
if (emax > 0) { set logscale y2; set y2range [0.7:emax * 3] } else { set y2range [0:1]; set y2tics 0, 1, 1 }
nz(v) = v > 0 ? v : 1/0
plot '%(csv)s' every ::1 using 1:($5 > 0 ? ymax * 0.95 : 1/0):(0):(ymax * 0.05) with vectors nohead lc rgb '#909090' title 'replace', \\
     '' every ::1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'DMA ops', \\
     '' every ::1 using 1:(nz($3)) axes x1y2 with impulses lw 3 lc rgb '#d62728' notitle, \\
     '' every ::1 using 1:(nz($3)) axes x1y2 with points pt 7 ps 1.3 lc rgb '#d62728' title 'DMA errors', \\
     '' every ::1 using 1:(nz($4)) axes x1y2 with points pt 5 ps 1.3 lc rgb '#9400d3' title 'mismatches'
""" % {'png': png, 'title': title.replace("'", ''), 'csv': csv,
       'totals': totals.replace("'", ''),
       'colour': '#d62728' if bad else '#2ca02c'}
    r = subprocess.run(['gnuplot'], input=script, text=True, capture_output=True)
    if r.returncode:
        return 'gnuplot failed: ' + r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'gnuplot failed'
    return None


def pct(ns):
    return '%.0f' % (int(ns) / 1000.0)


def main():
    labpy.handle_help(__doc__)
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
        totals = caption(s, disr, bad)
        why = plot(csv, png, '%s: dma-gen traffic while replacing (%s)' % (name, accel),
                   totals, bad)
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
