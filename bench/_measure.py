"""Small measuring helpers the benchmark scripts share: the machine a run is on, memory of
this process, percentiles."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def machine(*packages: str) -> dict[str, Any]:
    """What a result was measured on: CPU, cores, RAM, OS, Python, SQLite, the commit, the
    load average now, and the versions of ``packages`` (those installed)."""
    cpu = platform.processor() or platform.machine()
    ram_gib = float("nan")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        with open("/proc/meminfo") as info:
            ram_gib = round(int(info.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    commit = subprocess.run(  # noqa: S603 (fixed arguments)
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "git": commit,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def machine_line(info: dict[str, Any]) -> str:
    """``machine()`` as the sentence the result tables start with."""
    versions = "".join(f", {name} {version}" for name, version in info["versions"].items())
    return (
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; "
        f"{info['os']}; Python {info['python']}, SQLite {info['sqlite']}{versions}; "
        f"commit {info['git']}."
    )


def rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux; NaN elsewhere)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    """The most resident memory this process has had, in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) of ``values``, linearly interpolated; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)
