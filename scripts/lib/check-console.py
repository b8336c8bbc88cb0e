#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Find kernel reports ("splats") in a lab guest's serial console log.

Every guest run must leave a console without any of these (the lab
kernel has lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP and DEBUG_LIST; the
debug kernel, kernel-patches/debug.config, adds KASAN, kmemleak, UBSAN,
DEBUG_OBJECTS); each one found is a finding:

  lockdep      WARNING: possible circular locking dependency detected, and
               lockdep's other reports (recursive locking, inconsistent lock
               state, irq lock inversion, bad unlock balance, ...)
  RCU usage    WARNING: suspicious RCU usage (PROVE_RCU)
  KASAN        BUG: KASAN: ...
  atomic sleep BUG: sleeping function called from invalid context,
               BUG: scheduling while atomic
  lockup       BUG: soft lockup, BUG: workqueue lockup, hard LOCKUP
  BUG          any other "BUG: ..." and "kernel BUG at ..."
  Oops         Oops:, general protection fault, Unable to handle kernel ...,
               Kernel panic
  list corruption  list_add corruption / list_del corruption (DEBUG_LIST)
  ODEBUG       ODEBUG: ... (DEBUG_OBJECTS)
  UBSAN        UBSAN: ...
  RCU stall    INFO: rcu_... detected stalls / self-detected stall
  hung task    INFO: task ...:N blocked for more than N seconds
  kmemleak     unreferenced object 0x... (the list tests/guest/init prints
               after its scan), and kmemleak's own warnings
  WARNING      any other "WARNING: ..." (WARN_ON and friends)
  stack dump   a "Call Trace:" that no report above (or expected noise
               below) explains

Expected noise, and only this, is not a finding: inside a test case that
injects failures (FAULT_INJECTING below: a program, between its LAB-BEGIN
and LAB-END lines, and where named, one kselftest case of it, from its
"#  RUN ... X ..." line to its "ok N X" line), the fault-injection notice
"FAULT_INJECTION: forcing a failure." and warn_alloc()'s report of a failed
allocation ("COMM: page allocation failure: order:N, mode:...",
"COMM: vmalloc error: size N, ..., mode:..."), each with the stack dump that
follows it within a few lines. The same lines anywhere else are findings.
Nor is a WARN that a test provokes on purpose (EXPECTED_WARNINGS below: the
function it names, inside one kselftest case), with its stack dump; any
other WARN in that case, or that one anywhere else, is a finding.

--kmemleak: the run must also show tests/guest/init's kmemleak result
("LAB-KMEMLEAK scanned: N suspected leaks"); a missing or failed scan is a
finding (the kernel had no working kmemleak, or the run ended early).

Prints one line per finding on stdout ("KIND at console line N: its line"),
and an excerpt of the console around the first few on stderr.
Exit status: 0 no finding, 1 findings, 2 bad usage or unreadable log.

