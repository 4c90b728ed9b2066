"""Operators see the harbor's background work in the operator site, and can run a failed
task again."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from infoharbor.core.models import AuditEvent
from infoharbor.worker import runner
from tests import factories
from tests.worker import jobs
from tests.worker.test_tasks import run_one

pytestmark = pytest.mark.django_db

TASKS = "/en/operator/django_tasks_database/dbtaskresult/"


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(factories.make_operator())
    return client


def test_the_task_list_shows_state_attempts_and_the_last_error(operator_client: Client) -> None:
    jobs.explode.enqueue("unicorns")
    run_one()
    jobs.routine.enqueue("waiting")

    response = operator_client.get(TASKS)

    assert response.status_code == 200
    page = response.content.decode()
    assert "jobs.explode" in page
    assert "ValueError: no such thing as unicorns" in page
    assert "unicorns" in page
    assert "jobs.routine" in page
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    detail = operator_client.get(f"{TASKS}{failed.pk}/change/")
    assert detail.status_code == 200
    assert "no such thing as unicorns" in detail.content.decode()


def test_a_failed_task_can_be_run_again(operator_client: Client) -> None:
    jobs.explode.enqueue("again")
    run_one()
    failed = DBTaskResult.objects.get()

    response = operator_client.post(
        TASKS, {"action": "run_again", "_selected_action": [str(failed.pk)]}, follow=True
    )

    assert response.status_code == 200
    assert "1 failed task enqueued again." in response.content.decode()
    retry = DBTaskResult.objects.exclude(pk=failed.pk).get()
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs["args"] == ["again"]
    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.FAILED  # the record of the failure stays
    event = AuditEvent.objects.get(action="task.run_again")
    assert event.target_id == str(failed.pk)
    assert event.actor is not None


def test_running_workers_are_listed(operator_client: Client) -> None:
    worker = runner.Worker()
    worker.heartbeat()

    response = operator_client.get("/en/operator/worker/workerprocess/")

    assert response.status_code == 200
    assert worker.token in response.content.decode()


def test_a_failed_task_whose_code_is_gone_is_not_run_again(operator_client: Client) -> None:
    jobs.explode.enqueue("x")
    run_one()
    failed = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=failed.pk).update(task_path="tests.worker.jobs.removed")

    response = operator_client.post(
        TASKS, {"action": "run_again", "_selected_action": [str(failed.pk)]}, follow=True
    )

    assert response.status_code == 200
    assert "is not a task of this harbor any more" in response.content.decode()
    assert DBTaskResult.objects.count() == 1
