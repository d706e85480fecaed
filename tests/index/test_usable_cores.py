"""The build's worker count reads a CPU quota as well as the cores the process may run on."""

from __future__ import annotations

import os
from pathlib import Path

from rag.index.embedding import cpu_quota, usable_cores


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_v2_quota_caps_the_cores_and_the_tightest_on_the_path_wins(tmp_path: Path) -> None:
    """`docker --cpus=1.5` writes "150000 100000"; a parent group's tighter limit holds too."""
    cgroups, own = tmp_path / "cgroup", tmp_path / "self"
    own.write_text("0::/app/worker\n")
    tree(cgroups, {"app/worker/cpu.max": "150000 100000\n", "app/cpu.max": "max 100000\n"})
    assert cpu_quota(cgroups, own) == 1.5
    affinity = len(os.sched_getaffinity(0))
    assert usable_cores(cgroups, own) == min(affinity, 2)  # rounded up
    tree(cgroups, {"app/cpu.max": "50000 100000\n"})
    assert cpu_quota(cgroups, own) == 0.5 and usable_cores(cgroups, own) == 1


def test_a_v1_quota_is_read_from_the_cpu_controller(tmp_path: Path) -> None:
    cgroups, own = tmp_path / "cgroup", tmp_path / "self"
    own.write_text("4:memory:/x\n3:cpu,cpuacct:/docker/abc\n0::/\n")
    tree(cgroups, {"cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "100000\n",
                   "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
                   # not the cpu controller's, so ignored though it reads as a quota
                   "memory/x/cpu.cfs_quota_us": "1000\n", "memory/x/cpu.cfs_period_us": "100000\n"})
    assert cpu_quota(cgroups, own) == 1.0 and usable_cores(cgroups, own) == 1


def test_no_quota_or_nothing_readable_leaves_the_cores_as_they_are(tmp_path: Path) -> None:
    cgroups, own = tmp_path / "cgroup", tmp_path / "self"
    affinity = len(os.sched_getaffinity(0))
    assert cpu_quota(cgroups, own) is None and usable_cores(cgroups, own) == affinity
    own.write_text("3:cpu:/\n0::/\n")
    tree(cgroups, {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n",
                   "cpu.max": "max 100000\n"})
    assert cpu_quota(cgroups, own) is None and usable_cores(cgroups, own) == affinity
    for broken in ("garbled", "100000 0", "0 100000", "-1 100000"):
        tree(cgroups, {"cpu.max": broken})
        assert cpu_quota(cgroups, own) is None
