#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check scripts/lib/check-console.py on planted console excerpts: each kind of
kernel report must be found (once, with its kind), the expected noise of
fault injection must not be, and only inside the program that injects."""
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# the helpers import the lab's module from their own directory
sys.path.insert(0, os.path.join(HERE, '..', '..', 'scripts', 'lib'))
SCRIPT = os.path.join(HERE, '..', '..', 'scripts', 'lib', 'check-console.py')
loader = importlib.machinery.SourceFileLoader('check_console', SCRIPT)
spec = importlib.util.spec_from_loader('check_console', loader)
cc = importlib.util.module_from_spec(spec)
loader.exec_module(cc)

BOOT = """run-guest: accelerator: tcg, iommu: none
[    0.000000] Linux version 6.12.117-debug-g6aef7c3008d8 (lab@smmu-lab) #1 SMP PREEMPT_DYNAMIC
[    0.512345] kobject: kobject_add_internal failed for iommufd_mock0 (error: -12 parent: devices)
LAB-READY 6.12.117-debug-g6aef7c3008d8
"""
END = """LAB-KMEMLEAK scanned: 0 suspected leaks
LAB-DONE status=0
"""


def run(prog, body, end=END):
    """A console: boot, one program's frame holding BODY, the kmemleak line."""
    return (BOOT + 'LAB-BEGIN %s\nTAP version 13\n1..1\n' % prog + body
            + 'ok 1 x.y\nLAB-END %s rc=0\n' % prog + end)


LOCKDEP = """[   41.201934] ======================================================
[   41.202511] WARNING: possible circular locking dependency detected
[   41.203107] 6.12.117-debug-g6aef7c3008d8 #1 Not tainted
[   41.203611] ------------------------------------------------------
[   41.204190] iommufd_replace/97 is trying to acquire lock:
[   41.204710] ffff888004d1a0b8 (&sl->cmdq_lock){+.+.}-{3:3}, at: sl_cmdq_issue+0x4e/0x2b0
[   41.205512]
               but task is already holding lock:
[   41.206233] ffff888004d1a1c0 (&sl->ste_lock){+.+.}-{3:3}, at: sl_attach_dev+0x91/0x3c0
[   41.207012]
               which lock already depends on the new lock.
[   41.208950]
               the existing dependency chain (in reverse order) is:
[   41.209801]
               -> #1 (&sl->ste_lock){+.+.}-{3:3}:
[   41.210436]        __mutex_lock+0x15c/0x1390
[   41.210916]        sl_sync_ste+0x6a/0x1f0
[   41.211322]        sl_cmdq_issue+0x7d/0x2b0
[   41.215520]
               other info that might help us debug this:
[   41.216399]  Possible unsafe locking scenario:
[   41.217012]        CPU0                    CPU1
[   41.217412]        ----                    ----
[   41.217810]   lock(&sl->ste_lock);
[   41.218149]                                lock(&sl->cmdq_lock);
[   41.219950]
                *** DEADLOCK ***
[   41.221522] stack backtrace:
[   41.221901] CPU: 1 UID: 0 PID: 97 Comm: iommufd_replace Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[   41.222902] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS rel-1.16.3 04/01/2014
[   41.223810] Call Trace:
[   41.224105]  <TASK>
[   41.224390]  dump_stack_lvl+0x7d/0xa0
[   41.224801]  print_circular_bug+0x2e1/0x400
[   41.230012]  </TASK>
"""

