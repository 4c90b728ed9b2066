"""CAP alerts: how fast the harbor reads and checks them, and finds the countries of a point.

- parse: ``parse_alert`` (safety check, lxml, the model) per alert;
- validate: ``validate_document`` (the same, plus the OASIS XSD and the rules, shapely's
  validity check of every polygon) per alert;
- write: ``write_alert`` of the valid alerts;
- point in area: ``area_contains`` of random points against the areas of the samples;
- country at: ``country_at`` of random points in the region against the shipped Natural Earth
  outlines (STRtree, then the exact polygon test).

The alerts are every CAP sample of ``../shared/data/cap-alerts`` that is a single alert (CAP
1.0/1.1/1.2) or a collection, read from memory. Times are CPU time of this process
(``time.process_time``; the machine is shared), best of ``--repeat`` passes.

    .venv/bin/python bench/cap.py [--repeat 5] [--points 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from infoharbor.cap.areas import area_contains, country_at  # noqa: E402
from infoharbor.cap.model import Alert, CapError, LatLon  # noqa: E402
from infoharbor.cap.parse import parse_alert  # noqa: E402
from infoharbor.cap.validate import validate_document  # noqa: E402
from infoharbor.cap.write import write_alert  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "cap-alerts"
RESULTS = ROOT / "bench" / "results"
SEED = 7
ROUNDS = 20  # passes over the samples per timing, so that a timing is not a few milliseconds


def best_cpu(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def samples() -> list[bytes]:
    found = []
    for path in sorted(SHARED.rglob("*")):
        if not path.is_file() or path.suffix not in {".cap", ".xml", ".txt"}:
            continue
        data = path.read_bytes()
        try:
            parse_alert(data)
        except CapError:
            continue
        found.append(data)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--points", type=int, default=20_000)
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} not found: the benchmark reads the shared CAP samples")

    documents = samples()
    alerts: list[Alert] = [parse_alert(d) for d in documents]
    validate_document(documents[0])  # load the schemas once, outside the timing
    rows: list[tuple[str, int, float]] = []

    def parse_all() -> None:
        for data in documents * ROUNDS:
            parse_alert(data)

    def validate_all() -> None:
        for data in documents * ROUNDS:
            validate_document(data)

    def write_all() -> None:
        for alert in alerts * ROUNDS:
            write_alert(alert)

    for name, work in (("parse", parse_all), ("validate", validate_all), ("write", write_all)):
        rows.append((name, len(documents) * ROUNDS, best_cpu(work, args.repeat)))

    rng = random.Random(SEED)
    areas = [a for alert in alerts for info in alert.infos for a in info.areas]
    areas = [a for a in areas if a.polygons or a.circles]
    points = [LatLon(rng.uniform(-60, 70), rng.uniform(-180, 180)) for _ in range(args.points)]
    pairs = [(rng.choice(areas), p) for p in points]
    rows.append(
        (
            "point in area",
            len(pairs),
            best_cpu(lambda: [area_contains(a, p) for a, p in pairs], args.repeat),
        )
    )
    region = [LatLon(rng.uniform(-11, 54), rng.uniform(73, 135)) for _ in range(args.points)]
    country_at(region[0])  # load the outlines and build the tree outside the timing
    rows.append(
        ("country at", len(region), best_cpu(lambda: [country_at(p) for p in region], args.repeat))
    )

    print(
        f"{len(documents)} CAP alerts (x{ROUNDS}), {len(areas)} areas with geometry; CPU time, "
        f"best of {args.repeat}; load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| operation | items | CPU s | per second | µs each |")
    print("|---|---:|---:|---:|---:|")
    results = []
    for name, count, seconds in rows:
        rate = count / seconds if seconds else float("inf")
        print(
            f"| {name} | {count:,} | {seconds:.3f} | {rate:,.0f} | {1e6 * seconds / count:,.1f} |"
        )
        results.append({"operation": name, "items": count, "cpu_s": seconds, "per_s": rate})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cap.json").write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "load_average": os.getloadavg()[0],
                "repeat": args.repeat,
                "rows": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
