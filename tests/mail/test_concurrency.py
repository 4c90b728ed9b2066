"""Composers at the same moment (several workers): every match goes into exactly one
message. Real transactions and threads, on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from infoharbor.mail import compose
from infoharbor.mail.models import Message, MessageItem
from infoharbor.subscriptions.models import Match
from tests import factories
from tests.mail.helpers import publish, publisher
from tests.subscriptions.factories import subscribe

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_composers_put_each_match_in_one_message() -> None:
    if connection.vendor == "sqlite":
        # SQLite writes one transaction at a time (IMMEDIATE); the in-memory test database's
        # shared cache reports "table is locked" at once instead of waiting its turn as a
        # file does. PostgreSQL is where composers really overlap (row locks, SKIP LOCKED).
        pytest.skip("concurrent writers need PostgreSQL or a database file")
    org = factories.make_org("ministry", country="TH")
    readers = [factories.make_user() for _n in range(6)]
    for reader in readers:
        subscribe(reader, "q=rice", frequency="immediately")
    admin = publisher(org)
    for n in range(5):
        publish(org, admin, f"Rice report {n}")

    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def composer() -> None:
        try:
            start.wait()
            compose.compose_immediate()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=composer) for _n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Message.objects.count() == len(readers)  # one per reader, whoever composed it
    assert MessageItem.objects.count() == Match.objects.count() == len(readers) * 5
    assert not Match.objects.filter(delivered_at__isnull=True).exists()
    per_reader: dict[Any, int] = {}
    for message in Message.objects.all():
        per_reader[message.recipient_id] = per_reader.get(message.recipient_id, 0) + 1
    assert set(per_reader.values()) == {1}
