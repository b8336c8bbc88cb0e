#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write seed inputs for the smmu-lite fuzz target (tests/qtest/smmu-lite-fuzz.c).

An input is a sequence of 16-byte records: an op byte and 15 argument
bytes, laid out as the op functions of smmu-lite-fuzz.c read them. Each
seed is one scenario a driver test would run: a configuration per kind
(S1, S2, nested; 4 KiB, 2 MiB, 1 GiB leaves; linear and 2-level stream
tables), DMA through it, a broken descriptor, commands with SYNC
interrupts, continuous DMA across resets, FLR and a stopped VM. Mutations
start from chains that translate.

usage: fuzz-seeds-smmu-lite.py OUTDIR
"""
import os
import struct
import sys

import labpy

OPS = ["setup", "ste", "poke", "cmd", "dma", "cont", "clock", "mmio", "evtq",
       "reset", "msix", "refuse", "log"]
CFG = {"abort": 0, "bypass": 1, "s1": 2, "s2": 3, "nested": 4}
LEAF = {"4k": 0, "2m": 1, "1g": 2, "none": 3}
DMA = {"copy": 0, "fill": 1, "verify": 2}
FZ_DATA = 0x800000
RESET = {"system": 0, "register": 1, "flr": 2, "smmu": 3, "stop": 4,
         "busmaster": 5}


def rec(op, *fields):
    """One record: @fields are (value, width) pairs or single bytes."""
    args = b""
    for f in fields:
        args += struct.pack("<Q", f[0])[:f[1]] if isinstance(f, tuple) \
            else bytes([f])
    assert len(args) <= 15, (op, len(args))
    return bytes([OPS.index(op)]) + args.ljust(15, b"\0")


def setup(fmt=0, log2=2, split=1, cmdq=0, evtq=0, cr0=0, gbpa=0, irq=0,
          strtab_at=0, cmdq_at=0, evtq_at=0):
    # fmt: 0 linear, 2 two-level (the target subtracts one); log2: 6 + n;
    # queue sizes: 6 + n (mod 32); cr0: bits flipped from "all on";
    # *_at: where (smmu-lite-fuzz.c's fz_where: 4 smmu-lite's registers,
    # 5 dma-gen's, 6 MSI window, 7 ROM, 8 unassigned, 9 end of RAM)
    return rec("setup", fmt, log2, split, cmdq, evtq, cr0, gbpa, irq,
               strtab_at, cmdq_at, evtq_at)


def mmio(kind, size=4, reg=0, value=0):
    # kind: device (0 smmu-lite, 1 dma-gen 0, 2 dma-gen 1) | 0x80 read |
    # 0x40 read every register
    return rec("mmio", kind, {1: 0, 2: 1, 4: 2, 8: 3}[size], reg, 0,
               (value, 8))


def ste(sid, cfg, leaf="4k", brk=0, asid=1, vmid=0, t0sz=32, s2t0sz=32,
        how=0, where=0):
    # T0SZ and S2T0SZ as they are (bit 7: the target takes them raw)
    return rec("ste", sid, CFG[cfg], brk, (asid, 2), (vmid, 2), 0x80 | t0sz,
               0x80 | s2t0sz, LEAF[leaf], how, where)


def dma(op="copy", dg=0, src=0, dst=0, soff=0, doff=8, length=4096,
        pattern=0xa5a5a5a5):
    return rec("dma", dg | DMA[op] << 1, src, dst, soff, doff,
               (length, 3), (pattern, 4))


def clock(ns=0):
    return rec("clock", (ns, 3))


def cont(dg=0, slots=8, stride=16, length=1024, period=64, ops=4,
         stop=False):
    return rec("cont", dg | (2 if stop else 0), 0, 0, slots, stride,
               (length, 2), (period, 2), ops, 1, (0x5a5a5a5a, 4))


def cmd(sel, hi=0, num=0, addr=0, cs=0, target=0, copies=0, raw=0):
    # sel: 0 CFGI_STE 1 CFGI_ALL 2 TLBI_ASID 3 TLBI_VA 4 TLBI_VMID 5 TLBI_IPA
    # 6 TLBI_ALL 7 SYNC; 224 and up: opcode @raw
    return rec("cmd", sel, raw, (hi, 4), (num, 2), (addr, 4), cs, target,
               copies)


def reset(kind, dg=0, bare=False):
    # bare: leave smmu-lite unconfigured after a reset of it
    return rec("reset", RESET[kind], dg, 2 if bare else 0)


def seeds():
    s1 = ste(0, "s1")
    copy = dma("copy")
    verify = dma("verify", doff=8)
    yield "s1-4k", setup() + s1 + copy + verify + clock()
    yield "s1-2m", setup() + ste(0, "s1", "2m") + copy + verify
    yield "s1-1g", setup() + ste(0, "s1", "1g") + copy
    yield "s1-48bit", setup() + ste(0, "s1", t0sz=16) + copy
    yield "s2-4k", setup() + ste(1, "s2", vmid=3) + dma(dg=1)
    yield "s2-2m", setup() + ste(1, "s2", "2m", vmid=3, s2t0sz=25) + dma(dg=1)
    yield "s2-1g", setup() + ste(1, "s2", "1g", vmid=4) + dma(dg=1)
    yield "nested", setup() + ste(0, "nested", vmid=5, asid=7) + copy + verify
    yield "nested-2m", setup() + ste(0, "nested", "2m", vmid=5, s2t0sz=39) + \
        copy
    yield "nested-1g", setup() + ste(0, "nested", "1g", vmid=6, t0sz=30) + \
        copy + verify
    yield "bypass-abort", setup() + ste(0, "bypass") + copy + \
        ste(0, "abort") + copy
    yield "2level", setup(fmt=2, log2=4, split=1) + s1 + ste(1, "s2", vmid=2) + \
        copy + dma(dg=1)
    yield "fault-leaf", setup() + s1 + rec("poke", 2, (1, 8)) + copy + \
        rec("evtq", 3)
    yield "fault-perm-af", setup() + ste(0, "s1", brk=8 | 16) + copy + \
        dma("fill") + rec("evtq", 3)
    yield "dirty", setup() + ste(0, "s1", brk=128) + dma("fill") + \
        rec("poke", 2, (0x800, 8)) + cmd(6) + dma("fill")
    yield "tear", setup() + s1 + copy + ste(0, "s2", how=1 | 2) + copy + \
        clock(3000) + copy + cmd(0, hi=0x20) + cmd(7)
    yield "tlbi", setup() + s1 + copy + cmd(2, hi=1 << 16) + \
        cmd(3, hi=1 << 16, num=16, addr=0x200) + cmd(4, hi=0) + \
        cmd(5, hi=0, num=4, addr=0x200) + cmd(1) + cmd(7, cs=1) + copy
    yield "sync-msi", setup() + s1 + rec("msix", 0, 0, 0, (0x4000, 4), 0, 5) + \
        cmd(7, cs=1, target=5) + cmd(7, cs=1, target=4) + rec("evtq", 2)
    yield "cont-reset", setup() + s1 + cont() + clock(100000) + \
        reset("system") + clock(100000) + s1 + cont() + clock(50000)
    yield "cont-flr", setup() + s1 + cont() + clock(50000) + reset("flr") + \
        clock(50000) + reset("register") + clock(50000)
    yield "cont-stop", setup() + s1 + cont() + clock(50000) + \
        reset("stop") + clock(50000) + reset("busmaster") + \
        clock(50000) + reset("smmu") + clock(50000)
    yield "reset-bare", setup() + s1 + cont() + clock(20000) + \
        reset("system", bare=True) + copy + reset("smmu", bare=True) + \
        cont(dg=1) + clock(20000)
    yield "cont-fault", setup() + s1 + cont() + clock(20000) + \
        rec("poke", 2, (1, 8)) + cmd(6) + clock(20000) + rec("evtq", 3)
    yield "refuse", setup() + rec("refuse", 0x46, 1) + s1 + cmd(7) + \
        rec("evtq", 2) + cmd(7)
    # every register read, then the 64-bit ones written in halves
    yield "regs", setup() + mmio(0x40) + mmio(0x41) + mmio(0x42) + \
        mmio(0, size=4, reg=0x80 // 4, value=0x1000000) + \
        mmio(0, size=4, reg=0x84 // 4, value=0) + \
        mmio(0, size=2, reg=0x20 // 4, value=1) + mmio(0x80, size=8, reg=0x80 // 4) + \
        mmio(1, size=4, reg=0x10 // 4, value=FZ_DATA) + mmio(0x81, size=8, reg=0x10 // 4)
    # a replace through abort under continuous DMA: disruptions
    yield "disrupt", setup() + s1 + cont() + clock(60000) + \
        ste(0, "abort") + clock(60000) + ste(0, "s1", asid=2) + \
        clock(60000) + ste(0, "bypass") + clock(60000) + rec("evtq", 8)
    yield "evtq-overflow", setup(evtq=26) + ste(0, "s1", brk=32) + copy + copy + \
        copy + copy + rec("evtq", 1) + copy + rec("evtq", 3)
    yield "cmdq-errors", setup() + s1 + cmd(255, raw=0x7f) + rec("evtq", 2) + \
        cmd(3, hi=1 << 16, num=0) + rec("evtq", 2) + cmd(7, cs=2) + \
        rec("evtq", 2) + cmd(7, copies=15)
    yield "nested-faults", setup() + ste(0, "nested", brk=64, vmid=9) + \
        dma("fill") + ste(0, "nested", vmid=9, how=8, where=7) + copy + \
        ste(0, "nested", vmid=9, how=16, where=8) + copy + rec("evtq", 3)
    yield "snoop", setup() + ste(0, "s1", brk=2) + copy + ste(1, "s2", brk=2) + \
        dma(dg=1)
    yield "tables-elsewhere", setup(strtab_at=4) + copy + \
        setup(cmdq_at=7) + cmd(6) + rec("evtq", 2) + \
        setup(evtq_at=8) + ste(0, "s1", brk=32) + copy + rec("evtq", 2)
    yield "bad-strtab", setup(log2=0x80 | 20) + copy + \
        setup(fmt=2, log2=4, split=0x80 | 7 << 2) + copy + rec("evtq", 3)
    yield "gbpa", setup(cr0=1) + copy + setup(cr0=1, gbpa=1) + copy
    # trace points and the guest-error log off, then on again, under DMA
    yield "quiet", setup() + rec("log", 3) + s1 + copy + cont() + \
        clock(20000) + cmd(6) + rec("evtq", 3) + rec("log", 1) + copy + \
        rec("log", 2) + setup(cr0=1) + copy
    for cfg, leaf_at, extra in (("s1", 2, b""), ("s2", 2, b""),
                                ("nested", 4, b""), ("nested", 1, b"")):
        yield "dirty-cas-%s-%d" % (cfg, leaf_at), setup() + \
            ste(0, cfg, vmid=3 if cfg != "s1" else 0) + \
            dma("verify", doff=0) + rec("poke", leaf_at, (1, 8)) + \
            dma("fill", doff=0) + rec("evtq", 3) + extra
    yield "tlbi-nested", setup() + ste(0, "nested", vmid=7, asid=5) + copy + \
        cmd(2, hi=5 << 16 | 7) + copy + cmd(3, hi=5 << 16 | 7, num=8, addr=0x800) + \
        copy + cmd(5, hi=7, num=8, addr=0x800) + copy + cmd(4, hi=7) + copy
    yield "msix-dg", setup() + s1 + rec("msix", 1, 0, 4, (0, 4), 0, 3) + \
        rec("msix", 1, 1, 5, (0, 4), 0, 3) + dma("fill") + \
        rec("msix", 0, 1, 5, (0, 4), 0, 1) + setup(strtab_at=4) + copy


def main():
    labpy.handle_help(__doc__)
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for name, data in seeds():
        with open(os.path.join(out, "smmu-lite-" + name), "wb") as f:
            f.write(data)
        n += 1
    print("fuzz-seeds-smmu-lite: %d seeds in %s" % (n, out))


if __name__ == '__main__':
    main()
