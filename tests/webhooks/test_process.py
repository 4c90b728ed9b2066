"""A real ``infoharbor worker`` killed with SIGKILL while its webhook requests are in
flight: the next worker sends them again with the same event ids, and in the end every
event has been received, none with two ids, and every delivery is recorded once."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest.conftest import feed_server
from tests.ingest.server import FeedServer
from tests.webhooks.receiver import Received, Receiver
from tests.worker.test_process import WorkerHarbour, wait_for

pytestmark = pytest.mark.slow_subprocess

__all__ = ["feed_server"]

ENDPOINTS = 6
SETUP = f"""
from infoharbor.core import audit
from infoharbor.webhooks import services
from tests import factories
from tests.subscriptions.factories import follow
org = factories.make_org('ministry', country='TH')
owner = factories.make_user('reader@example.org')
follow(owner, 'organization', 'ministry')
for number in range({ENDPOINTS}):
    services.create_endpoint(user=owner, origin=audit.Origin(via='test'),
        data=services.EndpointData(url='http://127.0.0.1:%(port)d/k/%%d' %% number))
factories.make_entry(org, title='Rice export rises')
"""


@pytest.fixture
def harbour(tmp_path: Path, feed_server: FeedServer) -> Iterator[WorkerHarbour]:
    harbour = WorkerHarbour(tmp_path, feed_server)
    harbour.env.update({
        "INFOHARBOR_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1",
        "INFOHARBOR_WEBHOOK_TIMEOUT_SECONDS": "2",
        "INFOHARBOR_EMAIL_BACKEND": "console",
    })  # fmt: skip
    harbour.run("migrate", "--verbosity", "0")
    try:
        yield harbour
    finally:
        harbour.stop_all()


def deliveries(harbour: WorkerHarbour) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(f"file:{harbour.database}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute(
            "SELECT d.event_id, d.state, e.url, d.attempts FROM webhooks_delivery d"
            " JOIN webhooks_endpoint e ON e.id = d.endpoint_id ORDER BY d.id"
        ).fetchall()
    return [(str(uuid.UUID(a)), str(b), str(c), int(n)) for a, b, c, n in rows]


def test_a_worker_killed_mid_send_loses_nothing_and_doubles_no_event(
    harbour: WorkerHarbour,
) -> None:
    receiver = Receiver().start()
    release = threading.Event()

    def hold(seen: Received) -> None:
        release.wait(60)  # the first worker's requests stay in flight until it is killed

    receiver.on_request = hold
    try:
        harbour.run("shell", "-c", SETUP % {"port": receiver.port})
        with sqlite3.connect(harbour.database) as db:
            for url, secret in db.execute("SELECT url, secret FROM webhooks_endpoint"):
                receiver.secrets["/" + url.split("/", 3)[3]] = secret
        written = deliveries(harbour)
        assert len(written) == ENDPOINTS
        assert {row[1] for row in written} == {"pending"}

        first = harbour.start_worker()
        wait_for(lambda: len(receiver.received) >= 1, "the first requests", harbour)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        release.set()
        assert {row[1] for row in deliveries(harbour)} == {"pending"}  # nothing recorded

        second = harbour.start_worker()
        wait_for(
            lambda: {row[1] for row in deliveries(harbour)} == {"delivered"},
            "every delivery to be delivered",
            harbour,
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    finally:
        receiver.stop()

    final = deliveries(harbour)
    ids = {event for event, _state, _url, _attempts in final}
    assert len(ids) == ENDPOINTS
    # Every event arrived, each endpoint got only its own, always under the same id; the
    # receiver, keeping ids, accepted each once (the killed worker's requests that got
    # through the first time were sent again with the same id).
    assert {seen.event_id for seen in receiver.received} == ids
    by_path = {"/" + url.split("/", 3)[3]: event for event, _s, url, _a in final}
    assert all(by_path[seen.path] == seen.event_id for seen in receiver.received)
    assert all(seen.verified for seen in receiver.received)
    assert set(receiver.accepted) == ids
    assert len(receiver.received) > ENDPOINTS  # some went twice on the wire
