"""The worker as operators run it: real ``infoharbor worker`` processes on a SQLite harbor,
stopped gently and killed with SIGKILL in the middle of a task."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ingest.server import FeedServer, Reply, Seen
from tests.ingest.test_command import ITEMS, REPO, RSS, Harbour, big_feed

pytestmark = pytest.mark.slow_subprocess

TASKS = "django_tasks_database_dbtaskresult"  # the library keeps its old table name


class WorkerHarbour(Harbour):
    def __init__(self, var: Path, server: FeedServer) -> None:
        super().__init__(var, server)
        self.env.update(
            {
                # The worker imports the tests' own tasks (tests.worker.jobs).
                "PYTHONPATH": str(REPO),
                "INFOHARBOR_WORKER_POLL_SECONDS": "0.1",
                "INFOHARBOR_SCHEDULER_INTERVAL_SECONDS": "0.5",
                "INFOHARBOR_WORKER_LEASE_SECONDS": "5",
                # Small batches, so that a harvest killed half-way has stored some of them.
                "INFOHARBOR_INGEST_BATCH_SIZE": "4",
            }
        )
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.var / f"worker-{len(self.workers) + 1}.log").open("wb")
        process = subprocess.Popen(
            self.command("worker", *args), env=self.env, cwd=REPO,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.workers.append(process)
        return process

    def tasks(self) -> list[tuple[str, str, list[str]]]:
        """(task path, status, worker ids) of every task, oldest first."""
        import sqlite3

        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            rows = db.execute(
                f"SELECT task_path, status, worker_ids FROM {TASKS} ORDER BY enqueued_at"  # noqa: S608
            ).fetchall()
        return [(path, status, json.loads(ids)) for path, status, ids in rows]

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:]
            for path in sorted(self.var.glob("worker-*.log"))
        )

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture
def harbour(tmp_path: Path, feed_server: FeedServer) -> Iterator[WorkerHarbour]:
    harbour = WorkerHarbour(tmp_path, feed_server)
    harbour.run("migrate", "--verbosity", "0")
    try:
        yield harbour
    finally:
        harbour.stop_all()


def wait_for(
    condition: Callable[[], bool], what: str, harbour: WorkerHarbour, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{harbour.logs()}"
        time.sleep(0.05)


class Subscriber:
    """A receiver of deliveries on the feed server: it keeps what it was sent, by
    idempotency key, and can hold the first request until told to answer."""

    def __init__(self, server: FeedServer, hold_first: float = 0) -> None:
        self.seen: list[str] = []
        self.kept: dict[str, int] = {}
        self.hold_first = hold_first
        self._lock = threading.Lock()
        server.routes["/deliver"] = self.receive

    def receive(self, seen: Seen) -> Reply:
        key = seen.headers["idempotency-key"]
        assert parse_qs(urlsplit(seen.path).query)["key"] == [key]
        with self._lock:
            self.seen.append(key)
            first = len(self.seen) == 1
        if first and self.hold_first:
            time.sleep(self.hold_first)
        with self._lock:
            # What a receiver does with the key: a repeated delivery changes nothing.
            self.kept.setdefault(key, len(self.kept) + 1)
        return Reply(200, b"ok", {"Content-Type": "text/plain"})


def test_a_worker_killed_mid_task_loses_nothing_and_the_subscriber_gets_it_once(
    harbour: WorkerHarbour, feed_server: FeedServer
) -> None:
    subscriber = Subscriber(feed_server, hold_first=60)
    port = feed_server.port
    harbour.run(
        "shell", "-c", f"from tests.worker import jobs; jobs.deliver.enqueue({port}, 'order-17')"
    )

    first = harbour.start_worker()
    wait_for(lambda: len(subscriber.seen) == 1, "the first delivery", harbour)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    (task,) = harbour.tasks()
    assert task[1] == "RUNNING"  # what a killed worker leaves behind

    second = harbour.start_worker()
    wait_for(lambda: harbour.tasks()[0][1] == "SUCCESSFUL", "the delivery to succeed", harbour)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0

    # At least once on the wire, with the same key; once for the subscriber.
    assert subscriber.seen == ["order-17", "order-17"]
    assert subscriber.kept == {"order-17": 1}
    (task,) = harbour.tasks()
    assert task[0] == "tests.worker.jobs.deliver"
    assert len(task[2]) == 2  # two attempts, by two workers
    assert task[2][0] != task[2][1]


def test_sigterm_lets_the_task_at_hand_finish(
    harbour: WorkerHarbour, feed_server: FeedServer
) -> None:
    subscriber = Subscriber(feed_server, hold_first=2)
    harbour.run(
        "shell", "-c",
        f"from tests.worker import jobs; jobs.deliver.enqueue({feed_server.port}, 'a');"
        f" jobs.routine.enqueue('after')",
    )  # fmt: skip

    worker = harbour.start_worker()
    wait_for(lambda: len(subscriber.seen) == 1, "the delivery to start", harbour)
    worker.send_signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0
    statuses = [(path.rsplit(".", 1)[1], status) for path, status, _ids in harbour.tasks()]
    # The task at hand was finished; the next one waits for the next worker.
    assert statuses == [("deliver", "SUCCESSFUL"), ("routine", "READY")]
    assert harbour.count("worker_workerprocess") == 0
    assert harbour.count("worker_lease") == 0


def test_a_harvest_on_a_killed_worker_is_resumed_by_the_next_without_doubling(
    harbour: WorkerHarbour, feed_server: FeedServer
) -> None:
    feed_server.serve_file("/big.xml", big_feed(), RSS)
    harbour.run(
        "shell", "-c",
        "from infoharbor.core import audit\n"
        "from infoharbor.core.models import Language, Organization\n"
        "from infoharbor.core.permissions import Actor\n"
        "from infoharbor.ingest import services\n"
        "org = Organization.objects.create(slug='big', name='Big', kind='government',"
        " country_id='TH')\n"
        "services.create_source(actor=Actor(is_operator=True), origin=audit.Origin(via='test'),"
        " organization=org, data=services.SourceData(name='Big feed',"
        f" url={feed_server.url('/big.xml')!r}, country=org.country,"
        " language=Language.objects.get(code='en')))\n",
    )  # fmt: skip

    # The scheduler enqueues the due source; the worker is killed half-way through its items.
    first = harbour.start_worker()
    wait_for(lambda: harbour.count("ingest_ingesteditem") >= 30, "half the items", harbour)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    stored = harbour.count("ingest_ingesteditem")
    assert 30 <= stored < ITEMS

    # Two workers now (one of them the scheduler): the harvest is resumed once, by one.
    second = harbour.start_worker()
    third = harbour.start_worker()
    wait_for(
        lambda: (
            harbour.count("core_entry") == ITEMS
            and harbour.count(TASKS, "status IN ('READY', 'RUNNING')") == 0
        ),
        "the harvest to be finished",
        harbour,
    )
    # A few scheduler rounds more: the source is not due, nothing is harvested again.
    time.sleep(1.5)
    for worker in (second, third):
        worker.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0
    assert third.wait(timeout=30) == 0

    assert harbour.count("core_entry") == ITEMS
    assert harbour.count("(SELECT DISTINCT guid FROM ingest_ingesteditem)") == ITEMS
    # The task of the killed worker was started again and finished the harvest; the source
    # was fetched twice in all (the interrupted harvest and the resumed one), never more.
    harvests = [t for t in harbour.tasks() if t[0] == "infoharbor.ingest.tasks.harvest_source"]
    assert harvests[0][1:] == ("SUCCESSFUL", harvests[0][2])
    assert len(harvests[0][2]) == 2
    assert all(status == "SUCCESSFUL" for _path, status, _ids in harvests)
    assert harbour.count("ingest_fetchattempt", "outcome = 'fetched'") == 1
    assert harbour.count("ingest_fetchattempt") == 2
