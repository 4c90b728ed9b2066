"""The scheduler: due sources enqueued once, by one scheduler, and harvested on the worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from infoharbor.core.models import Entry
from infoharbor.ingest.models import IngestedItem
from infoharbor.search.models import PendingIndex
from infoharbor.worker import scheduler
from infoharbor.worker.models import Lease
from tests.ingest.conftest import Harbor, fixture_bytes
from tests.worker.test_tasks import run_one

RSS = "application/rss+xml; charset=utf-8"
HARVEST = "infoharbor.ingest.tasks.harvest_source"


def harvests() -> list[list[Any]]:
    return [
        row.args_kwargs["args"]
        for row in DBTaskResult.objects.filter(task_path=HARVEST).order_by("enqueued_at")
    ]


@pytest.fixture
def feed(harbor: Harbor) -> Any:
    harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
    return harbor.source("/feed.xml")


def test_a_due_source_is_enqueued_once_however_often_the_scheduler_ticks(feed: Any) -> None:
    first = scheduler.tick("ih-a-0")
    second = scheduler.tick("ih-a-0")

    assert first is not None
    assert first["infoharbor.ingest.tasks.enqueue_due_sources"] == 1
    assert second is not None
    assert second["infoharbor.ingest.tasks.enqueue_due_sources"] == 0
    assert harvests() == [[feed.pk]]


def test_two_schedulers_enqueue_a_due_source_once(feed: Any) -> None:
    assert scheduler.tick("ih-a-0") is not None
    # A second worker process: the lease is held, it does nothing.
    assert scheduler.tick("ih-b-0") is None
    assert harvests() == [[feed.pk]]
    assert Lease.objects.get().holder == "ih-a-0"


def test_a_scheduler_that_stops_renewing_is_taken_over(feed: Any, settings: Any) -> None:
    assert scheduler.tick("ih-a-0") is not None
    later = timezone.now() + dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS + 1)

    counts = scheduler.tick("ih-b-0", now=later)

    assert counts is not None
    assert Lease.objects.get().holder == "ih-b-0"
    # The harvest is still waiting: the new scheduler does not enqueue it again.
    assert counts["infoharbor.ingest.tasks.enqueue_due_sources"] == 0
    assert harvests() == [[feed.pk]]


@pytest.mark.shared_data
def test_a_due_source_is_harvested_on_the_worker_from_a_local_feed_server(
    harbor: Harbor, shared_data: Path
) -> None:
    document = shared_data / "feeds/feedparser-tests/wellformed/sanitize"
    body = (document / "large_atom_feed_that_needs_css_sanitisation.xml").read_bytes()
    harbor.server.serve_file("/atom.xml", body, "application/atom+xml")
    source = harbor.source("/atom.xml")

    scheduler.tick("ih-a-0")
    result = run_one()

    assert result is not None
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert result.return_value["outcome"] == "fetched"
    assert "/atom.xml" in [seen.path for seen in harbor.server.log]
    stored = IngestedItem.objects.filter(source=source).count()
    assert stored > 5
    assert result.return_value["new"] == stored
    assert Entry.objects.filter(ingested__source=source).count() == stored
    # Harvested, so no longer due: the next tick enqueues nothing, and nothing is doubled.
    counts = scheduler.tick("ih-a-0")
    assert counts is not None
    assert counts["infoharbor.ingest.tasks.enqueue_due_sources"] == 0
    assert harvests() == [[source.pk]]


def test_a_second_delivery_of_the_same_harvest_harvests_nothing(feed: Any) -> None:
    from infoharbor.ingest import tasks

    tasks.harvest_source.enqueue(feed.pk)
    tasks.harvest_source.enqueue(feed.pk)  # e.g. also asked for by hand
    first, second = run_one(), run_one()

    assert first is not None
    assert second is not None
    assert first.return_value["outcome"] == "fetched"
    assert second.return_value == {"source": feed.pk, "outcome": "not due"}


def test_a_source_switched_off_after_enqueueing_is_not_harvested(harbor: Harbor, feed: Any) -> None:
    scheduler.tick("ih-a-0")
    feed.enabled = False
    feed.save(update_fields=["enabled"])

    result = run_one()

    assert result is not None
    assert result.return_value["outcome"] == "not due"
    assert not harbor.server.log or all(seen.path != "/feed.xml" for seen in harbor.server.log)


def test_entries_left_in_the_search_outbox_are_drained_by_the_worker(feed: Any) -> None:
    PendingIndex.objects.create(entry_id=987654)  # an entry gone: its document is removed

    counts = scheduler.tick("ih-a-0")
    assert counts is not None
    assert counts["infoharbor.search.tasks.enqueue_index_drain"] == 1
    assert scheduler.tick("ih-a-0")["infoharbor.search.tasks.enqueue_index_drain"] == 0  # type: ignore[index]
    while run_one() is not None:
        pass

    assert not PendingIndex.objects.exists()
