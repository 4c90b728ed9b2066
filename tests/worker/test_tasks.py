"""The task wrapper and the worker's claim order, in the test process, on the test database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult

from infoharbor.core.tasks import (
    BY_URGENCY,
    Queue,
    enqueue_durably,
    enqueue_on_commit,
    enqueue_unless_waiting,
)
from infoharbor.worker import runner
from tests.worker import jobs

pytestmark = pytest.mark.django_db


def run_one(worker: str = "ih-test-1", queues: Any = BY_URGENCY) -> DBTaskResult[Any, Any] | None:
    """Claim and run the next task as a worker thread does; the claimed row, refreshed."""
    result = runner.claim_next(worker, queues)
    if result is None:
        return None
    LibraryWorker(
        queue_names=list(queues), interval=0, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=worker, excluded_queue_names=[],
    ).run_task(result)  # fmt: skip
    result.refresh_from_db()
    return result


def fails_after(step: Callable[[], object]) -> None:
    """Run ``step`` in a transaction that then fails and is rolled back."""

    def change() -> None:
        with transaction.atomic():
            step()
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError, match="the change fails"):
        change()


def test_a_task_enqueued_on_commit_waits_for_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(jobs.routine, "a")
        # Not in the queue while the transaction is open: the worker must not see it yet.
        assert not DBTaskResult.objects.exists()

    (row,) = DBTaskResult.objects.all()
    assert row.task_path == "tests.worker.jobs.routine"
    assert row.args_kwargs == {"args": ["a"], "kwargs": {}}
    assert row.queue_name == "default"
    assert row.status == TaskResultStatus.READY


def test_a_task_enqueued_in_a_rolled_back_transaction_is_never_enqueued(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fails_after(lambda: enqueue_on_commit(jobs.routine, "lost"))

    assert callbacks == []
    assert not DBTaskResult.objects.exists()


def test_a_durable_enqueue_commits_and_rolls_back_with_the_change() -> None:
    with transaction.atomic():
        enqueue_durably(jobs.alert, "kept")
    fails_after(lambda: enqueue_durably(jobs.alert, "dropped"))

    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.all()] == [["kept"]]


def test_a_durable_enqueue_outside_a_transaction_is_refused(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        enqueue_durably(jobs.alert, "x")


@pytest.mark.parametrize("bad", [object(), 1.5, True, None, {"id": 1}])
def test_tasks_take_ids_not_objects(bad: Any) -> None:
    with pytest.raises(TypeError, match="tasks take ids"):
        enqueue_on_commit(jobs.routine, bad)


def test_alerts_are_run_before_routine_work_and_bulk_last() -> None:
    jobs.bulk.enqueue("b1")
    jobs.routine.enqueue("r1")
    jobs.bulk.enqueue("b2")
    jobs.alert.enqueue("a1")
    jobs.routine.enqueue("r2")
    jobs.alert.enqueue("a2")

    order = []
    while (result := run_one()) is not None:
        assert result.status == TaskResultStatus.SUCCESSFUL
        order.append(result.return_value)

    assert order == [
        "alert a1", "alert a2", "routine r1", "routine r2", "bulk b1", "bulk b2",
    ]  # fmt: skip


def test_a_worker_on_one_queue_leaves_the_others_alone() -> None:
    jobs.alert.enqueue("a")
    jobs.bulk.enqueue("b")

    result = run_one(queues=[Queue.BULK])

    assert result is not None
    assert result.return_value == "bulk b"
    assert run_one(queues=[Queue.BULK]) is None
    assert DBTaskResult.objects.get(queue_name="alerts").status == TaskResultStatus.READY


def test_a_queue_can_be_chosen_when_enqueueing(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(jobs.routine, "urgent", queue=Queue.ALERTS)
    jobs.routine.enqueue("normal")

    first = run_one()

    assert first is not None
    assert first.return_value == "routine urgent"
    assert first.queue_name == "alerts"


def test_a_failing_task_keeps_its_error_for_operators() -> None:
    jobs.explode.enqueue("unicorns")

    result = run_one()

    assert result is not None
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "builtins.ValueError"
    assert "no such thing as unicorns" in result.traceback
    assert result.worker_ids == ["ih-test-1"]


def test_work_already_waiting_is_not_enqueued_again() -> None:
    assert enqueue_unless_waiting(jobs.routine, "x")
    assert not enqueue_unless_waiting(jobs.routine, "x")
    assert enqueue_unless_waiting(jobs.routine, "y")
    run_one()  # x done
    assert enqueue_unless_waiting(jobs.routine, "x")
    assert DBTaskResult.objects.filter(args_kwargs__args=["x"]).count() == 2


def test_the_tasks_of_a_dead_worker_go_back_to_the_queue_then_fail_for_good(
    settings: Any,
) -> None:
    settings.WORKER_MAX_ATTEMPTS = 2
    jobs.routine.enqueue("k")
    # Claimed by a worker process that never reported (or stopped reporting): dead.
    assert runner.claim_next("ih-gone1-1", BY_URGENCY) is not None

    assert runner.recover() == 1
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY

    assert runner.claim_next("ih-gone2-1", BY_URGENCY) is not None
    assert runner.recover() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "infoharbor.worker.runner.WorkerLost"
    assert "2 times" in row.traceback


def test_the_tasks_of_a_live_worker_or_of_another_library_are_left_alone() -> None:
    worker = runner.Worker()
    worker.heartbeat()
    jobs.routine.enqueue("mine")
    jobs.routine.enqueue("theirs")
    assert runner.claim_next(runner.worker_id(worker.token, 1), BY_URGENCY) is not None
    assert runner.claim_next("db-worker-of-someone-else", BY_URGENCY) is not None

    assert runner.recover() == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 2


def test_workers_running_side_by_side_run_each_task_once(transactional_db: None) -> None:
    # Committed rows and several connections, as several workers have (on PostgreSQL the
    # claims use SKIP LOCKED; on SQLite an exclusive transaction).
    for n in range(24):
        (jobs.alert if n % 3 == 0 else jobs.bulk).enqueue(str(n))

    runner.Worker(concurrency=3, batch=True, with_scheduler=False, handle_signals=False).run()

    rows = list(DBTaskResult.objects.all())
    assert len(rows) == 24
    assert all(row.status == TaskResultStatus.SUCCESSFUL for row in rows)
    assert all(len(row.worker_ids) == 1 for row in rows)
    assert sorted(int(row.return_value.split()[-1]) for row in rows) == list(range(24))
    assert not runner.WorkerProcess.objects.exists()  # the process row goes with the worker
