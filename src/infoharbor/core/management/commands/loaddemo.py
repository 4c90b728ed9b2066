"""``infoharbor loaddemo``: load the demo organizations, people and entries (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infoharbor.portal.demo import loader


class Command(BaseCommand):
    help = (
        "Load the demo set: organizations from several member states, their people, and "
        "entries in many languages, all marked as demo. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=None,
            help="A demo file in the same format (default: the one shipped with the harbor).",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="One password for every demo person (default: a random one, printed once "
            "when the people are first made). Prefer the default on shared machines: a "
            "password on the command line is visible to other users of the machine.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = loader.load(options["path"], password=options["password"])
        except loader.DemoError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.changed:
            self.stdout.write("The demo data was already loaded; nothing changed.")
        if report.languages:
            self.stdout.write(
                "Languages of the new entries: " + ", ".join(sorted(report.languages))
            )
        if report.password:
            self.stdout.write(
                "Every demo person signs in with their email address and this password "
                f"(shown only this once): {report.password}"
            )
        elif options["password"] and (report.users_created or report.passwords_set):
            self.stdout.write("The demo people sign in with the password given by --password.")
