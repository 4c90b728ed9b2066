"""The one thin wrapper around the task queue (Django's tasks framework, DEP 14).

Apps declare their background work with :func:`task` and a :class:`Queue`, and hand it to the
worker with :func:`enqueue_on_commit` (or :func:`enqueue_durably` where losing the work is not
an option). The queue is the library's ``django_tasks_db`` table in the harbor's own database,
run by ``infoharbor worker`` (:mod:`infoharbor.worker`); see docs/operator/worker.md.

The rules every task keeps:

- it takes ids (whole numbers or short strings), never model instances, and reads what it
  needs when it runs;
- it is idempotent: running it twice, or again after a worker died half-way, leaves the same
  result as running it once (a killed worker's task is started again);
- it is enqueued after the transaction that made it necessary commits, so the worker never
  looks for rows that are not there yet, and a rolled-back change enqueues nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django_tasks import TaskResult, TaskResultStatus, task_backends
from django_tasks import task as _library_task
from django_tasks.base import Task

P = ParamSpec("P")
T = TypeVar("T")

TaskId = int | str


class Queue(enum.StrEnum):
    """Queues by urgency: a worker always takes an alert before a re-index."""

    ALERTS = "alerts"
    DEFAULT = "default"
    BULK = "bulk"


# Most urgent first; the worker serves its queues in this order.
BY_URGENCY: tuple[Queue, ...] = (Queue.ALERTS, Queue.DEFAULT, Queue.BULK)
# The library orders tasks by priority: a queue's urgency is its tasks' priority too, so a
# worker on several queues (or the library's own ``db_worker``) also takes alerts first.
PRIORITY: dict[Queue, int] = {Queue.ALERTS: 50, Queue.DEFAULT: 0, Queue.BULK: -50}
WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def task(queue: Queue = Queue.DEFAULT) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Declare a background task on ``queue`` (a module-level function taking ids)."""

    def declare(function: Callable[P, T]) -> Task[P, T]:
        return _library_task(queue_name=queue.value, priority=PRIORITY[queue])(function)

    return declare


def _on(task: Task[P, T], queue: Queue | None) -> Task[P, T]:
    if queue is None:
        return task
    return task.using(queue_name=Queue(queue).value, priority=PRIORITY[Queue(queue)])


def _checked(ids: tuple[Any, ...]) -> tuple[TaskId, ...]:
    for value in ids:
        # bool is an int, but never an id.
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(
                f"tasks take ids (int or str), not {type(value).__name__}: pass the object's pk"
            )
    return ids


def enqueue_on_commit(
    task: Task[..., Any], *ids: TaskId, queue: Queue | None = None, using: str | None = None
) -> None:
    """Enqueue ``task(*ids)`` once the current transaction commits (at once outside one).

    A rolled-back transaction enqueues nothing. The enqueue itself happens after the commit,
    so a process killed in between loses it: for work that must not be lost (alert fan-out),
    use :func:`enqueue_durably`.
    """
    chosen = _on(task, queue)
    arguments = _checked(ids)
    transaction.on_commit(lambda: chosen.enqueue(*arguments), using=using)


def enqueue_durably(
    task: Task[..., Any], *ids: TaskId, queue: Queue | None = None
) -> TaskResult[Any] | None:
    """Write the task into the queue inside the current transaction (an outbox row).

    With the database backend the task row commits or rolls back together with the change
    that needs it, so no crash can separate them. Other backends (``immediate``) cannot take
    part in the transaction; there the task is enqueued on commit and None is returned.
    """
    chosen = _on(task, queue)
    arguments = _checked(ids)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_durably() belongs inside the transaction it goes with")
    if _database_backend(chosen):
        return chosen.enqueue(*arguments)
    transaction.on_commit(lambda: chosen.enqueue(*arguments))
    return None


def _database_backend(task: Task[..., Any]) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[task.backend], DatabaseBackend)


def waiting_ids(task: Task[..., Any]) -> set[tuple[Any, ...]]:
    """The argument tuples of ``task`` that are queued or running now (database backend).

    For callers that enqueue on a schedule: work already waiting is not enqueued again.
    """
    if not _database_backend(task):
        return set()
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path=task.module_path, status__in=WAITING, backend_name=task.backend
    ).values_list("args_kwargs", flat=True)
    return {tuple(row["args"]) for row in rows}


def enqueue_unless_waiting(task: Task[..., Any], *ids: TaskId) -> bool:
    """Enqueue ``task(*ids)`` now unless the same call is already queued or running."""
    arguments = _checked(ids)
    if arguments in waiting_ids(task):
        return False
    task.enqueue(*arguments)
    return True
