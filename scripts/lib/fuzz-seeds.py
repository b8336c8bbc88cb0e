#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Make generic-fuzz seed inputs from the lab's qtests.

Each QEMU a qtest starts becomes one seed: its MMIO accesses to smmu-lite
and dma-gen become generic-fuzz MMIO operations on the same register of
the same BAR in the fuzzer's machine, its PCI config writes (BARs aside:
the fuzzer maps those itself) become config operations, clock steps
become clock steps. The qtest's QEMU also traces smmu-lite's fetches from
guest RAM (smmu_lite_ram_read); before each command that made it fetch,
the seed sets one DMA pattern per fetch, in order, holding what the qtest
had written at that address. generic-fuzz fills each fetch with the next
pattern, so in the fuzzer the device reads the same stream table, CDs,
page tables and commands as in the qtest, and mutations start from
tables that translate.

The fuzzer's layout (which BAR sits where, which region index is which)
is read from the fuzzer itself: one probe input is run with QTEST_LOG=1.

usage: fuzz-seeds.py OUTDIR   (run by scripts/fuzz; the environment names
       the fuzzer's machine, as scripts/fuzz sets it)
"""
import base64
import binascii
import glob
import os
import re
import struct
import subprocess
import sys

import labpy

SEP = b"FUZZ"
OP_IN, OP_OUT, OP_READ, OP_WRITE, OP_PCI_READ, OP_PCI_WRITE = 0, 1, 2, 3, 4, 5
OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS, OP_CLOCK_STEP = 7, 8, 9
SIZES = {"b": 0, "w": 1, "l": 2, "q": 3}
MAX_SEED = 4096
MAX_PATTERN = 512
QTESTS = ["smmu-lite-test", "smmu-lite-flow-test", "smmu-lite-hostile-test",
          "dma-gen-test"]
BRIDGES = (5 << 3,)     # the fuzzed machine's pci-bridge (scripts/fuzz)


def die(msg):
    sys.exit("fuzz-seeds: error: " + msg)


class PciTracker:
    """Follows 0xcf8/0xcfc traffic: config writes and BAR addresses."""

    def __init__(self, bridges=()):
        self.addr = 0
        self.bars = {}          # (devfn, bar) -> address, bus 0
        self.bridges = bridges  # devfns with a type 1 header (2 BARs)

    def out(self, port, size, val):
        """Returns (bus, devfn, offset, size, value) for a config write
        that is not a bus-0 BAR."""
        if port == 0xCF8 and size == 4:
            self.addr = val
            return None
        if not 0xCFC <= port < 0xD00 or not self.addr & (1 << 31):
            return None
        bus = (self.addr >> 16) & 0xFF
        devfn = (self.addr >> 8) & 0xFF
        off = (self.addr & 0xFC) + (port - 0xCFC)
        if bus:
            return bus, devfn, off, size, val
        if 0x10 <= off < (0x18 if devfn in self.bridges else 0x28):
            bar = (off - 0x10) // 4
            if val not in (0xFFFFFFFF, 0xFFFFFFFE) and size == 4:
                if bar > 0 and (devfn, bar - 1) in self.bars and \
                        self.bars.get((devfn, bar - 1), 0) & 4:
                    # upper half of a 64-bit BAR
                    lo = self.bars[(devfn, bar - 1)]
                    self.bars[(devfn, bar - 1)] = (lo & 0xFFFFFFFF) | val << 32
                else:
                    self.bars[(devfn, bar)] = val
            return None
        return bus, devfn, off, size, val

    def bar_of(self, addr):
        for (devfn, bar), base in self.bars.items():
            start = base & ~0xF
            if start and start <= addr < start + 0x4000:
                return devfn, bar, addr - start
        return None


def parse_cmds(lines):
    """The commands a qtest log says QEMU received (a record may follow
    another on the same line: responses have no newline)."""
    for line in lines:
        for m in re.finditer(r"\[R \+[0-9.]+\] ([^[]*)", line):
            yield m.group(1).split()


def run_probe(fuzz, ops):
    """Run one input with QTEST_LOG=1; returns the qtest commands logged,
    generic-fuzz's own set-up (BAR mapping) included."""
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                        "lab-fuzz-probe-%d" % os.getpid())
    with open(path, "wb") as f:
        f.write(SEP.join(ops))
    env = dict(os.environ, QTEST_LOG="1", FUZZ_SERIALIZE_QTEST="1")
    # unbuffered, one stream: a record's parts may go to both
    out = subprocess.run(["stdbuf", "-o0", fuzz,
                          "--fuzz-target=generic-fuzz", path],
                         env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         errors="replace", timeout=300)
    os.unlink(path)
    return list(parse_cmds(out.stdout.splitlines()))


