"""Run one command and write its wall time and its own peak RSS to a file (JSON).

compare_peer.py starts each timed process through this small one. Started straight from the
benchmark, a child's ru_maxrss is at least the benchmark's own RSS: Python starts children with
vfork, and Linux keeps the peak of the memory an exec replaces (measured: a parent holding 300
MiB got 313 MiB for `/bin/true`). From here that floor is this process's own, about 11 MiB.

    python -S bench/child_usage.py REPORT.json COMMAND [ARG ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> int:
    report, command = sys.argv[1], sys.argv[2:]
    began = time.perf_counter()
    proc = subprocess.Popen(command)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    code = proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
    with open(report, "w", encoding="utf-8") as out:
        json.dump({"wall": wall, "maxrss_kib": usage.ru_maxrss, "returncode": code}, out)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