KASAN = """[   12.100001] ==================================================================
[   12.100502] BUG: KASAN: slab-use-after-free in sl_domain_free+0x3c/0x90
[   12.101003] Read of size 8 at addr ffff888003f2c4a8 by task iommufd_group/88
[   12.101504]
[   12.101805] CPU: 0 UID: 0 PID: 88 Comm: iommufd_group Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[   12.102306] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS rel-1.16.3 04/01/2014
[   12.102807] Call Trace:
[   12.103008]  <TASK>
[   12.103209]  dump_stack_lvl+0x7d/0xa0
[   12.103410]  print_report+0xcf/0x620
[   12.103611]  kasan_report+0xb5/0xe0
[   12.103812]  sl_domain_free+0x3c/0x90
[   12.104013]  </TASK>
[   12.104214]
[   12.104415] Allocated by task 88:
[   12.104616]  kasan_save_stack+0x33/0x60
[   12.104817]  __kasan_kmalloc+0x8f/0xa0
[   12.105018]
[   12.105219] Freed by task 88:
[   12.105420]  kasan_save_stack+0x33/0x60
[   12.105621]  kfree+0x12c/0x3c0
[   12.106022] ==================================================================
"""

KMEMLEAK = """unreferenced object 0xffff888004a8c000 (size 64):
  comm "iommufd_replace", pid 97, jiffies 4294905520
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace (crc 3b1a77c2):
    __kmalloc_cache_noprof+0x2a1/0x3a0
    sl_domain_alloc+0x5d/0x210
    iommufd_hwpt_alloc+0x1c4/0x5b0
LAB-KMEMLEAK scanned: 1 suspected leaks
LAB-DONE status=0
"""

WARN = """[    9.301001] ------------[ cut here ]------------
[    9.301502] WARNING: CPU: 1 PID: 97 at drivers/iommu/smmu-lite/smmu-lite.c:812 sl_detach+0x1b4/0x1e0
[    9.302003] Modules linked in:
[    9.302504] CPU: 1 UID: 0 PID: 97 Comm: iommufd_replace Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[    9.303005] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS rel-1.16.3 04/01/2014
[    9.303506] RIP: 0010:sl_detach+0x1b4/0x1e0
[    9.304007] Call Trace:
[    9.304208]  <TASK>
[    9.304409]  ? __warn+0xa5/0x200
[    9.304610]  sl_detach+0x1b4/0x1e0
[    9.304811]  </TASK>
[    9.305012] ---[ end trace 0000000000000000 ]---
"""

# The core's WARN when a blocking-domain attach (a detach) fails.
EXPECTED_WARN = WARN.replace('drivers/iommu/smmu-lite/smmu-lite.c:812 sl_detach',
                             'drivers/iommu/iommu.c:123 __iommu_group_set_domain_nofail')

# The same two WARNs as Linux 7.x prints them.
WARN_7 = WARN.replace(
    'WARNING: CPU: 1 PID: 97 at drivers/iommu/smmu-lite/smmu-lite.c:812 sl_detach+0x1b4/0x1e0',
    'WARNING: ../linux-src/drivers/iommu/smmu-lite/smmu-lite.c:812 at sl_detach+0x1b4/0x1e0, '
    'CPU#1: iommufd_replace/97')
EXPECTED_WARN_7 = WARN_7.replace('drivers/iommu/smmu-lite/smmu-lite.c:812 at sl_detach',
                                 'drivers/iommu/iommu.c:157 at __iommu_group_set_core_domain')
# The same, inlined one level further (the trimmed lab.config of 7.3.4)
EXPECTED_WARN_INLINED = WARN_7.replace('drivers/iommu/smmu-lite/smmu-lite.c:812 at sl_detach',
                                       'drivers/iommu/iommu.c:157 at iommu_detach_group_handle')

# Fault injection with verbose=2: the notice and its stack dump.
FAULT = """[    3.402001] FAULT_INJECTION: forcing a failure.
               name failslab, interval 1, probability 0, space 0, times 1
[    3.402502] CPU: 0 UID: 0 PID: 80 Comm: iommufd_fail_nt Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[    3.403003] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS rel-1.16.3 04/01/2014
[    3.403504] Call Trace:
[    3.403705]  <TASK>
[    3.403906]  dump_stack_lvl+0x7d/0xa0
[    3.404107]  should_fail_ex+0x3b0/0x4c0
[    3.404308]  should_failslab+0xc2/0x120
[    3.404509]  __kmalloc_noprof+0xa7/0x400
[    3.404710]  iommufd_ioas_alloc+0x38/0x130
[    3.404911]  </TASK>
"""

