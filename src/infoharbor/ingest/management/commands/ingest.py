"""``infoharbor ingest``: harvest the sources that are due, once.

Run it from cron or a systemd timer (see docs/operator/ingest.md); the durable worker will
run it on schedule. Interrupting it loses nothing: the next run picks up where it stopped.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infoharbor.ingest import harvest
from infoharbor.ingest.choices import Outcome
from infoharbor.ingest.models import FetchAttempt, Source
from infoharbor.search import indexer
from infoharbor.stories import services as stories


class Command(BaseCommand):
    help = (
        "Harvest the sources that are due (each once), or those named with --source; --all "
        "harvests every source that is on, due or not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help="Harvest this source (repeat for several), due or not.",
        )
        parser.add_argument(
            "--all", action="store_true", help="Harvest every source that is on, due or not."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"]:
            wanted = set(options["source"])
            sources = list(harvest.harvestable(Source.objects.filter(pk__in=wanted)))
            missing = wanted - {source.pk for source in sources}
            if missing:
                raise CommandError(
                    "No source that is on with id "
                    + ", ".join(str(pk) for pk in sorted(missing))
                    + " (a source that is off, or of a suspended organization, is not harvested)."
                )
        elif options["all"]:
            sources = list(harvest.harvestable().order_by("pk"))
        else:
            sources = list(harvest.due_sources())
        if not sources:
            self.stdout.write("No source is due.")
            return
        show = sys.stderr.isatty() and not options["no_progress"]
        started = time.monotonic()
        total = len(sources)
        position = {source.pk: number for number, source in enumerate(sources, start=1)}

        def progress(source: Source, done: int, items: int) -> None:
            if not show:
                return
            width = 30
            filled = width * done // max(items, 1)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] source {position[source.pk]}/{total}"
                f" · {done}/{items} items · {source.name[:40]:<40}"
            )
            sys.stderr.flush()

        attempts = harvest.harvest(sources, progress=progress)
        if show:
            sys.stderr.write("\n")
        for attempt in attempts:
            self.stdout.write(self._line(attempt))
        # Whatever the background indexer did not get to before the command ends.
        indexer.drain()
        # The enrich stage: the new entries join their stories (docs/operator/ingest.md).
        clustering = time.monotonic()
        self.stdout.write(stories.assign_pending().summary(time.monotonic() - clustering))
        failed = sum(attempt.outcome == Outcome.FAILED for attempt in attempts)
        self.stdout.write(
            f"Harvested {len(attempts)} sources in {time.monotonic() - started:.1f} s"
            + (f"; {failed} failed." if failed else ".")
        )

    @staticmethod
    def _line(attempt: FetchAttempt) -> str:
        label = f"#{attempt.source_id} {attempt.source.name}"
        if attempt.outcome == Outcome.FAILED:
            return f"{label}: failed ({attempt.error_code}): {attempt.error}"
        if attempt.outcome == Outcome.NOT_MODIFIED:
            return f"{label}: not modified"
        return (
            f"{label}: {attempt.items_new} new, {attempt.items_updated} updated, "
            f"{attempt.items_unchanged} unchanged, {attempt.items_duplicate} duplicates, "
            f"{attempt.items_failed} failed"
        )
