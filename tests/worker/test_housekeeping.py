"""Housekeeping: finished task rows and subscription removals do not pile up for ever."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from infoharbor.subscriptions.models import SubscriptionRemoval
from infoharbor.worker import housekeeping, scheduler
from tests.worker import jobs
from tests.worker.test_tasks import run_one

pytestmark = pytest.mark.django_db(transaction=True)


def finished(key: str, days_ago: float, *, fail: bool = False) -> DBTaskResult[Any, Any]:
    (jobs.explode if fail else jobs.routine).enqueue(key)
    result = run_one()
    assert result is not None
    assert result.status == (TaskResultStatus.FAILED if fail else TaskResultStatus.SUCCESSFUL)
    DBTaskResult.objects.filter(pk=result.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return result


def test_old_results_go_failures_stay_longer_and_waiting_tasks_are_never_touched(
    settings: Any,
) -> None:
    settings.TASK_RESULTS_KEEP_DAYS = 7
    settings.TASK_FAILURES_KEEP_DAYS = 30
    old_done = finished("old", 8)
    recent_done = finished("recent", 6)
    old_failure = finished("old-failure", 8, fail=True)
    ancient_failure = finished("ancient-failure", 31, fail=True)
    waiting = jobs.routine.enqueue("waiting")

    assert housekeeping.prune_task_results() == 2

    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert str(old_done.id) not in {str(pk) for pk in left}
    assert str(ancient_failure.id) not in {str(pk) for pk in left}
    assert {str(recent_done.id), str(old_failure.id), str(waiting.id)} == {str(pk) for pk in left}


def test_the_scheduler_prunes_once_an_hour_with_removals(settings: Any) -> None:
    settings.TASK_RESULTS_KEEP_DAYS = 1
    finished("old", 2)
    SubscriptionRemoval.objects.create(
        subscription_id=1, revision=1, removed_at=timezone.now() - dt.timedelta(days=8)
    )
    SubscriptionRemoval.objects.create(subscription_id=2, revision=2)
    housekeeping._last_prune = None

    first = scheduler.tick("ih-a-0")
    second = scheduler.tick("ih-a-0")

    assert first is not None
    assert first["infoharbor.worker.housekeeping.prune"] == 2
    assert second is not None
    assert second["infoharbor.worker.housekeeping.prune"] == 0
    assert list(SubscriptionRemoval.objects.values_list("subscription_id", flat=True)) == [2]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists()
