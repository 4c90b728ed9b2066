"""Story-cluster assignment through the database (``infoharbor.stories``), at 10k and 100k.

The items of ``bench/_stories.py`` (real sentences, outlets with templates, 30 % of the items
republications of a recent story) become published entries of one organization per outlet,
one minute apart, in a fresh SQLite database (or the PostgreSQL one given with ``--database``).
Then ``assign_pending()`` runs over all of them in batches, as ``infoharbor stories`` does, and
the benchmark reports:

- CPU time (process time: the machine is shared) and wall time per entry and entries per
  second, and the database's growth per entry (SQLite: file size after a checkpoint);
- **the baseline in the same run**: the pure in-memory ``StoryClusterer`` of
  ``infoharbor.text.fingerprint`` on the same texts with the same templates (each
  organization's, learned from its 20 latest entries, as the app learns them): its CPU time
  per entry, and the share of entries both put in the same story (the partitions compared
  pair by pair and entry by entry);
- quality against the stream's truth (pair precision and recall of the stories).

Entries are written with ``bulk_create`` for the set-up (the services would take longer than
what is measured and are measured by ``bench/ingest.py``); only the assignment is timed.

    .venv/bin/python bench/stories.py --sizes 10000          # about a minute
    .venv/bin/python bench/stories.py                        # 10k and 100k, each in its process
    .venv/bin/python bench/stories.py --database postgres://postgres@127.0.0.1:5432/ih_story_bench

Writes ``bench/results/stories.json`` and ``bench/results/stories.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import _stories as stream_module  # noqa: E402

RESULTS = ROOT / "bench" / "results"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def setup_django(var: Path, database: str | None) -> None:
    os.environ["INFOHARBOR_VAR_DIR"] = str(var)
    os.environ["INFOHARBOR_DATABASE_URL"] = database or f"sqlite:///{var / 'harbor.sqlite3'}"
    os.environ["INFOHARBOR_SEARCH_INDEX_IN_BACKGROUND"] = "false"
    os.environ["INFOHARBOR_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "infoharbor.settings"
    import django

    django.setup()
    from django.core.management import call_command

    if database:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


def load(size: int) -> dict[int, int]:
    """The stream's first ``size`` items as published entries; entry id -> true story."""
    from infoharbor.core.choices import EntryStatus
    from infoharbor.core.models import Entry, Organization

    stream = stream_module.Stream()
    orgs: dict[int, int] = {}
    truth: dict[int, int] = {}
    batch: list[Entry] = []
    stories: list[int] = []

    def flush() -> None:
        for entry, story in zip(Entry.objects.bulk_create(batch), stories, strict=True):
            truth[entry.pk] = story
        batch.clear()
        stories.clear()

    for item in stream.items(size):
        if item.outlet not in orgs:
            orgs[item.outlet] = Organization.objects.create(
                slug=f"outlet-{item.outlet}", name=f"Outlet {item.outlet}", kind="media",
                country_id="TH",
            ).pk  # fmt: skip
        at = START + dt.timedelta(minutes=item.id)
        batch.append(
            Entry(
                kind="information.news",
                title=item.text.split("\n\n", 2)[1][:120] or "Untitled",
                body_source=item.text,
                language_id=item.lang,
                country_id="TH",
                organization_id=orgs[item.outlet],
                status=EntryStatus.PUBLISHED,
                published_at=at,
                created_at=at,
                updated_at=at,
            )
        )
        stories.append(item.story)
        if len(batch) >= 2000:
            flush()
    flush()
    return truth


def database_bytes() -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages * cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def pairs(groups: dict[int, int]) -> dict[int, set[int]]:
    by_label: dict[int, set[int]] = defaultdict(set)
    for item, label in groups.items():
        by_label[label].add(item)
    return by_label


