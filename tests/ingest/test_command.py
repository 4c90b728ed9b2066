"""``infoharbor ingest``: in process, and as a real process killed half-way."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.ingest.conftest import Harbor, fixture_bytes
from tests.ingest.server import FeedServer, Reply

RSS = "application/rss+xml; charset=utf-8"
REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command("ingest", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
class TestCommand:
    def test_harvests_due_sources_and_then_finds_none_due(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")

        first = run()
        second = run()

        assert f"#{source.pk} {source.name}: 5 new, 0 updated" in first
        assert "Harvested 1 sources" in first
        assert second.strip() == "No source is due."

    def test_all_ignores_due_times(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        harbor.source("/feed.xml")
        run()

        again = run("--all")

        assert "not modified" in again

    def test_source_harvests_the_named_ones_only(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/a.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        wanted = harbor.source("/a.xml")
        other = harbor.source("/b.xml")

        output = run("--source", str(wanted.pk))

        assert f"#{wanted.pk}" in output
        assert f"#{other.pk}" not in output

    def test_an_unknown_or_switched_off_source_is_an_error(self, harbor: Harbor) -> None:
        off = harbor.source("/a.xml", enabled=False)

        with pytest.raises(CommandError, match=f"id {off.pk} "):
            run("--source", str(off.pk))

    def test_failures_are_reported_and_counted(self, harbor: Harbor) -> None:
        harbor.server.routes["/down.xml"] = Reply(500)
        harbor.source("/down.xml")

        output = run()

        assert "failed (http_status)" in output
        assert "1 failed." in output


# --- A real process, killed -------------------------------------------------------------------

ITEMS = 120


def big_feed(items: int = ITEMS) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Big feed</title><link>https://big.example.org/</link>"
    ]
    for n in range(items):
        parts.append(
            f"<item><title>Notice number {n}: border trade figures for week {n}</title>"
            f"<link>https://big.example.org/notices/{n}?utm_source=rss</link>"
            f"<guid isPermaLink='false'>big-{n}</guid>"
            f"<pubDate>Mon, 01 Dec 2025 {n // 60 % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f"<description>The customs department reports the figures of week {n} for the "
            f"border checkpoints of the northern provinces.</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


class Harbour:
    """A harbor of its own: a var directory with a SQLite file, driven by subprocesses."""

    def __init__(self, var: Path, server: FeedServer, batch_size: int | None = None) -> None:
        self.var = var
        self.database = var / "harbor.sqlite3"
        self.env = {
            **os.environ,
            "INFOHARBOR_VAR_DIR": str(var),
            "INFOHARBOR_DATABASE_URL": f"sqlite:///{self.database}",
            "INFOHARBOR_INGEST_ALLOWED_NETWORKS": "127.0.0.0/8",
            "INFOHARBOR_INGEST_HOST_DELAY_SECONDS": "0",
            "INFOHARBOR_LOG_LEVEL": "WARNING",
        }
        if batch_size is not None:
            self.env["INFOHARBOR_INGEST_BATCH_SIZE"] = str(batch_size)
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.server = server

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "infoharbor", *args]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            self.command(*args), env=self.env, cwd=REPO, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def count(self, table: str, where: str = "1=1") -> int:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])  # noqa: S608 - fixed names

    def kill_ingest_when(self, ready: object, timeout: float = 120) -> None:
        process = subprocess.Popen(
            self.command("ingest", "--no-progress"), env=self.env, cwd=REPO,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        try:
            while not ready():  # type: ignore[operator]
                assert process.poll() is None, "the harvest ended before it could be killed"
                assert time.monotonic() < deadline, "the harvest never got there"
                time.sleep(0.02)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL


@pytest.mark.slow_subprocess
# One by one, and in batches (small ones, so that the kill falls between two of them).
@pytest.mark.parametrize("batch_size", [1, 4], ids=["one-by-one", "batched"])
def test_a_harvest_killed_at_any_point_resumes_without_losing_or_doubling_items(
    tmp_path: Path, feed_server: FeedServer, batch_size: int
) -> None:
    harbour = Harbour(tmp_path, feed_server, batch_size)
    harbour.run("migrate", "--verbosity", "0")
    harbour.run(
        "shell", "-c",
        "from infoharbor.core import audit\n"
        "from infoharbor.core.models import Country, Language, Organization\n"
        "from infoharbor.core.permissions import Actor\n"
        "from infoharbor.ingest import services\n"
        "org = Organization.objects.create(slug='big', name='Big', kind='government',"
        " country_id='TH')\n"
        "services.create_source(actor=Actor(is_operator=True), origin=audit.Origin(via='test'),"
        " organization=org, data=services.SourceData(name='Big feed',"
        f" url={feed_server.url('/big.xml')!r}, country=org.country,"
        " language=Language.objects.get(code='en')))\n",
    )  # fmt: skip
    feed = big_feed()
    requests_seen = len(feed_server.log)

    # 1. Killed while it waits for the document: nothing is stored, nothing is lost.
    feed_server.routes["/big.xml"] = lambda seen: (time.sleep(30), Reply(200, feed))[1]
    harbour.kill_ingest_when(lambda: len(feed_server.log) > requests_seen + 1)
    assert harbour.count("core_entry") == 0

    # 2. Killed half-way through the items (each item, or each batch, commits on its own).
    feed_server.serve_file("/big.xml", feed, RSS)
    harbour.kill_ingest_when(lambda: harbour.count("ingest_ingesteditem") >= 30)
    stored = harbour.count("ingest_ingesteditem")
    assert 30 <= stored < ITEMS
    assert harbour.count("core_entry") == stored  # an entry and its item commit together
    assert harbour.count("ingest_sourcestate", "etag != ''") == 0  # the document is unfinished

    # 3. The next run fetches the document again (unconditionally) and stores the rest.
    output = harbour.run("ingest", "--no-progress")

    assert f"{ITEMS - stored} new" in output
    assert f"{stored} unchanged" in output
    assert harbour.count("core_entry") == ITEMS
    assert harbour.count("ingest_ingesteditem") == ITEMS
    guids = harbour.count("(SELECT DISTINCT guid FROM ingest_ingesteditem)")
    assert guids == ITEMS
    # The interrupted attempts stay visible as such.
    assert harbour.count("ingest_fetchattempt", "finished_at IS NULL") == 2
    # And once more: nothing changes.
    assert "not modified" in harbour.run("ingest", "--all", "--no-progress")
    assert harbour.count("core_entry") == ITEMS
