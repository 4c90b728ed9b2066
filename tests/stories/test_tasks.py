"""Stories on the worker: enqueued by the scheduler when entries wait, one run at a time."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from infoharbor.stories import services, tasks
from infoharbor.stories.models import StoryMember
from infoharbor.worker import scheduler
from tests.stories.conftest import Outlet, story
from tests.worker.test_tasks import run_one

pytestmark = pytest.mark.django_db(transaction=True)

ASSIGN = "infoharbor.stories.tasks.assign_stories"


def queued() -> int:
    return DBTaskResult.objects.filter(task_path=ASSIGN).count()


def test_the_scheduler_enqueues_one_assignment_while_entries_wait(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    assert tasks.enqueue_story_assignment() == 0  # nothing published yet

    first, second, _third = plain_outlets
    a = first.publish(story("en", 0))
    b = second.publish(story("en", 0))
    counts = scheduler.tick("ih-a-0")
    scheduler.tick("ih-a-0")

    assert counts is not None
    assert counts["infoharbor.stories.tasks.enqueue_story_assignment"] == 1
    assert queued() == 1
    run_one()
    assert (
        StoryMember.objects.get(entry=a).cluster_id == StoryMember.objects.get(entry=b).cluster_id
    )
    assert tasks.enqueue_story_assignment() == 0


def test_an_assignment_finding_another_running_leaves_the_entries_to_it(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    first, _second, _third = plain_outlets
    first.publish(story("en", 1))
    assert scheduler.hold_lease("another-process", name=services.LEASE)

    busy = services.assign_pending()

    assert busy.busy
    assert busy.entries == 0
    assert "another assignment is running" in busy.summary(0.1)
    assert not StoryMember.objects.exists()
    scheduler.release_lease("another-process", name=services.LEASE)
    assert services.assign_pending().entries == 1


def test_the_lease_is_given_back_after_a_run(plain_outlets: tuple[Outlet, Outlet, Outlet]) -> None:
    first, _second, _third = plain_outlets
    first.publish(story("en", 2))
    services.assign_pending()

    assert scheduler.hold_lease("another-process", name=services.LEASE)


def test_followers_of_a_story_get_the_entries_that_join_it(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    from infoharbor.subscriptions.models import Match
    from tests import factories
    from tests.subscriptions.factories import follow

    first, second, third = plain_outlets
    first.publish(story("en", 0))
    second.publish(story("en", 0))
    services.assign_pending()
    cluster = StoryMember.objects.exclude(cluster=None).first()
    assert cluster is not None
    reader = factories.make_user()
    followed = follow(reader, "story", str(cluster.cluster_id))

    later = third.publish(story("en", 0))
    other = third.publish(story("en", 3))
    assert not Match.objects.filter(subscription=followed).exists()  # not in a story yet
    services.assign_pending()

    assert list(Match.objects.filter(subscription=followed).values_list("entry", flat=True)) == [
        later.pk
    ]
    assert StoryMember.objects.get(entry=other).cluster_id != cluster.cluster_id


def test_a_story_that_does_not_exist_cannot_be_followed(db: None) -> None:
    from django.core.exceptions import ValidationError

    from tests import factories
    from tests.subscriptions.factories import follow

    with pytest.raises(ValidationError, match="no such story"):
        follow(factories.make_user(), "story", "999999")