def pair_scores(found: dict[int, int], truth: dict[int, int]) -> tuple[float, float]:
    """Pair precision and recall of ``found`` clusters against ``truth`` (item -> label)."""
    together = 0
    found_pairs = 0
    for members in pairs(found).values():
        found_pairs += len(members) * (len(members) - 1) // 2
        counts: dict[int, int] = defaultdict(int)
        for item in members:
            counts[truth[item]] += 1
        together += sum(n * (n - 1) // 2 for n in counts.values())
    true_pairs = sum(len(m) * (len(m) - 1) // 2 for m in pairs(truth).values())
    return (together / found_pairs if found_pairs else 1.0), (
        together / true_pairs if true_pairs else 1.0
    )


def run_size(size: int, database: str | None, batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ih-stories-bench-") as var:
        setup_django(Path(var), database)
        from infoharbor.core.models import Entry
        from infoharbor.stories import services
        from infoharbor.stories.models import StoryMember
        from infoharbor.text.fingerprint import StoryClusterer, fingerprint

        started = time.perf_counter()
        truth = load(size)
        load_seconds = time.perf_counter() - started
        before = database_bytes()

        cpu, wall = time.process_time(), time.perf_counter()
        result = services.assign_pending(batch_size=batch_size, now=START)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        after = database_bytes()
        found = {
            entry: cluster if cluster is not None else -entry
            for entry, cluster in StoryMember.objects.values_list("entry_id", "cluster_id")
        }

        # The baseline: the pure clusterer on the same texts and templates, in memory.
        templates = {
            org: services.organization_template(org)
            for org in Entry.objects.values_list("organization_id", flat=True).distinct()
        }
        entries = Entry.objects.order_by("published_at", "pk").only(
            "pk", "title", "summary", "body_html", "body_source", "organization_id"
        )
        rows = [(e.pk, services.entry_text(e), e.organization_id) for e in entries.iterator()]
        base_cpu = time.process_time()
        clusterer = StoryClusterer()
        baseline: dict[int, int] = {}
        for pk, text, org in rows:
            assignment = clusterer.add(pk, fingerprint(text, templates[org]))
            baseline[pk] = assignment.cluster if assignment.indexed else -pk
        base_cpu = time.process_time() - base_cpu

        # Same story in both: compare each entry's set of companions.
        ours, theirs = pairs(found), pairs(baseline)
        agree = sum(ours[found[pk]] == theirs[baseline[pk]] for pk in found)
        precision, recall = pair_scores(found, truth)
        base_precision, base_recall = pair_scores(baseline, truth)
        return {
            "entries": size,
            "batch_size": batch_size,
            "database": "postgresql" if database else "sqlite",
            "load_seconds": load_seconds,
            "cpu_seconds": cpu,
            "wall_seconds": wall,
            "cpu_ms_per_entry": 1000 * cpu / size,
            "entries_per_cpu_second": size / cpu,
            "entries_per_wall_second": size / wall,
            "bytes_per_entry": (after - before) / size if before and after else None,
            "baseline_cpu_ms_per_entry": 1000 * base_cpu / size,
            "cpu_ratio_to_baseline": cpu / base_cpu,
            "same_story_as_baseline": agree / size,
            "joined": result.joined,
            "linked": result.linked,  # of the joined, by anchors across languages
            "started": result.started,
            "too_short": result.too_short,
            "pair_precision": precision,
            "pair_recall": recall,
            "baseline_pair_precision": base_precision,
            "baseline_pair_recall": base_recall,
        }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| entries | database | CPU per entry | entries/s (CPU) | entries/s (wall) "
        "| DB growth per entry | in-memory baseline, CPU per entry | ratio "
        "| same story as baseline | pair precision | pair recall |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        growth = f"{r['bytes_per_entry'] / 1024:.1f} KB" if r["bytes_per_entry"] else "-"
        lines.append(
            f"| {r['entries']:,} | {r['database']} | {r['cpu_ms_per_entry']:.2f} ms "
            f"| {r['entries_per_cpu_second']:,.0f} | {r['entries_per_wall_second']:,.0f} "
            f"| {growth} | {r['baseline_cpu_ms_per_entry']:.2f} ms "
            f"| {r['cpu_ratio_to_baseline']:.2f}x | {100 * r['same_story_as_baseline']:.2f} % "
            f"| {100 * r['pair_precision']:.1f} % | {100 * r['pair_recall']:.1f} % |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database", help="a PostgreSQL URL (flushed!); default: a new SQLite")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.database, args.batch_size)))
        return
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--batch-size",
                   str(args.batch_size)]  # fmt: skip
        if args.database:
            command += ["--database", args.database]
        done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(table(rows[-1:]), flush=True)
    loadavg = os.getloadavg()
    header = (
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.processor() or 'x86_64'}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{loadavg[0]:.1f} at the end."
    )
    text = f"{header}\n\n{table(rows)}\n"
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stories.json").write_text(json.dumps(rows, indent=2) + "\n")
    (RESULTS / "stories.md").write_text(text)


if __name__ == "__main__":
    main()
