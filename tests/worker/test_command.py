"""`infoharbor worker`'s options: clear errors for what cannot be run."""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from infoharbor.worker import runner
from tests.worker import jobs


def test_an_unknown_queue_is_refused_with_the_names_of_the_queues() -> None:
    with pytest.raises(CommandError, match=r"No queue named urgent; the queues are alerts"):
        call_command("worker", "--queue", "urgent", "--batch")


def test_without_a_queue_in_the_database_there_is_nothing_to_run(settings: Any) -> None:
    settings.TASKS_BACKEND = "immediate"
    with pytest.raises(CommandError, match="INFOHARBOR_TASKS_BACKEND is 'immediate'"):
        call_command("worker", "--batch")


def test_a_batch_worker_runs_what_is_ready_and_exits(transactional_db: None) -> None:
    jobs.bulk.enqueue("1")
    jobs.alert.enqueue("2")
    out = StringIO()

    call_command("worker", "--batch", "--queue", "bulk,alerts", stdout=out)

    assert "queues alerts, bulk" in out.getvalue()  # most urgent first, whatever the order
    from django_tasks_db.models import DBTaskResult

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_worker_whose_parent_is_gone_stops_by_itself(
    transactional_db: None, settings: Any
) -> None:
    settings.WORKER_LEASE_SECONDS = 1  # heartbeats every 0.33 s
    worker = runner.Worker(parent=-1, with_scheduler=False, handle_signals=False)
    started = time.monotonic()

    worker.run()  # returns: the heartbeat thread saw it is not our parent

    assert time.monotonic() - started < 30
    assert not runner.WorkerProcess.objects.exists()
