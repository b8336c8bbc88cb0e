#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarize the logs of scripts/bench: medians with min..max over rounds,
per-round ratios, target checks; write bench.csv and results.md.

usage: bench-report.py OUTDIR ROUNDS ACCEL COMMIT
Exit status 0: all targets met; 1: some missed; 2: data missing.
"""
import datetime
import re
import statistics
import sys

import labpy


def main():
    labpy.handle_help(__doc__)
    out, rounds, accel, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


    def parse(r, cfg):
        vals, qom = {}, {}
        try:
            lines = open('%s/r%d.%s.log' % (out, r, cfg), errors='replace')
        except OSError:
            return vals
        for line in lines:
            m = re.match(r'LAB-BENCH mapping=(\S+) pattern=(\S+) mib_s=(\d+)', line)
            if m:
                vals['dma %s %s MiB/s' % (m.group(1), m.group(2))] = int(m.group(3))
            m = re.match(r'LAB-DEMO (.*)', line)
            if m:
                kv = dict(x.split('=', 1) for x in m.group(1).split())
                vals['replace p50 idle us'] = int(kv['p50_idle_ns']) / 1000
                vals['replace p99 idle us'] = int(kv['p99_idle_ns']) / 1000
                vals['replace p50 DMA us'] = int(kv['p50_ns']) / 1000
                vals['replace p99 DMA us'] = int(kv['p99_ns']) / 1000
                vals['replace DMA errors'] = int(kv['dma_errors'])
            m = re.match(r'LAB-BOOT-MS (\d+)', line)
            if m and cfg in ('none.dma_bench', 'intel.dma_bench',
                             'smmu-lite.dma_bench.4k.warm'):
                vals['boot to LAB-READY ms'] = int(m.group(1))
            m = re.match(r'LAB-QOM \S+ stat-iotlb-(lookups|misses) (\d+)', line)
            if m:
                qom[m.group(1)] = int(m.group(2))
        sel = re.match(r'\S+\.dma_bench\.(\S+)\.(\S+)$', cfg)
        if sel and qom.get('lookups'):
            vals['IOTLB misses %% %s %s' % sel.groups()] = \
                100.0 * qom.get('misses', 0) / qom['lookups']
        return vals


    # per round: {iommu: {measure: value}}
    data = []
    for r in range(1, rounds + 1):
        d = {}
        for cfg in ('none.dma_bench', 'smmu-lite.dma_bench.4k.warm',
                    'smmu-lite.dma_bench.4k.cold', 'smmu-lite.dma_bench.2m.warm',
                    'smmu-lite.dma_bench.2m.cold', 'intel.dma_bench',
                    'smmu-lite.replace_demo', 'intel.replace_demo'):
            d.setdefault(cfg.split('.')[0], {}).update(parse(r, cfg))
        # the no-IOMMU baseline serves 4k and 2m rows alike
        for k, v in list(d['none'].items()):
            m = re.match(r'dma none (\S+) MiB/s', k)
            if m:
                for mp in ('4k', '2m'):
                    d['none']['dma %s %s MiB/s' % (mp, m.group(1))] = v
                del d['none'][k]
        data.append(d)

    measures = []
    for d in data:
        for io in ('smmu-lite', 'intel', 'none'):
            measures += [k for k in d[io] if k not in measures]


    def series(io, k):
        return [d[io][k] for d in data if k in d[io]]


    def ratio_series(a, b, k):
        return [d[a][k] / d[b][k] for d in data
                if k in d[a] and k in d[b] and d[b][k]]


    def fmt(vals, f='%.0f'):
        if not vals:
            return '-'
        med = statistics.median(vals)
        if len(vals) == 1:
            return f % med
        return (f + ' (' + f + '..' + f + ')') % (med, min(vals), max(vals))


    measures.sort(key=lambda k: (not k.startswith('boot'), 'IOTLB' in k, k))
    rows = []
    for k in measures:
        rows.append((k, fmt(series('none', k)), fmt(series('smmu-lite', k)),
                     fmt(series('intel', k)),
                     fmt(ratio_series('smmu-lite', 'none', k), '%.2f'),
                     fmt(ratio_series('smmu-lite', 'intel', k), '%.2f')))

    # targets: (description, values, predicate)
    lat = [d['smmu-lite']['replace p99 DMA us'] / d['smmu-lite']['replace p99 idle us']
           for d in data if 'replace p99 DMA us' in d['smmu-lite']]
    targets = [
        ('4k warm DMA >= 0.8x no IOMMU', ratio_series('smmu-lite', 'none', 'dma 4k warm MiB/s'),
         lambda v: v >= 0.8),
        ('4k warm DMA >= 1.1x intel-iommu', ratio_series('smmu-lite', 'intel', 'dma 4k warm MiB/s'),
         lambda v: v >= 1.1),
        ('2m warm DMA >= 0.95x no IOMMU', ratio_series('smmu-lite', 'none', 'dma 2m warm MiB/s'),
         lambda v: v >= 0.95),
        ('replace p99 under DMA <= 2x idle p99 (smmu-lite, same boot)', lat,
         lambda v: v <= 2.0),
        ('no DMA error in smmu-lite replaces', series('smmu-lite', 'replace DMA errors'),
         lambda v: v == 0),
        ('4k warm: IOTLB hits (misses <= 1%)', series('smmu-lite', 'IOTLB misses % 4k warm'),
         lambda v: v <= 1.0),
        ('4k cold: IOTLB misses (>= 40% of lookups)', series('smmu-lite', 'IOTLB misses % 4k cold'),
         lambda v: v >= 40.0),
    ]

    hdr = ('measure', 'no IOMMU', 'smmu-lite', 'intel', 'smmu-lite/none',
           'smmu-lite/intel')
    w = [max(len(str(x[i])) for x in rows + [hdr]) for i in range(len(hdr))]
    print('bench (accelerator: %s, %d rounds, commit %s): median (min..max)'
          % (accel, rounds, commit))
    print()
    for row in [hdr] + rows:
        print('  ' + '  '.join(str(c).ljust(w[i]) for i, c in enumerate(row)))
    print()
    missed = []
    missing = False
    for desc, vals, ok in targets:
        if not vals:
            print('  target %-62s NO DATA' % desc)
            missing = True
            continue
        med = statistics.median(vals)
        good = ok(med)
        print('  target %-62s %s (median %.2f, rounds %s)' % (
            desc, 'met' if good else 'MISSED', med,
            ' '.join('%.2f' % v for v in vals)))
        if not good:
            missed.append(desc)

    with open(out + '/bench.csv', 'w') as csv:
        csv.write('round,iommu,measure,value\n')
        for r, d in enumerate(data, 1):
            for io in d:
                for k, v in d[io].items():
                    csv.write('%d,%s,%s,%s\n' % (r, io, k, v))

    today = datetime.date.today().isoformat()
    with open(out + '/results.md', 'w') as md:
        md.write('## make bench (%s, %s, commit %s)\n\n' % (today, accel, commit))
        md.write('Written by `scripts/bench` (`make bench`): %d rounds, one guest '
                 'boot per configuration and round, the order rotated each round; '
                 'median (min..max) over the rounds, ratios computed within each '
                 'round. dma-gen: 1000 synchronous 64 KiB copies per pattern, the '
                 'median of 5 repetitions per boot; "4k": anonymous memory with '
                 'MADV_NOHUGEPAGE (4 KiB IOMMU mappings), "2m": hugetlb; '
                 '"IOTLB misses %%": smmu-lite\'s own counters for that run '
                 '(one boot per mapping and pattern), i.e. how cold it was; '
                 'no IOMMU: vfio no-IOMMU mode, physical addresses inside 2 MiB '
                 'pages. Replace: 500 HWPT-to-HWPT replaces idle, then 500 under '
                 'continuous DMA (dma-gen in an IOThread behind smmu-lite, in the '
                 'main loop behind intel-iommu).\n\n' % rounds)
        md.write('| ' + ' | '.join(hdr) + ' |\n')
        md.write('|' + ' --- |' * len(hdr) + '\n')
        for row in rows:
            md.write('| ' + ' | '.join(row) + ' |\n')
        md.write('\n')
        for desc, vals, ok in targets:
            if vals:
                med = statistics.median(vals)
                md.write('- target: %s: **%s** (median %.2f)\n'
                         % (desc, 'met' if ok(med) else 'missed', med))
        md.write('\n')

    print()
    print('csv: %s/bench.csv, logs: %s/r*.log, docs fragment: %s/results.md'
          % (out, out, out))
    if missing:
        sys.exit(2)
    if missed:
        print('bench: targets missed: ' + '; '.join(missed))
        sys.exit(1)


if __name__ == '__main__':
    main()
