"""``infoharbor stories``: put the published entries not yet in a story into one.

``infoharbor ingest`` does the same at the end of every run; this command is for entries
published by hand, for a first run over an existing harbor, and for ``--rebuild`` (after a
change of threshold or fingerprint format). Interrupting it loses at most one batch.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infoharbor.stories import services


class Command(BaseCommand):
    help = (
        "Cluster the published entries that are in no story yet into stories, and update the "
        "trending flags; --rebuild forgets every story first and clusters everything again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Forget all stories and cluster every published entry again (story ids change).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=services.BATCH_SIZE,
            metavar="N",
            help=f"Entries per transaction (default {services.BATCH_SIZE}).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress line, even on a terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        show = sys.stderr.isatty() and not options["no_progress"]
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if show:
                sys.stderr.write(f"\r{done}/{total} entries")
                sys.stderr.flush()
            else:
                self.stdout.write(f"{done}/{total} entries")

        run = services.rebuild if options["rebuild"] else services.assign_pending
        result = run(batch_size=options["batch_size"], progress=progress)
        if show and result.entries:
            sys.stderr.write("\n")
        self.stdout.write(result.summary(time.monotonic() - started))
