"""``infoharbor settings-doc``: write the settings reference from the declarations.

The reference in ``docs/operator/settings.md`` is generated from
:data:`infoharbor.config.DECLARATIONS`, the one place settings are declared. ``--check``
writes nothing and fails when the file differs, so CI catches a setting added without
regenerating its documentation.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from infoharbor import config


def default_path() -> Path:
    """``docs/operator/settings.md`` of the source checkout (src/infoharbor -> repo root)."""
    return Path(settings.BASE_DIR).parents[1] / "docs" / "operator" / "settings.md"


class Command(BaseCommand):
    help = "Write docs/operator/settings.md from the settings declarations (--check: compare)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit with an error if the file is missing or out of date.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Where the reference goes (default: docs/operator/settings.md of the checkout).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or default_path()
        wanted = config.markdown_reference()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if options["check"]:
            if current == wanted:
                self.stdout.write(f"{path} is up to date.")
                return
            if current is None:
                raise CommandError(f"{path} is missing. Run `infoharbor settings-doc`.")
            delta = "".join(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    wanted.splitlines(keepends=True),
                    fromfile=f"{path} (on disk)",
                    tofile=f"{path} (from config.py)",
                )
            )
            self.stderr.write(delta)
            raise CommandError(
                f"{path} is out of date with src/infoharbor/config.py. "
                "Run `infoharbor settings-doc` and commit the result."
            )
        if current == wanted:
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
