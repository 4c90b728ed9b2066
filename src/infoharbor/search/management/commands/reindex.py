"""``infoharbor reindex``: rebuild the search index from the entries."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from infoharbor.search import indexer
from infoharbor.search.backends import get_backend


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every entry. An interrupted rebuild resumes where it "
        "stopped; --fresh starts again from an empty index; --pending only indexes the changes "
        "waiting in the outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fresh", action="store_true", help="Start again from scratch.")
        parser.add_argument(
            "--pending", action="store_true", help="Only index changes waiting in the outbox."
        )
        parser.add_argument("--batch-size", type=int, default=indexer.BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        if options["pending"]:
            handled = indexer.drain()
            self.stdout.write(f"Indexed {handled} pending changes ({backend.name} backend).")
            return
        started = time.monotonic()
        show = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if not show or not total:
                return
            width = 30
            filled = width * done // total
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} entries, {rate:,.0f}/s "
            )
            sys.stderr.flush()

        run = indexer.reindex(
            fresh=options["fresh"], batch_size=max(1, options["batch_size"]), progress=progress
        )
        if show:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Indexed {run.indexed} searchable entries of {run.total} in {elapsed:.1f} s "
            f"({backend.name} backend, {backend.count()} documents)."
        )
