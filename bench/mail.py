"""Subscription mail's own cost: composing a harvest's matches into messages, and rendering
them for the wire.

In a child process on a fresh database (SQLite in WAL mode in a temporary file; PostgreSQL
when a URL is given): S subscribers each have an immediate subscription that every entry
matches; E entries are published (not measured), then

1. ``compose.compose_immediate()`` writes one message per subscriber with all E entries (the
   matches taken, rendered in text and HTML, stored with their items, in one transaction per
   message);
2. every message is sent once through Django's in-memory mail backend (claim, build the
   MIME message, record it sent): the harbor's cost per message without a network.

Times are CPU seconds of the process (time.process_time; the machine is shared) and wall
seconds; the database server's own CPU (PostgreSQL) is not counted.

    .venv/bin/python bench/mail.py                          # 100 subscribers x 200 entries
    .venv/bin/python bench/mail.py --subscribers 20 --entries 50
    .venv/bin/python bench/mail.py --postgres postgres://postgres@127.0.0.1:5432/ih_email_bench

Writes ``bench/results/mail.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def child(database: str, subscribers: int, entries: int) -> dict[str, Any]:
    os.environ["INFOHARBOR_DATABASE_URL"] = database
    os.environ["INFOHARBOR_LOG_LEVEL"] = "WARNING"
    os.environ["INFOHARBOR_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "infoharbor.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from tests import factories
    from tests.subscriptions.factories import subscribe

    from infoharbor.mail import compose, sending
    from infoharbor.mail.models import Message, MessageItem

    call_command("migrate", verbosity=0)
    organization = factories.make_org("bench-ministry", country="TH", name="Bench Ministry")
    admin = factories.make_user()
    factories.add_member(admin, organization, "admin")
    for n in range(subscribers):
        subscribe(factories.make_user(), "q=rice", name=f"Rice {n}", frequency="immediately")
    for n in range(entries):
        factories.make_entry(organization, admin, title=f"Rice harvest report {n}")

    cpu, wall = time.process_time(), time.perf_counter()
    composed = compose.compose_immediate()
    compose_cpu, compose_wall = time.process_time() - cpu, time.perf_counter() - wall
    assert len(composed) == subscribers, composed
    assert MessageItem.objects.count() == subscribers * entries

    mail.outbox = []
    cpu, wall = time.process_time(), time.perf_counter()
    for pk in composed:
        assert sending.send(pk).outcome == sending.Outcome.SENT
    send_cpu, send_wall = time.process_time() - cpu, time.perf_counter() - wall
    assert len(mail.outbox) == subscribers
    size = sum(len(m.message().as_bytes()) for m in mail.outbox) / subscribers
    Message.objects.all().delete()
    return {
        "subscribers": subscribers,
        "entries": entries,
        "compose_cpu_s": round(compose_cpu, 3),
        "compose_wall_s": round(compose_wall, 3),
        "compose_cpu_ms_per_message": round(1000 * compose_cpu / subscribers, 2),
        "send_cpu_ms_per_message": round(1000 * send_cpu / subscribers, 2),
        "send_wall_ms_per_message": round(1000 * send_wall / subscribers, 2),
        "message_kb": round(size / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL (its database is replaced)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        result = child(arguments.child, arguments.subscribers, arguments.entries)
        print(json.dumps(result))
        return
    runs = []
    with tempfile.TemporaryDirectory() as var:
        databases = [("sqlite", f"sqlite:///{var}/bench.sqlite3")]
        if arguments.postgres:
            databases.append(("postgresql", arguments.postgres))
        for name, url in databases:
            if name == "postgresql":
                _recreate(url)
            done = subprocess.run(  # noqa: S603 - this script, with its own arguments
                [sys.executable, __file__, "--child", url, "--subscribers",
                 str(arguments.subscribers), "--entries", str(arguments.entries)],
                env={**os.environ, "INFOHARBOR_VAR_DIR": var}, capture_output=True, text=True,
                check=True,
            )  # fmt: skip
            runs.append({"database": name, **json.loads(done.stdout.strip().splitlines()[-1])})
    print("| database | subscribers x entries | compose (CPU s) | per message: compose CPU ms |"
          " send CPU ms | send wall ms | size KB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run['database']} | {run['subscribers']} x {run['entries']} |"
            f" {run['compose_cpu_s']} | {run['compose_cpu_ms_per_message']} |"
            f" {run['send_cpu_ms_per_message']} | {run['send_wall_ms_per_message']} |"
            f" {run['message_kb']} |"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mail.json").write_text(
        json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "runs": runs}, indent=2)
        + "\n"
    )


def _recreate(url: str) -> None:
    import psycopg

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
