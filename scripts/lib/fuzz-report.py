#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarize a `make fuzz` run (the logs scripts/fuzz writes, one per fuzz
target) as a Markdown fragment for docs/results.md: per target the
duration, executions, exec/s, coverage and features reached, corpus, what
was found, and how much of each lab device the corpus covers.

usage: fuzz-report.py ASKED COMMIT RUN...
  ASKED: FUZZ_TIME (all targets together)
  RUN: TARGET:SECONDS:LOG:COVERAGE:UBSAN[:FINDING,...] for each target
       that ran; SECONDS its measured duration, COVERAGE the output of a
       -runs=0 -print_coverage=1 pass over its corpus with the coverage
       build (no UBSan), UBSAN the same pass with the fuzzing build
"""
import collections
import re
import sys
import time

import labpy

# Code no guest input can reach: type registration and realize (before
# any input), QOM property accessors (QMP), migration hooks, and what only
# those call (smmu-lite's address-space table and early-device warning:
# realize and get_as; its IOTLB teardown: finalize), and IOMMU notifier
# registration (vfio or vhost in the host).
NOT_GUEST = (r"register_types|class_init|instance_init|instance_finalize|"
             r"_realize$|_unrealize$|_exit$|_get_as$|post_load|pre_save|"
             r"_needed$|_get_[a-z_]+$|_set_[a-z_]+$|disruption_line|"
             r"stats_add_props|_init$|^do_qemu_init_|_space_hash$|"
             r"_space_equal$|_warn_early_device$|_iotlb_destroy$|"
             r"_notify_flag_changed$")

ABOUT = {
    "generic-fuzz": "QEMU's generic-fuzz: raw register, config-space and "
                    "port accesses; every DMA read answered from the input",
    "smmu-lite": "the lab's target (tests/qtest/smmu-lite-fuzz.c): "
                 "consistent STE -> CD -> page-table chains with chosen "
                 "faults, commands, dma-gen commands and continuous mode "
                 "(dma-gen 1 in an IOThread), clock steps, resets (system, "
                 "device, dma-gen register, FLR), stop/cont, and trace "
                 "points and the guest-error log switched off and on",
}


def field(line, name):
    m = re.search(r"\b%s: (\S+)" % name, line)
    return m.group(1) if m else "?"


def functions(covlog):
    """{(device, function): (edges, uncovered)} of the lab's guest-reachable
    code in one -print_coverage log; uncovered is a Counter of the source
    lines of the uncovered edges (one per edge), None if none was covered."""
    funcs = {}
    try:
        lines = open(covlog, errors="replace").read().splitlines()
    except OSError:
        return funcs
    cur = None
    for line in lines:
        m = re.match(r"(UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) "
                     r"(\S+) \S*/hw/lab/([\w-]+)/", line)
        if m:
            cur = None
            if not re.search(NOT_GUEST, m.group(4)):
                cur = (m.group(5), m.group(4))
                funcs[cur] = (int(m.group(3)),
                              None if m.group(1) or m.group(2) == "0"
                              else collections.Counter())
            continue
        if line.startswith(("COVERED_FUNC", "UNCOVERED_FUNC")):
            cur = None
        elif cur and line.strip().startswith("UNCOVERED_PC:") and \
                funcs[cur][1] is not None:
            funcs[cur][1][line.split(":", 1)[1].strip()] += 1
    return funcs


def device_coverage(runs):
    """{device: (covered, edges)} for edges covered by any of @runs (lists of
    functions()); an edge is matched across runs by its source line."""
    dev = {}
    for key in set().union(*runs):
        edges = max(r[key][0] for r in runs if key in r)
        left = None                 # uncovered by every run so far
        for r in runs:
            unc = r.get(key, (edges, None))[1]
            if unc is None:
                continue
            left = unc if left is None else left & unc
        missed = edges if left is None else sum(left.values())
        got, tot = dev.get(key[0], (0, 0))
        dev[key[0]] = (got + edges - missed, tot + edges)
    return dev


def coverage_rows(dev, what):
    for name in sorted(dev):
        got, tot = dev[name]
        print("| %s: guest-reachable edges %s | %d of %d (%.0f%%) |"
              % (name, what, got, tot, 100.0 * got / max(tot, 1)))


def report(target, secs, log, covlog, ubsanlog, findings):
    text = open(log, errors="replace").read()
    status = [l for l in text.splitlines() if re.match(r"#\d+\s", l)]
    print("#### --fuzz-target=%s" % target)
    print()
    if not status:
        print("No libFuzzer status line in `%s`: the target did not start"
              " or died at once." % log)
        print()
        return False
    inited = next((l for l in status if "INITED" in l), status[0])
    last = status[-1]
    stats = dict(re.findall(r"^stat::(\w+):\s*(\d+)", text, re.M))
    runs = stats.get("number_of_executed_units", last.split()[0].lstrip("#"))
    if target in ABOUT:
        print(ABOUT[target] + ".")
        print()
    print("| | value |")
    print("|---|---|")
    print("| duration (measured) | %s s |" % secs)
    print("| inputs executed | %s |" % runs)
    print("| exec/s (average) | %s |" % stats.get("average_exec_per_sec",
                                                 field(last, "exec/s")))
    print("| coverage at start (seeds) | %s edges, %s features |"
          % (field(inited, "cov"), field(inited, "ft")))
    print("| coverage at end | %s edges, %s features |"
          % (field(last, "cov"), field(last, "ft")))
    print("| corpus at end | %s |" % field(last, "corp"))
    print("| peak RSS | %s MB |" % stats.get("peak_rss_mb", "?"))
    print("| crashes, hangs (-timeout), sanitizer reports | %d |"
          % len(findings))
    coverage_rows(device_coverage([functions(covlog)]), "the corpus covers")
    coverage_rows(device_coverage([functions(ubsanlog)]),
                  "with UBSan's check edges, the corpus covers")
    print()
    if findings:
        print("Findings: " + ", ".join("`%s`" % f for f in findings))
        print()
    return True


def main():
    labpy.handle_help(__doc__)
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    asked, commit = sys.argv[1:3]
    runs = [a.split(":") for a in sys.argv[3:]]
    if any(len(r) not in (5, 6) for r in runs):
        sys.exit("fuzz-report: RUN is "
                 "TARGET:SECONDS:LOG:COVERAGE:UBSAN[:FINDINGS]")
    print("### make fuzz (%s)" % time.strftime("%Y-%m-%d"))
    print()
    print("Run: `make fuzz FUZZ_TIME=%s` (commit %s): qtest accelerator, "
          "ASan + UBSan, one libFuzzer process per target, one after the "
          "other." % (asked, commit))
    print()
    ok = False
    for r in runs:
        findings = [f for f in (r[5].split(",") if len(r) == 6 else []) if f]
        ok |= report(r[0], r[1], r[2], r[3], r[4], findings)
    if len(runs) > 1:
        print("#### All targets together")
        print()
        print("| | value |")
        print("|---|---|")
        coverage_rows(device_coverage([functions(r[3]) for r in runs]),
                      "covered by any target's corpus")
        coverage_rows(device_coverage([functions(r[4]) for r in runs]),
                      "with UBSan's check edges, covered by any target's "
                      "corpus")
        print()
    print("`cov` counts edges of the instrumented code: QEMU's hw/ (the lab's"
          " devices and the machine's own), as QEMU's fuzzing build filters it."
          " The per-device rows come from one `-runs=0 -print_coverage=1` pass"
          " over each target's final corpus; they leave out what no guest"
          " input can reach (type registration, realize, QOM property"
          " accessors, migration hooks). Together: an edge counts once,"
          " matched across the targets' passes by its source line."
          " The first rows are measured with the coverage build"
          " (`build-qemu --fuzz-coverage`: ASan, no UBSan), the edges of the"
          " devices' own code; the rows \"with UBSan's check edges\" with the"
          " fuzzing build, where every UBSan check adds an edge to its report"
          " handler that only a bug takes (about three of four edges there):"
          " the measure `make fuzz` reported before the coverage build.")
    if not ok:
        sys.exit("fuzz-report: no libFuzzer status line in any log")


if __name__ == '__main__':
    main()