usage: check-console.py [--kmemleak] LOG
"""
import re
import sys

import labpy

# Where failures are injected: program -> its injecting kselftest cases, or
# None for all of them. iommufd_fail_nth injects in every case (fail-nth,
# notices quiet); iommufd_replace and iommufd_nested in one case each
# (fail-nth and fail_iommufd, whose notices print with a stack dump).
FAULT_INJECTING = {
    'iommufd_fail_nth': None,
    'iommufd_replace': ('replace.failure_injected_leaves_old_hwpt',),
    'iommufd_nested': ('nested.fail_nth',),
}

# WARNs a test case provokes on purpose: (program, case) -> the functions
# a WARN_ON it expects names. smmu_errors' failed detach: the core cannot
# take a failed blocking-domain attach back, and says so (in
# __iommu_group_set_domain_nofail, which the compiler may inline into its
# caller, and that one into iommu_detach_group_handle: which, depends on the
# kernel's config).
EXPECTED_WARNINGS = {
    ('smmu_errors', 'errors.refused_detach_keeps_the_domain'):
        ('__iommu_group_set_domain_nofail', '__iommu_group_set_core_domain',
         'iommu_detach_group_handle'),
}
# The function a WARN fired in: 6.x prints "WARNING: CPU: 0 PID: 89 at
# FILE:LINE FUNC+0x...", 7.x "WARNING: FILE:LINE at FUNC+0x..., CPU#0: ...".
WARN_AT = re.compile(r'^WARNING: (?:CPU: \d+ PID: \d+ at \S+ |\S+ at )(\w+)\+0x')

TIMESTAMP = re.compile(r'\[\s*\d+\.\d+\] ?')
FRAME_BEGIN = re.compile(r'^LAB-BEGIN (\S+)$')
FRAME_END = re.compile(r'^LAB-END (\S+) rc=\d+$')
KMEMLEAK_RESULT = re.compile(r'^LAB-KMEMLEAK (scanned: (\d+) suspected leaks|.*)$')
CALL_TRACE = re.compile(r'^\s*Call Trace:\s*$')
CASE_RUN = re.compile(r'^#\s+RUN\s+(\S+) \.\.\.$')
CASE_RESULT = re.compile(r'^(not )?ok \d+ ')

# First match wins: the specific kinds before the generic BUG/WARNING.
SPLATS = [(kind, re.compile(rx)) for kind, rx in (
    ('lockdep', r'WARNING: (possible circular locking dependency|possible recursive locking'
                r'|inconsistent lock state|possible irq lock inversion'
                r'|\S+-safe -> \S+-unsafe lock order|bad unlock balance|held lock freed'
                r'|\S+ still has locks held|lock held when returning to user space'
                r'|Nested lock was not taken|chain_key collision|bad contention)'),
    ('RCU usage', r'WARNING: suspicious RCU usage'),
    ('KASAN', r'BUG: KASAN: '),
    ('atomic sleep', r'BUG: sleeping function called from invalid context'
                     r'|BUG: scheduling while atomic'),
    ('lockup', r'BUG: (soft|workqueue) lockup|Watchdog detected hard LOCKUP'),
    ('BUG', r'\bBUG: |kernel BUG at '),
    ('Oops', r'\bOops: |general protection fault|Unable to handle kernel|Kernel panic'),
    ('list corruption', r'\blist_(add|del) corruption'),
    ('ODEBUG', r'\bODEBUG: '),
    ('UBSAN', r'\bUBSAN: '),
    ('RCU stall', r'INFO: \S+ (self-)?detected (expedited )?stalls?\b'),
    ('hung task', r'INFO: task \S+:\d+ blocked for more than \d+ seconds'),
    ('kmemleak', r'^unreferenced object 0x[0-9a-f]+ \(size \d+\)'),
    ('kmemleak', r'^kmemleak: '),
    ('WARNING', r'\bWARNING: '),
)]

# The expected noise of fault injection (see the docstring).
NOISE = [re.compile(rx) for rx in (
    r'^FAULT_INJECTION: forcing a failure\.',
    r'^.+?: (page allocation failure: order:\d+|vmalloc error: size \d+, .+?), '
    r'mode:0x[0-9a-f]+\(.*\), nodemask=',
)]
NOISE_TRACE_GAP = 8     # lines from a noise header to its "Call Trace:"
SPLAT_TRACE_GAP = 400   # lines a report's header explains stack dumps for
MAX_FINDINGS = 20
EXCERPTS = 3


class Finding:
    def __init__(self, kind, lineno, text):
        self.kind, self.lineno, self.text = kind, lineno, text

    def __str__(self):
        if self.lineno is None:
            return '%s: %s' % (self.kind, self.text)
        return '%s at console line %d: %s' % (self.kind, self.lineno + 1, self.text)


def message(line):
    """The kernel message of a console line: the text after its printk
    timestamp (which may follow other output on the same line)."""
    last = None
    for last in TIMESTAMP.finditer(line):
        pass
    return line[last.end():] if last else line


def injecting(prog, case):
    """True inside a test case that injects failures."""
    if prog not in FAULT_INJECTING:
        return False
    cases = FAULT_INJECTING[prog]
    return cases is None or case in cases


def check(lines, want_kmemleak=False):
    """Findings in the console lines (a list of str)."""
    findings = []
    prog = None          # program whose LAB-BEGIN/LAB-END frame we are in
    case = None          # its kselftest case running
    header = None        # (kind, index) of the last report or noise header
    kmemleak = None
    for i, raw in enumerate(lines):
        line = raw.rstrip('\r\n')
        m = FRAME_BEGIN.match(line)
        if m:
            prog, case, header = m.group(1), None, None
            continue
        if FRAME_END.match(line):
            prog, case, header = None, None, None
            continue
        if prog is not None:
            m = CASE_RUN.match(line)
            if m:
                case = m.group(1)
            elif CASE_RESULT.match(line):
                case = None
        m = KMEMLEAK_RESULT.match(line)
        if m:
            kmemleak = (i, m.group(1), m.group(2))
            continue
        msg = message(line)
        if any(n.search(msg) for n in NOISE):
            if injecting(prog, case):
                header = ('noise', i)
            else:
                findings.append(Finding('allocation failure', i, msg.strip()))
                header = ('splat', i)
            continue
        if CALL_TRACE.match(msg):
            if header and header[0] == 'noise' and i - header[1] <= NOISE_TRACE_GAP:
                header = None      # one notice explains one dump
            elif not (header and header[0] == 'splat' and i - header[1] <= SPLAT_TRACE_GAP):
                findings.append(Finding('stack dump', i, 'Call Trace with no report header before it'))
            continue
        m = WARN_AT.search(msg)
        if m and m.group(1) in EXPECTED_WARNINGS.get((prog, case), ()):
            header = ('splat', i)
            continue
        for kind, rx in SPLATS:
            if rx.search(msg):
                findings.append(Finding(kind, i, msg.strip()))
                header = ('splat', i)
                break
    if want_kmemleak:
        if kmemleak is None:
            findings.append(Finding('kmemleak', None, 'no scan result on the console '
                                    '(no LAB-KMEMLEAK line: not the debug kernel, or the '
                                    'run ended before the scan)'))
        elif kmemleak[2] is None:
            findings.append(Finding('kmemleak', kmemleak[0], kmemleak[1]))
        elif int(kmemleak[2]) and not any(f.kind == 'kmemleak' for f in findings):
            findings.append(Finding('kmemleak', kmemleak[0], kmemleak[1]))
    return findings


def main(argv):
    labpy.handle_help(__doc__, argv)
    args = [a for a in argv if not a.startswith('--')]
    opts = [a for a in argv if a.startswith('--')]
    bad = [o for o in opts if o != '--kmemleak']
    if bad or len(args) != 1:
        sys.stderr.write('check-console: error: usage: check-console.py [--kmemleak] LOG%s\n'
                         % (' (unknown option %s)' % bad[0] if bad else ''))
        return 2
    try:
        with open(args[0], errors='replace') as f:
            lines = f.readlines()
    except OSError as e:
        sys.stderr.write('check-console: error: cannot read %s: %s\n' % (args[0], e.strerror))
        return 2
    findings = check(lines, '--kmemleak' in opts)
    for f in findings[:MAX_FINDINGS]:
        print(f)
    if len(findings) > MAX_FINDINGS:
        print('more: %d further findings in %s' % (len(findings) - MAX_FINDINGS, args[0]))
    for f in [f for f in findings if f.lineno is not None][:EXCERPTS]:
        sys.stderr.write('--- %s at console line %d of %s ---\n' % (f.kind, f.lineno + 1, args[0]))
        sys.stderr.writelines(l if l.endswith('\n') else l + '\n'
                              for l in lines[max(0, f.lineno - 2):f.lineno + 30])
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
