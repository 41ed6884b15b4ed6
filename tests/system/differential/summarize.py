#!/usr/bin/env python3
"""Summarises a DNSFLEET_DIFF_REPORT file: one line per case with the runs and fields that differ.

    DNSFLEET_DIFF_REPORT=/tmp/diff.txt /usr/bin/python3 -m pytest -q tests/system/differential
    /usr/bin/python3 tests/system/differential/summarize.py /tmp/diff.txt
"""
import collections
import re
import sys


def main(path):
    cases = collections.OrderedDict()
    with open(path) as f:
        for line in f:
            m = re.match(r"^(\S+) (\S+) \[(\S+)\]$", line.rstrip("\n"))
            if m:
                run, case, verdict = m.groups()
                cur = cases.setdefault((case, verdict), {"runs": set(), "fields": set()})
                cur["runs"].add(run)
            elif line.startswith("  ") and cases:
                fm = re.match(r"^\s+(\w+) differs", line)
                if fm:
                    cur["fields"].add(fm.group(1))
    for (case, verdict), v in cases.items():
        print("%-40s %-12s runs=%s fields=%s" % (case, verdict, ",".join(sorted(v["runs"])),
                                                  ",".join(sorted(v["fields"]))))


if __name__ == "__main__":
    main(sys.argv[1])
