"""Feeds: what an Atom or JSON Feed request costs, against the search page in the same run.

Loads the demo data (``infoharbor loaddemo``) into a throw-away SQLite database and search
index under a temporary directory, then times, in CPU seconds of this process, requests made
with Django's test client (the whole stack: middleware, search, rendering) for a few searches:
the search page (baseline), ``feed.atom``, ``feed.json`` (50 newest entries) and a
conditional GET that answers 304.

    .venv/bin/python bench/feeds.py            # 30 rounds
    .venv/bin/python bench/feeds.py --quick    # 5 rounds
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["", "q=trade", "q=ทุเรียน", "q=贸易", "country=VN&sort=date"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 5 if args.quick else 30
    work = Path(tempfile.mkdtemp(prefix="ih-feeds-bench-"))
    os.environ["INFOHARBOR_VAR_DIR"] = str(work)
    os.environ["INFOHARBOR_DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    os.environ["INFOHARBOR_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infoharbor.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from infoharbor.core.models import Entry
    from infoharbor.search import indexer

    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)
    indexer.drain()
    client = Client()
    print(f"{Entry.objects.count()} entries, {rounds} rounds of {len(QUERIES)} searches")
    kinds = {
        "search page (baseline)": lambda q: client.get(f"/en/search/?{q}"),
        "feed.atom": lambda q: client.get(f"/en/search/feed.atom?{q}"),
        "feed.json": lambda q: client.get(f"/en/search/feed.json?{q}"),
    }
    etags = {q: client.get(f"/en/search/feed.atom?{q}")["ETag"] for q in QUERIES}
    kinds["feed.atom, 304"] = lambda q: client.get(
        f"/en/search/feed.atom?{q}", HTTP_IF_NONE_MATCH=etags[q]
    )
    for run in kinds.values():  # warm-up
        for q in QUERIES:
            run(q)
    timings = {}
    for name, run in kinds.items():
        start = time.process_time()
        for _ in range(rounds):
            for q in QUERIES:
                assert run(q).status_code in (200, 304)
        timings[name] = (time.process_time() - start) / (rounds * len(QUERIES))
    base = timings["search page (baseline)"]
    print(f"| {'request':<24} | {'CPU ms/request':>14} | {'× page':>6} |")
    print(f"|{'-' * 26}|{'-' * 16}|{'-' * 8}|")
    for name, seconds in timings.items():
        print(f"| {name:<24} | {seconds * 1000:>14.1f} | {seconds / base:>6.2f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
