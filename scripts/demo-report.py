#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the console logs of replace_demo runs into the demo's table, one CSV
of per-millisecond traffic per run, and a PNG timeline per run (gnuplot).

usage: demo-report.py OUTDIR ACCEL NAME=LOG[:hitless] ...
  NAME=LOG:hitless  this run must be hitless; the exit status is 1 if it
                    is not (or if its log holds no result)
Verdict of a run: "hitless" when the replace loop saw no DMA error, no
data mismatch and (where the IOMMU counts them) no disruption; else
"disruptive".
"""
import os
import re
import shutil
import subprocess
import sys

TL = re.compile(r'^LAB-TL (\d+) (\d+) (\d+) (\d+)$')
RP = re.compile(r'^LAB-RP (\d+) (\d+) (-?\d+)$')
DEMO = re.compile(r'^LAB-DEMO (.*)$')
QOM = re.compile(r'^LAB-QOM \S+ (\S+) (-?\d+)$')


def parse(path):
    run = {'tl': [], 'rp': [], 'summary': None, 'qom': {}}
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
        m = QOM.match(line)
        if m:
            run['qom'][m.group(1)] = int(m.group(2))
    return run


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
    for arg in sys.argv[3:]:
        name, _, rest = arg.partition('=')
        log, _, flag = rest.partition(':')
        must = flag == 'hitless'
        run = parse(log)
        s = run['summary']
        if s is None:
            rows.append((name, '-', '-', '-', '-', '-', '-', '-', 'NO RESULT (log: %s)' % log))
            status = status or (1 if must else 0)
            continue
        disr = run['qom'].get('stat-disruptions')
        bad = int(s['dma_errors']) or int(s['mismatches']) or (disr or 0) or int(s['failed'])
        verdict = 'disruptive' if bad else 'hitless'
        if must and bad:
            verdict += '  << expected hitless'
            status = 1
        rows.append((name, s['replaces'], s['ops'], s['dma_errors'], s['mismatches'],
                     'n/a' if disr is None else str(disr), pct(s['p50_ns']),
                     pct(s['p99_ns']), verdict))
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
    print('disruptions: the IOMMU model\'s own count (smmu-lite); n/a where the model has none')
    for p in pngs:
        print('timeline: ' + p)
    return status


if __name__ == '__main__':
    sys.exit(main())