def probe_layout(fuzz):
    """MMIO region index -> start address, device index -> devfn, and
    the BARs generic-fuzz assigned. The probe reads config offset 0x3c,
    which generic-fuzz's set-up never touches."""
    mmio = run_probe(fuzz, [bytes([OP_READ]) + struct.pack("<BBxxI", 2, i, 0)
                            for i in range(32)])
    cfg = run_probe(fuzz, [bytes([OP_PCI_READ]) +
                           struct.pack("<BBB", 2, i, 0x3C)
                           for i in range(16)])
    pci = PciTracker()
    for w in mmio:
        if w[0].startswith("out"):
            pci.out(int(w[1], 0), {"b": 1, "w": 2, "l": 4}[w[0][3]],
                    int(w[2], 0))
    regions = first_lap([int(w[1], 0) for w in mmio if w[0] == "readl"])
    devs = first_lap([(int(w[2], 0) >> 8) & 0xFF for w in cfg
                      if w[0] == "outl" and int(w[1], 0) == 0xCF8 and
                      int(w[2], 0) & 0xFF == 0x3C])
    if not regions or not pci.bars or not devs:
        die("the fuzzer's layout probe found no regions, BARs or devices "
            "(QEMU_FUZZ_ARGS, QEMU_FUZZ_OBJECTS)")
    return regions, devs, pci.bars


def first_lap(seq):
    """generic-fuzz's indexes wrap around: one period of @seq."""
    for p in range(1, len(seq) + 1):
        if all(seq[i] == seq[i + p] for i in range(len(seq) - p)):
            return seq[:p]
    return seq


class Shadow:
    """What the qtest wrote into guest RAM, by 4 KiB page."""

    def __init__(self):
        self.pages = {}

    def write(self, addr, data):
        for i, b in enumerate(data):
            pg = self.pages.setdefault((addr + i) >> 12, bytearray(4096))
            pg[(addr + i) & 0xFFF] = b

    def read(self, addr, n):
        return bytes(self.pages.get((addr + i) >> 12, b"\0" * 4096)
                     [(addr + i) & 0xFFF] for i in range(n))


def convert(records, layout):
    """records: ('cmd', words) and ('fetch', pa, len) in the order QEMU
    logged them; a fetch belongs to the command before it."""
    regions, devs, fbars = layout
    pci = PciTracker(BRIDGES)
    mem = Shadow()
    ops = []

    def region_op(devfn, bar, off):
        if (devfn, bar) not in fbars:
            return None
        addr = (fbars[(devfn, bar)] & ~0xF) + off
        best = None
        for i, start in enumerate(regions):
            if start <= addr and (best is None or start > regions[best]):
                best = i
        return None if best is None else (best, addr - regions[best])

    def command(w):
        """The generic-fuzz operation for one qtest command, or None."""
        op = w[0]
        if op.startswith("out") and len(op) == 4:
            size = {"b": 1, "w": 2, "l": 4}[op[3]]
            cw = pci.out(int(w[1], 0), size, int(w[2], 0))
            if not cw:
                return None
            bus, devfn, off, size, val = cw
            if bus == 0 and devfn in devs:
                return bytes([OP_PCI_WRITE]) + struct.pack(
                    "<BBBxI", {1: 0, 2: 1, 4: 2}[size], devs.index(devfn),
                    off, val & 0xFFFFFFFF)
            return None
        if op == "clock_step":
            return bytes([OP_CLOCK_STEP])
        if op == "memset":
            mem.write(int(w[1], 0), bytes([int(w[3], 0)]) * int(w[2], 0))
            return None
        if op == "b64write":
            mem.write(int(w[1], 0), base64.b64decode(w[3]))
            return None
        if op != "write" and not (op[:-1] == "write" and op[-1] in SIZES):
            return None
        # libqos reaches BARs with write ADDR LEN DATA, and guest RAM with
        # write ADDR LEN DATA or writeX ADDR VALUE
        addr = int(w[1], 0)
        if op == "write":
            n = int(w[2], 0)
            data = bytes.fromhex(w[3][2:])
        else:
            n = 1 << SIZES[op[-1]]
            data = (int(w[2], 0) & (2**(8 * n) - 1)).to_bytes(n, "little")
        hit = pci.bar_of(addr)
        if not hit:
            mem.write(addr, data)
            return None
        r = region_op(*hit)
        if not r or n not in (1, 2, 4, 8):
            return None
        return bytes([OP_WRITE]) + struct.pack(
            "<BBxxIQ", {1: 0, 2: 1, 4: 2, 8: 3}[n], r[0], r[1],
            int.from_bytes(data, "little"))

    # Each command with the fetches smmu-lite made while QEMU ran it: the
    # patterns generic-fuzz hands to those fetches, in order, so the
    # device reads what it read in the qtest (tables, CDs, PTEs, commands).
    pending = None
    fetches = []

    def flush():
        if pending is None:
            return
        if fetches:
            ops.append(bytes([OP_CLEAR_DMA_PATTERNS]))
            for pa, n in fetches:
                ops.append(bytes([OP_ADD_DMA_PATTERN, 0, 0]) +
                           mem.read(pa, min(n, MAX_PATTERN)))
        ops.append(pending)

    for rec in records:
        if rec[0] == "fetch":
            fetches.append(rec[1:])
            continue
        try:
            op = command(rec[1])
        except (ValueError, KeyError, IndexError, binascii.Error):
            op = None
        if op is not None:
            flush()
            pending, fetches = op, []
    flush()
    out = b""
    for o in ops:
        if len(out) + len(o) + len(SEP) > MAX_SEED:
            break
        out += o + SEP
    return out