# warn_alloc() after an injected failure: header, stack dump, memory state.
ALLOC = """[    3.501001] iommufd_fail_nt: page allocation failure: order:1, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null)
[    3.501502] CPU: 1 UID: 0 PID: 80 Comm: iommufd_fail_nt Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[    3.502003] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS rel-1.16.3 04/01/2014
[    3.502504] Call Trace:
[    3.502705]  <TASK>
[    3.502906]  dump_stack_lvl+0x7d/0xa0
[    3.503107]  warn_alloc+0x1d3/0x2e0
[    3.503308]  __alloc_pages_slowpath.constprop.0+0x1b5c/0x1e70
[    3.503509]  </TASK>
[    3.503710] Mem-Info:
[    3.503911] active_anon:10 inactive_anon:1290 isolated_anon:0
[    3.504112] Node 0 DMA free:15360kB boost:0kB min:144kB low:180kB high:216kB
[    3.511001] iommufd_fail_nt: vmalloc error: size 8192, failed to allocated page array size 16, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)
[    3.511502] CPU: 1 UID: 0 PID: 80 Comm: iommufd_fail_nt Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[    3.512003] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS rel-1.16.3 04/01/2014
[    3.512504] Call Trace:
[    3.512705]  <TASK>
[    3.512906]  warn_alloc+0x1d3/0x2e0
[    3.513107]  __vmalloc_node_range_noprof+0x7c2/0xfd0
[    3.513509]  </TASK>
[    3.513710] Mem-Info:
"""

BARE_TRACE = """[    3.601001] CPU: 1 UID: 0 PID: 80 Comm: iommufd_fail_nt Not tainted 6.12.117-debug-g6aef7c3008d8 #1
[    3.601502] Call Trace:
[    3.601703]  <TASK>
[    3.601904]  dump_stack_lvl+0x7d/0xa0
[    3.602105]  </TASK>
"""


def one_line(kind_line):
    return '[   20.000001] ' + kind_line + '\n'


