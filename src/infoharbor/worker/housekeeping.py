"""Keeping the harbor's own bookkeeping small: what the scheduler deletes once it has served.

Every task leaves a row in the queue's table (``django_tasks_db``) and every deleted
subscription a :class:`~infoharbor.subscriptions.models.SubscriptionRemoval`; without pruning
both grow for ever. The scheduler calls :func:`prune` at every tick; it does its deletes at
most once an hour per process (a delete is cheap, but the task table has no index on
``finished_at``, and once an hour is plenty for rows kept for days).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

PRUNE_EVERY_SECONDS = 3600.0

_last_prune: float | None = None
_lock = threading.Lock()


def prune_task_results(now: dt.datetime | None = None) -> int:
    """Delete finished task results past their keeping time; failures are kept longer,
    since they are what an operator comes to read. Returns how many rows went."""
    now = now or timezone.now()
    keep_done = dt.timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    keep_failed = dt.timedelta(days=settings.TASK_FAILURES_KEEP_DAYS)
    done, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - keep_done
    ).delete()
    failed, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - keep_failed
    ).delete()
    return done + failed


def prune(now: dt.datetime | None = None, *, force: bool = False) -> int:
    """The scheduler's housekeeping: old task results and subscription removals."""
    from infoharbor.subscriptions.outbox import prune_removals

    global _last_prune
    with _lock:
        moment = time.monotonic()
        if not force and _last_prune is not None and moment - _last_prune < PRUNE_EVERY_SECONDS:
            return 0
        _last_prune = moment
    return prune_task_results(now) + prune_removals(now)
