#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarize a generic-fuzz run (the log scripts/fuzz writes) as a Markdown
fragment for docs/results.md: duration, executions, exec/s, coverage and
features reached, corpus, and what was found.

usage: fuzz-report.py LOG COVERAGE ASKED SECONDS COMMIT FINDINGS...
  COVERAGE: the output of a -runs=0 -print_coverage=1 pass over the corpus
  ASKED: FUZZ_TIME; SECONDS: the run's measured duration
"""
import re
import sys
import time

import labpy


def main():
    labpy.handle_help(__doc__)
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    log, covlog, asked, secs, commit = sys.argv[1:6]
    findings = sys.argv[6:]
    text = open(log, errors="replace").read()
    status = [l for l in text.splitlines() if re.match(r"#\d+\s", l)]
    if not status:
        sys.exit("fuzz-report: no libFuzzer status line in %s" % log)
    inited = next((l for l in status if "INITED" in l), status[0])
    last = status[-1]


    def field(line, name):
        m = re.search(r"\b%s: (\S+)" % name, line)
        return m.group(1) if m else "?"


    stats = dict(re.findall(r"^stat::(\w+):\s*(\d+)", text, re.M))
    runs = stats.get("number_of_executed_units", last.split()[0].lstrip("#"))
    print("### make fuzz (%s)" % time.strftime("%Y-%m-%d"))
    print()
    print("Run: `make fuzz FUZZ_TIME=%s` (commit %s): qtest accelerator, "
          "ASan + UBSan, one libFuzzer process." % (asked, commit))
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
    print("| crashes, hangs (-timeout), sanitizer reports | %s |"
          % (len(findings) if findings else 0))
    # Code no guest input can reach: type registration and realize (before
    # any input), QOM property accessors (QMP), migration hooks, and what only
    # those call.
    NOT_GUEST = (r"register_types|class_init|instance_init|instance_finalize|"
                 r"_realize$|_unrealize$|_exit$|_get_as$|post_load|pre_save|"
                 r"_needed$|_get_[a-z_]+$|_set_[a-z_]+$|disruption_line|"
                 r"stats_add_props|_init$")
    dev = {}
    try:
        for m in re.finditer(r"^(?:UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) "
                             r"(\S+) \S*/hw/lab/([\w-]+)/", open(covlog).read(),
                             re.M):
            if re.search(NOT_GUEST, m.group(3)):
                continue
            got, tot = dev.get(m.group(4), (0, 0))
            dev[m.group(4)] = (got + int(m.group(1)), tot + int(m.group(2)))
    except OSError:
        pass
    for name in sorted(dev):
        got, tot = dev[name]
        print("| %s: guest-reachable edges the corpus covers | %d of %d (%.0f%%) |"
              % (name, got, tot, 100.0 * got / max(tot, 1)))
    print()
    if findings:
        print("Findings: " + ", ".join("`%s`" % f for f in findings))
        print()
    print("`cov` counts edges of the instrumented code: QEMU's hw/ (the lab's"
          " devices and the machine's own), as QEMU's fuzzing build filters it."
          " The per-device rows come from one `-runs=0 -print_coverage=1` pass"
          " over the final corpus; they leave out what no guest input can"
          " reach (type registration, realize, QOM property accessors,"
          " migration hooks).")


if __name__ == '__main__':
    main()