CASES = [
    # name, console, want kinds (in order), --kmemleak
    ('clean run: nothing', run('iommufd', ''), [], True),
    ('lockdep circular locking dependency', run('iommufd_replace', LOCKDEP), ['lockdep'], True),
    ('KASAN slab-use-after-free', run('iommufd_group', KASAN), ['KASAN'], True),
    ('kmemleak unreferenced object', run('iommufd_replace', '', KMEMLEAK), ['kmemleak'], True),
    ('kmemleak unreferenced object, no scan line', run('iommufd_replace', '', KMEMLEAK.replace(
        'LAB-KMEMLEAK scanned: 1 suspected leaks\n', '')), ['kmemleak'], False),
    ('WARNING with Call Trace', run('iommufd_replace', WARN), ['WARNING'], True),
    ('fault-injection notice and dump in iommufd_fail_nth: ignored',
     run('iommufd_fail_nth', FAULT), [], True),
    ('allocation failure reports in iommufd_fail_nth: ignored',
     run('iommufd_fail_nth', ALLOC), [], True),
    ('fault-injection noise in the injecting case of iommufd_replace: ignored',
     run('iommufd_replace', '#  RUN           replace.failure_injected_leaves_old_hwpt ...\n'
         + FAULT + '#            OK  replace.failure_injected_leaves_old_hwpt\n'), [], True),
    ('the same in another case of iommufd_replace: found',
     run('iommufd_replace', '#  RUN           replace.under_live_dma ...\n' + FAULT),
     ['allocation failure'], True),
    ('the same after the injecting case ended: found',
     run('iommufd_replace', '#  RUN           replace.failure_injected_leaves_old_hwpt ...\n'
         'ok 6 replace.failure_injected_leaves_old_hwpt\n' + FAULT), ['allocation failure'], True),
    ('fault-injection noise outside iommufd_fail_nth: found',
     run('iommufd', FAULT + ALLOC), ['allocation failure'] * 3, True),
    ('noise after the fail_nth frame: found',
     run('iommufd_fail_nth', '') .replace('LAB-KMEMLEAK', FAULT.rstrip('\n') + '\nLAB-KMEMLEAK'),
     ['allocation failure'], True),
    ('stack dump with no header in iommufd_fail_nth: found',
     run('iommufd_fail_nth', BARE_TRACE), ['stack dump'], True),
    ('a notice explains one dump, not two',
     run('iommufd_fail_nth', FAULT.split('[    3.402502]')[0]
         + '[    3.403504] Call Trace:\n[    3.403705]  <TASK>\n[    3.403906]  </TASK>\n' * 2),
     ['stack dump'], True),
    ('a notice explains only a dump right after it',
     run('iommufd_fail_nth', FAULT.split('[    3.402502]')[0]
         + ''.join('[    3.40%d001] kobject: kobject_add_internal failed for 0 (error: -12 '
                   'parent: iommu_groups)\n' % d for d in range(9)) + BARE_TRACE),
     ['stack dump'], True),
    ('WARNING among fault-injection noise: found',
     run('iommufd_fail_nth', FAULT + WARN + ALLOC), ['WARNING'], True),
    ('the WARN a failed detach provokes, in its smmu_errors case: ignored',
     run('smmu_errors', '#  RUN           errors.refused_detach_keeps_the_domain ...\n'
         + EXPECTED_WARN + '#            OK  errors.refused_detach_keeps_the_domain\n'), [], True),
    ('the same WARN in another smmu_errors case: found',
     run('smmu_errors', '#  RUN           errors.refused_cfgi_fails_replace ...\n'
         + EXPECTED_WARN), ['WARNING'], True),
    ('another WARN in the case that expects one: found',
     run('smmu_errors', '#  RUN           errors.refused_detach_keeps_the_domain ...\n'
         + EXPECTED_WARN + WARN), ['WARNING'], True),
    ('the expected WARN in another program: found',
     run('iommufd_replace', EXPECTED_WARN), ['WARNING'], True),
    ('7.x format: the WARN a failed detach provokes, in its case: ignored',
     run('smmu_errors', '#  RUN           errors.refused_detach_keeps_the_domain ...\n'
         + EXPECTED_WARN_7 + '#            OK  errors.refused_detach_keeps_the_domain\n'), [], True),
    ('7.x format: another WARN in the case that expects one: found',
     run('smmu_errors', '#  RUN           errors.refused_detach_keeps_the_domain ...\n'
         + EXPECTED_WARN_7 + WARN_7), ['WARNING'], True),
    ('7.x format: the expected WARN in another case: found',
     run('smmu_errors', '#  RUN           errors.refused_cfgi_fails_replace ...\n'
         + EXPECTED_WARN_7), ['WARNING'], True),
    ('7.x format, inlined into iommu_detach_group_handle, in its case: ignored',
     run('smmu_errors', '#  RUN           errors.refused_detach_keeps_the_domain ...\n'
         + EXPECTED_WARN_INLINED + '#            OK  errors.refused_detach_keeps_the_domain\n'),
     [], True),
    ('7.x format, inlined into iommu_detach_group_handle, in another case: found',
     run('smmu_errors', '#  RUN           errors.refused_cfgi_fails_replace ...\n'
         + EXPECTED_WARN_INLINED), ['WARNING'], True),
    ('sleeping function called from invalid context',
     run('iommufd', one_line('BUG: sleeping function called from invalid context at '
                             'kernel/locking/mutex.c:585')), ['atomic sleep'], True),
    ('suspicious RCU usage', run('iommufd', one_line('WARNING: suspicious RCU usage')),
     ['RCU usage'], True),
    ('RCU stall', run('iommufd', one_line('rcu: INFO: rcu_preempt self-detected stall on CPU')),
     ['RCU stall'], True),
    ('hung task', run('iommufd', one_line('INFO: task iommufd:80 blocked for more than '
                                          '120 seconds.')), ['hung task'], True),
    ('UBSAN', run('iommufd', one_line('UBSAN: array-index-out-of-bounds in '
                                      'drivers/iommu/smmu-lite/smmu-lite.c:301:9')),
     ['UBSAN'], True),
    ('list corruption', run('iommufd', one_line('list_del corruption, ffff888004a8c000->next '
                                                'is LIST_POISON1 (dead000000000100)')),
     ['list corruption'], True),
    ('ODEBUG', run('iommufd', one_line('ODEBUG: free active (active state 0) object: '
                                       'ffff888004a8c0e0 object type: work_struct hint: '
                                       'sl_evtq_work+0x0/0x120')), ['ODEBUG'], True),
    ('Oops', run('iommufd', one_line('Oops: general protection fault, probably for '
                                     'non-canonical address 0xdffffc0000000001: 0000 [#1]')),
     ['Oops'], True),
    ('soft lockup', run('iommufd', one_line('watchdog: BUG: soft lockup - CPU#1 stuck for '
                                            '22s! [iommufd:80]')), ['lockup'], True),
    ('report glued to a program line',
     run('iommufd', 'ok 1 x.z[   12.100502] BUG: KASAN: use-after-free in f+0x1/0x2\n'),
     ['KASAN'], True),
    ('no kmemleak result', run('iommufd', '', 'LAB-DONE status=0\n'), ['kmemleak'], True),
    ('no kmemleak result, not asked for', run('iommufd', '', 'LAB-DONE status=0\n'), [], False),
    ('kmemleak count without the list', run('iommufd', '', 'LAB-KMEMLEAK scanned: 2 suspected '
                                            'leaks\nLAB-DONE status=0\n'), ['kmemleak'], True),
    ('kmemleak scan failed', run('iommufd', '', 'LAB-KMEMLEAK scan failed (kmemleak disabled?)\n'),
     ['kmemleak'], True),
]

