"""``infoharbor up``: everything needed to run a harbor, then serve it.

Brings the database schema up to date (which also loads the reference data), loads the demo
set the first time, makes an operator account if there is none (its password is printed
once), collects the static files and serves on http://127.0.0.1:8000/. Every step is
idempotent, so ``up`` is also how a stopped harbor is started again. While it serves, it also
runs ``infoharbor worker`` (background tasks and the schedule of ingest) as a child process,
stopped with it, so one command still runs everything (``--no-worker`` when a worker runs
elsewhere). The settings come from
the ``INFOHARBOR_*`` environment variables like everywhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from infoharbor.accounts.models import User
from infoharbor.core import refdata
from infoharbor.core.models import Organization
from infoharbor.portal.demo import loader

DEFAULT_OPERATOR = "operator@localhost"


def describe_database() -> str:
    """The database in words, without its password."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite (WAL) at {db['NAME']}"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{connection.display_name} database {db['NAME']!r} on {host}{port}"


class Command(BaseCommand):
    help = (
        "Migrate, load reference and demo data, make an operator if there is none, collect "
        "static files and serve. Safe to run again."
    )
    requires_system_checks: list[str] = []  # migrate and serve run the checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on.")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads.")
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo set.")
        parser.add_argument(
            "--operator-email",
            default=DEFAULT_OPERATOR,
            help="Operator account made when there is none (default: %(default)s).",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare everything, then exit."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the background worker beside the server (one runs elsewhere).",
        )

    def step(self, message: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"==> {message}"))

    def handle(self, *args: Any, **options: Any) -> None:
        out = {"stdout": self.stdout, "stderr": self.stderr}
        self.stdout.write(f"Environment: {settings.ENVIRONMENT}")
        self.stdout.write(f"Var directory: {settings.VAR_DIR}")
        self.stdout.write(f"Database: {describe_database()}")

        self.step("Database schema")
        before = self._applied()
        call_command("migrate", interactive=False, verbosity=0, **out)
        self.stdout.write(f"{self._applied() - before} migrations applied; schema up to date.")

        self.step("Reference data")
        self.stdout.write(f"{refdata.load()}.")

        self.step("Demo data")
        if options["no_demo"]:
            self.stdout.write("Skipped (--no-demo).")
        elif Organization.objects.filter(is_demo=True).exists():
            self.stdout.write("Already loaded (`infoharbor loaddemo` tops it up).")
        elif not loader.default_path().exists():
            self.stderr.write(f"No demo file at {loader.default_path()}; skipped.")
        else:
            call_command("loaddemo", **out)

        self.step("Search index")
        self.stdout.write(search_index_ready())

        self.step("Operator account")
        if User.objects.filter(is_staff=True, is_active=True).exists():
            emails = list(
                User.objects.filter(is_staff=True, is_active=True)
                .order_by("id")
                .values_list("email", flat=True)[:3]
            )
            self.stdout.write(
                "Operators exist: "
                + ", ".join(emails)
                + " (`infoharbor createoperator` adds or resets one)."
            )
        else:
            call_command("createoperator", email=options["operator_email"], **out)

        self.step("Static files")
        call_command("collectstatic", interactive=False, verbosity=0, **out)
        self.stdout.write(f"Collected into {settings.STATIC_ROOT}.")

        if options["no_serve"]:
            return
        worker = None
        if not options["no_worker"] and settings.TASKS_BACKEND == "database":
            self.step("Background worker")
            self.stdout.flush()
            # In a session of its own, so that Ctrl+C reaches it once, from here (a second
            # signal would stop it at once); it stops by itself if this process dies.
            worker = subprocess.Popen(  # noqa: S603 - our own command, no outside input
                [sys.executable, "-m", "infoharbor", "worker", "--parent", str(os.getpid())],
                start_new_session=True,
            )
        self.step("Serving")
        self.stdout.write("Operators sign in at /en/operator/; publishers at /en/accounts/login/.")
        try:
            call_command(
                "serve",
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                **out,
            )
        finally:
            if worker is not None:
                stop_worker(worker)

    @staticmethod
    def _applied() -> int:
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            return 0
        return recorder.migration_qs.count()


def stop_worker(worker: subprocess.Popen[bytes], patience: float = 30) -> None:
    """Stop the worker child: it finishes the task at hand, or after ``patience`` seconds
    gives it back to the queue (a second SIGTERM) for the next start."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def search_index_ready() -> str:
    """Fill an empty index (first start, or a new index version), else index what waits."""
    from infoharbor.core.choices import EntryStatus
    from infoharbor.core.models import Entry
    from infoharbor.search import indexer
    from infoharbor.search.backends import get_backend

    backend = get_backend()
    if backend.count() == 0 and Entry.objects.filter(status=EntryStatus.PUBLISHED).exists():
        run = indexer.reindex(fresh=True)
        return f"Built the {backend.name} index: {run.indexed} entries."
    handled = indexer.drain()
    return f"The {backend.name} index is up to date ({handled} pending changes indexed)."
