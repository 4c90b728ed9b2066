"""/api/v1/stories: list and detail, visibility, filters, pagination and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.accounts.tokens import TokenScope
from infoharbor.core.choices import Visibility
from infoharbor.core.models import Entry
from infoharbor.stories import services
from infoharbor.stories.models import StoryMember
from tests import factories
from tests.api.conftest import Api, ids, issue, problem
from tests.stories.conftest import Outlet, story

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


def cluster_of(entry: Entry) -> int:
    cluster_id = StoryMember.objects.get(entry=entry).cluster_id
    assert cluster_id is not None
    return cluster_id


@pytest.fixture
def published(plain_outlets: tuple[Outlet, Outlet, Outlet]) -> dict[str, Entry]:
    """Story 0 in Thai by two outlets (one copy members-only), story 1 in English five times
    within five hours (trending), story 2 alone, members-only."""
    first, second, third = plain_outlets
    now = timezone.now()
    entries = {
        "thai": first.publish(
            story("th", 0), title="ข่าว", language="th", at=now - dt.timedelta(days=2)
        ),
        "thai-copy": second.publish(
            story("th", 0)[::-1],
            title="ข่าวซ้ำ",
            language="th",
            at=now - dt.timedelta(days=2) + dt.timedelta(hours=1),
        ),
        "thai-private": third.publish(
            story("th", 0),
            title="ข่าวสมาชิก",
            language="th",
            at=now - dt.timedelta(days=1),
            visibility=Visibility.MEMBERS,
        ),
        "alone": third.publish(
            story("en", 2), title="Alone", at=now, visibility=Visibility.MEMBERS
        ),
    }
    for n in range(5):
        entries[f"hot{n}"] = plain_outlets[n % 3].publish(
            story("en", 1), title=f"Hot {n}", at=now - dt.timedelta(hours=n)
        )
    services.assign_pending()
    return entries


def test_the_list_shows_visible_stories_latest_first(api: Api, published: dict[str, Entry]) -> None:
    response = api.get("stories")

    assert ids(response) == [cluster_of(published["hot0"]), cluster_of(published["thai"])]
    hot, thai = response.json()["items"]
    assert hot["trending"] is True
    assert hot["trending_since"] is not None
    assert (hot["size"], hot["sources"], hot["languages"]) == (5, 3, ["en"])
    assert hot["title"] == "Hot 4"  # the first entry's
    assert hot["url"] == f"http://testserver/en/stories/{hot['id']}/"
    assert (thai["size"], thai["countries"], thai["title_language"]) == (2, ["TH", "ID"], "th")
    assert thai["trending"] is False
    assert response.json()["next"] is None


def test_a_token_shows_what_its_person_may_read(api: Api, published: dict[str, Entry]) -> None:
    token = issue(factories.make_user("reader@example.org"), TokenScope.READ)

    response = api.get("stories", token)

    assert cluster_of(published["alone"]) in ids(response)
    thai = next(i for i in response.json()["items"] if i["id"] == cluster_of(published["thai"]))
    assert thai["size"] == 3


def test_the_detail_lists_the_entries_oldest_first(api: Api, published: dict[str, Entry]) -> None:
    response = api.get(f"stories/{cluster_of(published['thai'])}")

    assert response.status_code == 200
    body = response.json()
    assert [e["id"] for e in body["entries"]] == [published["thai"].pk, published["thai-copy"].pk]
    first = body["entries"][0]
    assert first["organization"] == {"slug": "harbor-daily", "name": "Harbor Daily"}
    assert (first["language"], first["country"]) == ("th", "TH")
    assert first["api_url"] == f"http://testserver/api/v1/entries/{published['thai'].pk}"
    assert api.get(first["api_url"]).status_code == 200


def test_filters(api: Api, published: dict[str, Entry]) -> None:
    hot, thai = cluster_of(published["hot0"]), cluster_of(published["thai"])
    assert ids(api.get("stories", trending="true")) == [hot]
    assert ids(api.get("stories", trending="false")) == [thai]
    assert ids(api.get("stories", language="th")) == [thai]
    assert ids(api.get("stories", country="id")) == [hot, thai]
    assert ids(api.get("stories", country="vn")) == [hot]  # its copies by the third outlet


def test_pages_follow_the_cursor(api: Api, published: dict[str, Entry]) -> None:
    first = api.get("stories", limit=1)
    second = api.get(first.json()["next"])

    assert ids(first) + ids(second) == ids(api.get("stories"))
    assert second.json()["next"] is None


def test_hidden_unknown_and_bad_requests_are_problems(
    api: Api, published: dict[str, Entry]
) -> None:
    problem(api.get(f"stories/{cluster_of(published['alone'])}"), 404, "not_found")
    problem(api.get("stories/999999"), 404, "not_found")
    problem(api.get("stories/abc"), 422, "validation_error")
    problem(api.get("stories", cursor="not-a-cursor"), 422, "validation_error")
    problem(api.get("stories", country="Thailand"), 422, "validation_error")
    problem(api.get("stories", limit=0), 422, "validation_error")


def test_the_list_costs_a_fixed_number_of_queries(
    api: Api,
    plain_outlets: tuple[Outlet, Outlet, Outlet],
    django_assert_num_queries: object,
) -> None:
    for number in range(4):
        for outlet in plain_outlets[:2]:
            outlet.publish(story("en", number))
    services.assign_pending()
    # The page of stories, then their entries.
    with django_assert_num_queries(2):  # type: ignore[operator]
        assert len(ids(api.get("stories"))) == 4