def qtest_segments(build, name):
    """Run one qtest program with QTEST_LOG and smmu-lite's fetch trace;
    yield, per QEMU it started, its records in order."""
    exe = os.path.join(build, "tests/qtest/lab", name)
    if not os.access(exe, os.X_OK):
        die("missing %s: build QEMU first (make qemu)" % exe)
    # libqtest tells the target from the binary's name
    wdir = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                        "lab-fuzz-seeds-%d" % os.getpid())
    os.makedirs(wdir, exist_ok=True)
    wrapper = os.path.join(wdir, "qemu-system-x86_64")
    # Without -qtest-log, QEMU logs the qtest commands to its stderr, not
    # buffered, in order with the trace lines (libqtest passes a file,
    # which is buffered): drop it.
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                "skip=\n"
                "for a do shift\n"
                "  if [ -n \"$skip\" ]; then skip=; continue; fi\n"
                "  if [ \"$a\" = -qtest-log ]; then skip=1; continue; fi\n"
                "  set -- \"$@\" \"$a\"\n"
                "done\n"
                "exec %s -trace smmu_lite_ram_read \"$@\"\n"
                % os.path.join(build, "qemu-system-x86_64"))
    os.chmod(wrapper, 0o755)
    env = dict(os.environ, QTEST_LOG="1", QTEST_QEMU_BINARY=wrapper)
    out = subprocess.run([exe, "--tap", "-k", "-m", "quick"], cwd=build,
                         env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         errors="replace", timeout=900)
    os.unlink(wrapper)
    os.rmdir(wdir)
    seg = None
    for m in re.finditer(r"\[I [+]?[0-9.]+\] (OPENED|CLOSED)|"
                         r"\[R \+[0-9.]+\] ([^[\n]*)|"
                         r"smmu_lite_ram_read fetch (0x[0-9a-f]+) len (\d+)",
                         out.stdout):
        if m.group(1) == "OPENED":
            seg = []
        elif m.group(1) == "CLOSED":
            if seg is not None:
                yield seg
            seg = None
        elif seg is None:
            continue
        elif m.group(2) is not None:
            seg.append(("cmd", m.group(2).split()))
        else:
            seg.append(("fetch", int(m.group(3), 16), int(m.group(4))))


def main():
    labpy.handle_help(__doc__)
    if len(sys.argv) != 2:
        die("usage: fuzz-seeds.py OUTDIR")
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.environ.get("LAB_BUILD", os.path.join(top, "build"))
    fuzz = os.path.join(build, "qemu-sanitize", "qemu-fuzz-x86_64")
    outdir = sys.argv[1]
    layout = probe_layout(fuzz)
    tmp = outdir + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    for f in glob.glob(os.path.join(tmp, "*")):
        os.unlink(f)
    n = 0
    for name in QTESTS:
        for k, seg in enumerate(qtest_segments(os.path.join(build, "qemu"),
                                               name)):
            seed = convert(seg, layout)
            if len(seed) > 16:
                with open(os.path.join(tmp, "%s-%03d" % (name, k)), "wb") as f:
                    f.write(seed)
                n += 1
    if n == 0:
        die("no seed came out of the qtests")
    os.rename(tmp, outdir)
    print("fuzz-seeds: %d seeds in %s (%d MMIO regions, devices %s)"
          % (n, outdir, len(layout[0]),
             ", ".join("%02x.%x" % (d >> 3, d & 7) for d in layout[1])))


if __name__ == '__main__':
    main()
