"""``infoharbor loadrefdata``: upsert the shipped reference data (idempotent).

``migrate`` already does this after every run (a post_migrate hook); the command is for
reloading after a package upgrade without a schema change, and for checking what changed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from infoharbor.core import refdata
from infoharbor.core.models import Country, Currency, Language, Sector


class Command(BaseCommand):
    help = "Load the shipped countries, languages, currencies and sectors (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = refdata.load()
        self.stdout.write(f"Reference data: {report}.")
        self.stdout.write(
            f"Now stored: {Language.objects.count()} languages, "
            f"{Currency.objects.count()} currencies, {Country.objects.count()} countries, "
            f"{Sector.objects.count()} sectors."
        )
