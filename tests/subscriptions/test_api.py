"""/api/v1/subscriptions: list, read, create, change, delete; the owner only; errors as
problems."""

from __future__ import annotations

import pytest
from django.test import Client

from infoharbor.accounts.choices import TokenScope
from infoharbor.core.models import AuditEvent
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.models import Match, Subscription
from tests import factories
from tests.api.conftest import Api, error_fields, issue, problem
from tests.subscriptions.factories import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    outbox.process_index.reset()


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


def test_save_a_search_and_get_its_matches(api: Api) -> None:
    reader = factories.make_user(preferred_language="th", time_zone="Asia/Bangkok")
    token = issue(reader)
    response = api.post(
        "subscriptions",
        {"name": "Rice", "params": "q=rice+export&country=VN&country=TH&page=2"},
        token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/subscriptions/{body['id']}")
    assert body["params"] == "q=rice+export&country=VN&country=TH"
    assert body["conditions"] == ["Entries about “rice export”", "from Vietnam or Thailand"]
    assert (body["language"], body["time_zone"], body["frequency"]) == (
        "th",
        "Asia/Bangkok",
        "daily",
    )
    assert AuditEvent.objects.filter(action="subscription.create", via="api").exists()
    org = factories.make_org("ministry", country="TH")
    factories.make_entry(org, title="Rice export rises", country="TH")
    assert Match.objects.filter(subscription_id=body["id"]).count() == 1


def test_follow_an_organization(api: Api) -> None:
    reader = factories.make_user()
    org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
    response = api.post(
        "subscriptions",
        {"name": "Ministry", "kind": "follow", "target_type": "organization", "target": org.slug},
        issue(reader),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target"], body["params"]) == (str(org.pk), f"organization={org.pk}")
    assert body["conditions"] == ["All entries", "published by Ministry of Commerce"]


def test_list_read_change_and_delete_own(api: Api) -> None:
    reader = factories.make_user()
    token = issue(reader)
    for name in ("b", "a", "c"):
        subscribe(reader, f"q={name}word", name=name)
    listed = api.get("subscriptions", token, limit=2)
    assert [item["name"] for item in listed.json()["items"]] == ["a", "b"]
    following = api.client.get(listed.json()["next"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [item["name"] for item in following.json()["items"]] == ["c"]
    pk = Subscription.objects.get(name="a").pk
    assert api.get(f"subscriptions/{pk}", token).json()["name"] == "a"
    changed = api.patch(f"subscriptions/{pk}", {"paused": True, "frequency": "weekly"}, token)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["paused"], changed.json()["frequency"]) == (True, "weekly")
    assert changed.json()["name"] == "a"
    deleted = api.client.delete(
        Api.url(f"subscriptions/{pk}"), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert deleted.status_code == 200
    assert deleted.json()["name"] == "a"
    assert not Subscription.objects.filter(pk=pk).exists()


def test_someone_elses_subscription_is_not_found(api: Api) -> None:
    owner = factories.make_user()
    theirs = subscribe(owner, "q=rice", name="theirs")
    other = issue(factories.make_user())
    assert api.get("subscriptions", other).json()["items"] == []
    problem(api.get(f"subscriptions/{theirs.pk}", other), 404, "not_found")
    problem(api.patch(f"subscriptions/{theirs.pk}", {"paused": True}, other), 404, "not_found")
    deleted = api.client.delete(
        Api.url(f"subscriptions/{theirs.pk}"), HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    problem(deleted, 404, "not_found")
    assert Subscription.objects.filter(pk=theirs.pk, paused=False).exists()


def test_tokens_are_required_and_writes_need_the_write_scope(api: Api) -> None:
    reader = factories.make_user()
    problem(api.get("subscriptions"), 401, "not_authenticated")
    response = api.post(
        "subscriptions", {"name": "x", "params": "q=x"}, issue(reader, TokenScope.READ)
    )
    problem(response, 403, "insufficient_scope")


def test_bad_input_is_a_problem_field_by_field(api: Api) -> None:
    token = issue(factories.make_user())
    response = api.post(
        "subscriptions",
        {"name": "x", "params": "q=rice&published_from=yesterday", "time_zone": "Mars/Base"},
        token,
    )
    body = problem(response, 422, "validation_error")
    assert error_fields(body) == {"params", "time_zone"}
    response = api.post(
        "subscriptions",
        {"name": "x", "kind": "follow", "target_type": "sector", "target": "no"},
        token,
    )
    assert error_fields(problem(response, 422, "validation_error")) == {"target"}
    problem(
        api.post("subscriptions", {"name": "x", "frequency": "hourly"}, token),
        422,
        "validation_error",
    )


def test_the_feed_addresses_are_given_and_can_be_replaced(api: Api, client: Client) -> None:
    reader = factories.make_user()
    token = issue(reader)
    body = api.post("subscriptions", {"name": "Rice", "params": "q=rice"}, token).json()
    feeds = body["feeds"]
    assert set(feeds) == {"atom", "json_feed"}
    assert feeds["atom"].startswith("http://testserver/feeds/subscriptions/")
    assert feeds["atom"].endswith(".atom")
    assert feeds["json_feed"] == feeds["atom"].removesuffix(".atom") + ".json"
    assert client.get(feeds["json_feed"]).status_code == 200

    renewed = api.post(f"subscriptions/{body['id']}/feed-address", {}, token)

    assert renewed.status_code == 200, renewed.content
    new = renewed.json()["feeds"]
    assert new["atom"] != feeds["atom"]
    assert client.get(feeds["json_feed"]).status_code == 404
    assert client.get(new["json_feed"]).status_code == 200
    listed = api.get("subscriptions", token).json()["items"]
    assert listed[0]["feeds"] == new
    assert AuditEvent.objects.filter(action="subscription.feed_token", via="api").exists()
