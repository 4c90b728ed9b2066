"""The mail path as operators run it: a real ``infoharbor worker`` process composes and
sends over SMTP, is killed with SIGKILL in the middle of sending, and the next worker sends
every pending message exactly once (the interrupted one again, with the same Message-ID)."""

from __future__ import annotations

import os
import signal
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest.conftest import feed_server
from tests.ingest.server import FeedServer
from tests.mail.smtp import SMTPServer
from tests.worker.test_process import WorkerHarbour, wait_for

pytestmark = pytest.mark.slow_subprocess

__all__ = ["feed_server"]

READERS = 3
SETUP = f"""
from tests import factories
from tests.mail.helpers import publish, publisher
from tests.subscriptions.factories import subscribe
org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
for n in range({READERS}):
    subscribe(factories.make_user(f"reader{{n}}@example.org"), "q=rice", name="Rice",
              frequency="immediately")
admin = publisher(org)
for n in range(4):
    publish(org, admin, f"Rice report {{n}}")
"""


@pytest.fixture
def smtp_harbour(
    tmp_path: Path, feed_server: FeedServer
) -> Iterator[tuple[WorkerHarbour, SMTPServer]]:
    with SMTPServer() as server:
        harbour = WorkerHarbour(tmp_path, feed_server)
        harbour.env.update(
            {
                "INFOHARBOR_EMAIL_BACKEND": "smtp",
                "INFOHARBOR_EMAIL_HOST": "127.0.0.1",
                "INFOHARBOR_EMAIL_PORT": str(server.port),
                "INFOHARBOR_SITE_URL": "https://harbor.example.org",
            }
        )
        harbour.run("migrate", "--verbosity", "0")
        try:
            yield harbour, server
        finally:
            harbour.stop_all()


def rows(harbour: WorkerHarbour, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{harbour.database}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(sql).fetchall()


def test_a_worker_killed_while_sending_loses_no_mail_and_doubles_none(
    smtp_harbour: tuple[WorkerHarbour, SMTPServer],
) -> None:
    harbour, server = smtp_harbour
    mailbox = server.mailbox
    mailbox.data.append("hold")  # the first message waits at the end of DATA for ever
    harbour.run("shell", "-c", SETUP)
    assert harbour.count("mail_message") == 0  # composition waits for the worker

    first = harbour.start_worker()
    wait_for(mailbox.holding.is_set, "the first message on the wire", harbour)
    # Composed (one message per reader), one of them in the middle of its SMTP conversation,
    # the others waiting to be sent: now the worker dies.
    assert harbour.count("mail_message") == READERS
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    states = Counter(state for (state,) in rows(harbour, "SELECT state FROM mail_message"))
    assert states["sending"] == 1
    assert states["sent"] == 0
    mailbox.release.set()

    second = harbour.start_worker()
    wait_for(
        lambda: harbour.count("mail_message", "state = 'sent'") == READERS,
        "every message to be sent",
        harbour,
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0

    message_ids = {str(mid) for (mid,) in rows(harbour, "SELECT message_id FROM mail_message")}
    accepted = mailbox.accepted_ids()
    # Every message arrived once; the interrupted one was sent again with its Message-ID.
    assert sorted(accepted) == sorted(message_ids)
    seen = Counter(mailbox.seen)
    assert sorted(seen.values()) == [1] * (READERS - 1) + [2]
    assert set(seen) == message_ids
    # Every match in exactly one message, none left behind.
    assert harbour.count("subscriptions_match", "delivered_at IS NULL") == 0
    assert harbour.count("subscriptions_match") == READERS * 4
    assert harbour.count("mail_messageitem") == READERS * 4
    recipients = {to for message in mailbox.accepted for to in [str(message["To"])]}
    assert recipients == {f"reader{n}@example.org" for n in range(READERS)}