print('TAP version 13')
print('1..%d' % (len(CASES) + 1))
bad = 0
for i, (name, console, want, kml) in enumerate(CASES, 1):
    got = cc.check(console.splitlines(True), kml)
    ok = [f.kind for f in got] == want
    if not ok:
        bad += 1
        print('# want %s, got:' % want)
        for f in got:
            print('#   %s' % f)
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))

# The command line: exit status 0 clean, 1 findings, 2 bad usage or no log;
# a finding is one line on stdout.
with tempfile.TemporaryDirectory() as tmp:
    clean, dirty = os.path.join(tmp, 'clean.log'), os.path.join(tmp, 'dirty.log')
    with open(clean, 'w') as f:
        f.write(run('iommufd', ''))
    with open(dirty, 'w') as f:
        f.write(run('iommufd_replace', LOCKDEP))
    runs = [(['--kmemleak', clean], 0, 0), (['--kmemleak', dirty], 1, 1),
            ([dirty, '--bogus'], 2, 0), ([os.path.join(tmp, 'none.log')], 2, 0), ([], 2, 0)]
    problems = []
    for argv, want_rc, want_lines in runs:
        p = subprocess.run([sys.executable, SCRIPT] + argv, capture_output=True, text=True)
        lines = p.stdout.splitlines()
        if p.returncode != want_rc or len(lines) != want_lines:
            problems.append('%s: rc %d, %d lines' % (argv, p.returncode, len(lines)))
        if want_rc == 2 and len(p.stderr.splitlines()) != 1:
            problems.append('%s: error is not one line: %r' % (argv, p.stderr))
for p in problems:
    print('# ' + p)
bad += 1 if problems else 0
print('%s %d - command line: exit status and output' % ('not ok' if problems else 'ok',
                                                        len(CASES) + 1))
sys.exit(1 if bad else 0)
