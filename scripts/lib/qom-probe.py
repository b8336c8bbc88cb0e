#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run QEMU, and read QOM properties over QMP once the guest is done.

The guest's /init, booted with lab.hold=1, prints "LAB-DONE status=N" and
then waits for one line on its console before it leaves through
isa-debug-exit. This wrapper copies QEMU's console to stdout; on LAB-DONE
it asks QEMU's QMP socket for each PATH:PROPERTY and prints

    LAB-QOM PATH PROPERTY VALUE

(VALUE as JSON; a failed query prints "LAB-QOM-ERROR PATH PROPERTY why";
a PROPERTY ending in '*' means each property of PATH that starts so;
each PATH PROPERTY is read and printed once, however often it is asked for),
then sends the newline that lets the guest go on. The device models'
counters (e.g. smmu-lite's stat-disruptions) are read at the end of the
run this way, while the exit status still comes from isa-debug-exit.

usage: qom-probe.py SOCKET PATH:PROP[,PATH:PROP...] -- QEMU-COMMAND...
Exit status: QEMU's.
"""
import json
import subprocess
import sys

import labpy
from labpy.qmp import Qmp


def probe(sock_path, props):
    out = []
    try:
        qmp = Qmp(sock_path)
    except (OSError, ValueError) as e:
        return ['LAB-QOM-ERROR - - cannot talk QMP: %s' % e]
    done = set()
    for path, pat in props:
        names = [pat]
        if pat.endswith('*'):
            try:
                names = sorted(p['name'] for p in
                               qmp.cmd('qom-list', path=path)
                               if p['name'].startswith(pat[:-1]))
            except (OSError, RuntimeError, ValueError) as e:
                out.append('LAB-QOM-ERROR %s %s %s' % (path, pat, e))
                continue
        for prop in names:
            if (path, prop) in done:
                continue
            done.add((path, prop))
            try:
                val = qmp.cmd('qom-get', path=path, property=prop)
                out.append('LAB-QOM %s %s %s' % (path, prop, json.dumps(val)))
            except (OSError, RuntimeError, ValueError) as e:
                out.append('LAB-QOM-ERROR %s %s %s' % (path, prop, e))
    qmp.close()
    return out


def main():
    labpy.handle_help(__doc__)
    if len(sys.argv) < 5 or sys.argv[3] != '--':
        sys.stderr.write('usage: qom-probe.py SOCKET PATH:PROP[,...] -- QEMU...\n')
        return 2
    sock_path = sys.argv[1]
    props = []
    for item in sys.argv[2].split(','):
        path, sep, prop = item.rpartition(':')
        if not sep or not path or not prop:
            sys.stderr.write('qom-probe.py: error: want PATH:PROPERTY, not %r\n' % item)
            return 2
        props.append((path, prop))
    qemu = subprocess.Popen(sys.argv[4:], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    probed = False
    for raw in iter(qemu.stdout.readline, b''):
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        if not probed and raw.startswith(b'LAB-DONE'):
            probed = True
            for line in probe(sock_path, props):
                print(line, flush=True)
            try:
                qemu.stdin.write(b'\n')
                qemu.stdin.flush()
            except OSError:
                pass
    return qemu.wait()


if __name__ == '__main__':
    sys.exit(main())
