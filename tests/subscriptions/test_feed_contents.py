"""What a subscription's private feed lists: a followed story's entries, and each entry in
the subscription's language where it has a translation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core import audit, services
from infoharbor.core.models import Language
from infoharbor.core.permissions import Actor
from infoharbor.search import indexer
from infoharbor.stories import services as story_services
from infoharbor.stories.models import StoryMember
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.conditions import describe
from tests import factories
from tests.search.test_feeds import assert_valid_atom, assert_valid_json_feed
from tests.stories.conftest import Outlet, plain_outlets, story
from tests.subscriptions.factories import follow, subscribe

__all__ = ["plain_outlets"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    outbox.process_index.reset()


def test_a_followed_storys_feed_lists_its_entries_newest_first(
    client: Client, plain_outlets: tuple[Outlet, Outlet, Outlet]
) -> None:
    first, second, third = plain_outlets
    now = timezone.now()
    original = first.publish(story("en", 0), title="Floods close the border road", at=now)
    copy = second.publish(
        story("en", 0)[::-1], title="Border road closed by floods", at=now + dt.timedelta(hours=1)
    )
    third.publish(story("en", 1), title="Another story")
    story_services.assign_pending()
    cluster = StoryMember.objects.get(entry=original).cluster_id
    assert StoryMember.objects.get(entry=copy).cluster_id == cluster
    reader = factories.make_user("reader@example.org")
    followed = follow(reader, "story", str(cluster), name="Border floods")

    document = assert_valid_json_feed(
        client.get(f"/feeds/subscriptions/{followed.feed_token}.json").content
    )
    parsed = assert_valid_atom(
        client.get(f"/feeds/subscriptions/{followed.feed_token}.atom").content
    )

    assert [item["title"] for item in document["items"]] == [
        "Border road closed by floods",
        "Floods close the border road",
    ]
    assert [entry.title for entry in parsed.entries] == [
        item["title"] for item in document["items"]
    ]


def test_items_are_in_the_subscriptions_language_where_translated(client: Client) -> None:
    org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
    admin = factories.make_user("admin@example.org")
    factories.add_member(admin, org, role=Role.ADMIN)
    entry = factories.make_entry(org, admin, title="ราคาข้าวส่งออก", language="th", summary="ข้าว")
    services.save_translation(
        actor=Actor.for_user(admin),
        origin=audit.Origin(user=admin, via="test"),
        entry=entry,
        language=Language.objects.get(code="en"),
        title="Rice export prices",
        summary="Rice.",
    )
    factories.make_entry(org, title="ข้าวหอมมะลิ", language="th")
    indexer.drain()
    reader = factories.make_user("reader@example.org")
    watch: Any = subscribe(reader, f"organization={org.pk}", language="en")

    document = json.loads(client.get(f"/feeds/subscriptions/{watch.feed_token}.json").content)
    atom = assert_valid_atom(client.get(f"/feeds/subscriptions/{watch.feed_token}.atom").content)

    items = {item["title"]: item for item in document["items"]}
    assert set(items) == {"Rice export prices", "ข้าวหอมมะลิ"}
    assert items["Rice export prices"]["language"] == "en"
    assert items["Rice export prices"]["summary"] == "Rice."
    assert items["ข้าวหอมมะลิ"]["language"] == "th"
    assert {e.title for e in atom.entries} == set(items)


def test_a_story_follow_is_described_by_the_storys_title(
    plain_outlets: tuple[Outlet, Outlet, Outlet],
) -> None:
    first, _second, third = plain_outlets
    public = first.publish(story("en", 0), title="Floods close the border road")
    private = third.publish(story("en", 1), title="Members' briefing", visibility="members")
    story_services.assign_pending()
    reader = factories.make_user("reader@example.org")
    told = follow(reader, "story", str(StoryMember.objects.get(entry=public).cluster_id))
    hidden = follow(reader, "story", str(StoryMember.objects.get(entry=private).cluster_id))

    assert describe(told.params, told.target_type, told.target) == [
        "Entries of the story “Floods close the border road”"
    ]
    # A title not everyone may read stays out of words that reach feeds and mail.
    assert describe(hidden.params, hidden.target_type, hidden.target) == [
        f"Entries of the story {hidden.target}"
    ]
