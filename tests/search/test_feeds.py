"""Atom and JSON Feed of searches and subscriptions, fetched as a feed reader would."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import feedparser
import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone

from infoharbor.core.choices import Visibility
from infoharbor.core.models import Entry
from infoharbor.search import indexer
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.models import Subscription
from tests import factories
from tests.subscriptions.factories import follow, subscribe

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    outbox.process_index.reset()


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return factories.make_org("ministry", country="TH", name="Ministry of Commerce")


def entry(org, **data):  # type: ignore[no-untyped-def]
    made = factories.make_entry(org, **data)
    indexer.drain()
    return made


def assert_valid_atom(body: bytes) -> Any:
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    root = ElementTree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):  # RFC 4287 4.1.1
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    for item in root.findall(f"{ATOM}entry"):  # RFC 4287 4.1.2
        for name in ("id", "title", "updated"):
            assert (item.findtext(f"{ATOM}{name}") or "").strip(), name
        assert item.find(f"{ATOM}link[@rel='alternate']") is not None
        assert item.find(f"{ATOM}author/{ATOM}name") is not None
    return parsed


def assert_valid_json_feed(body: bytes) -> dict[str, Any]:
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"]
    assert isinstance(document["items"], list)
    for item in document["items"]:
        assert item["id"]
        assert item.get("content_text") or item.get("content_html")
    return document


def test_search_atom_feed_lists_what_the_search_finds(client: Client, org: Any) -> None:
    rice = entry(org, title="Rice export rises", summary="Rice to China.")
    entry(org, title="Durian season", summary="Fruit.")
    response = client.get("/en/search/feed.atom?q=rice&page=3&sort=relevance")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    parsed = assert_valid_atom(response.content)
    assert parsed.feed.title == "Search: rice"
    assert [e.title for e in parsed.entries] == ["Rice export rises"]
    item = parsed.entries[0]
    assert item.link == f"http://testserver/en/entries/{rice.pk}/"
    assert item.id == f"tag:testserver,2025:entry:{rice.pk}"
    assert item.author == "Ministry of Commerce"
    assert item.summary == "Rice to China."


def test_search_json_feed(client: Client, org: Any) -> None:
    rice = entry(org, title="Rice export rises")
    response = client.get("/en/search/feed.json?q=rice")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json"
    document = assert_valid_json_feed(response.content)
    assert [item["title"] for item in document["items"]] == ["Rice export rises"]
    assert document["items"][0]["url"] == f"http://testserver/en/entries/{rice.pk}/"
    assert document["items"][0]["authors"][0]["name"] == "Ministry of Commerce"
    assert document["items"][0]["language"] == "en"


def test_feeds_are_newest_first(client: Client, org: Any) -> None:
    old = entry(org, title="Rice one")
    new = entry(org, title="Rice two")
    # Publication dates an hour apart (made in the same instant, they could tie)
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    Entry.objects.filter(pk=old.pk).update(published_at=hour_ago, updated_at=hour_ago)
    indexer.queue([old.pk])
    indexer.drain()
    document = json.loads(client.get("/en/search/feed.json?q=rice").content)
    assert [item["url"].rsplit("/", 2)[-2] for item in document["items"]] == [
        str(new.pk),
        str(old.pk),
    ]


def test_an_empty_feed_is_still_valid(client: Client) -> None:
    assert_valid_atom(client.get("/en/search/feed.atom?q=nothing").content)
    assert_valid_json_feed(client.get("/en/search/feed.json?q=nothing").content)


def test_bad_parameters_are_forgiven(client: Client, org: Any) -> None:
    entry(org, title="Rice export rises")
    for query in (
        "?published_from=yesterday&organization=abc&country=" + "x" * 200,
        "?q=" + "rice " * 1000,
        "?page=-1&sort=nonsense&q=%22unclosed",
    ):
        for fmt in ("atom", "json"):
            assert client.get(f"/en/search/feed.{fmt}{query}").status_code == 200


def test_conditional_get_answers_304(client: Client, org: Any) -> None:
    entry(org, title="Rice export rises")
    first = client.get("/en/search/feed.atom?q=rice")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/en/search/feed.atom?q=rice", HTTP_IF_NONE_MATCH=etag).status_code == 304
    again = client.get("/en/search/feed.atom?q=rice", HTTP_IF_MODIFIED_SINCE=modified)
    assert again.status_code == 304
    entry(org, title="Rice again")
    assert client.get("/en/search/feed.atom?q=rice", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_public_feed_hides_members_only_entries_even_from_members(client: Client, org: Any) -> None:
    member = factories.make_user("member@example.org")
    factories.add_member(member, org)
    entry(org, title="Rice internal note", visibility=Visibility.ORGANIZATION)
    entry(org, title="Rice signed-in note", visibility=Visibility.MEMBERS)
    client.force_login(member)
    document = json.loads(client.get("/en/search/feed.json?q=rice").content)
    assert document["items"] == []


def test_chinese_scripts_and_thai(client: Client, org: Any) -> None:
    traditional = entry(org, language="zh-Hant", title="臺灣捷運系統擴建計畫", country="CN")
    simplified = entry(org, language="zh-Hans", title="机器翻译研究进展", country="CN")
    thai = entry(org, language="th", title="กระทรวงพาณิชย์เปิดตลาดส่งออกทุเรียนไปจีน")

    def found(query: str) -> list[str]:
        parsed = assert_valid_atom(client.get(f"/zh-hans/search/feed.atom?q={query}").content)
        return [e.link.rsplit("/", 2)[-2] for e in parsed.entries]

    assert found("台湾捷运") == [str(traditional.pk)]
    assert found("機器翻譯") == [str(simplified.pk)]
    assert found("ทุเรียน") == [str(thai.pk)]
    parsed = feedparser.parse(client.get("/th/search/feed.atom?q=ทุเรียน").content)
    assert parsed.entries[0].title == "กระทรวงพาณิชย์เปิดตลาดส่งออกทุเรียนไปจีน"


def test_search_page_links_its_feeds(client: Client, org: Any) -> None:
    entry(org, title="Rice export rises")
    body = client.get("/en/search/?q=rice&country=TH&page=2").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Atom feed" '
        'href="/en/search/feed.atom?q=rice&amp;country=TH">'
    ) in body
    assert 'href="/en/search/feed.json?q=rice&amp;country=TH"' in body
    assert ">Atom feed</a>" in body
    assert ">JSON Feed</a>" in body


# --- private feeds of subscriptions ---------------------------------------------------------


@pytest.fixture
def member(org):  # type: ignore[no-untyped-def]
    user = factories.make_user("member@example.org")
    factories.add_member(user, org)
    return user


def test_private_feed_shows_members_only_entries_to_its_owner(
    client: Client, org: Any, member: Any
) -> None:
    # Given a members-only entry of the owner's organization and a public one
    entry(org, title="Rice public note")
    entry(org, title="Rice internal note", visibility=Visibility.ORGANIZATION)
    subscription = subscribe(member, "q=rice", name="Rice watch")
    token = subscription.feed_token
    assert len(token) == 32
    # When a feed reader (not signed in) reads the private feed, it sees both
    response = client.get(f"/feeds/subscriptions/{token}.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "private" in response["Cache-Control"]
    parsed = assert_valid_atom(response.content)
    assert parsed.feed.title == "Rice watch"
    assert sorted(e.title for e in parsed.entries) == ["Rice internal note", "Rice public note"]
    document = assert_valid_json_feed(client.get(f"/feeds/subscriptions/{token}.json").content)
    assert len(document["items"]) == 2
    # And the public feed of the same search does not
    public = json.loads(client.get("/en/search/feed.json?q=rice").content)
    assert [item["title"] for item in public["items"]] == ["Rice public note"]


def test_another_persons_entries_stay_out_of_the_private_feed(client: Client, org: Any) -> None:
    entry(org, title="Rice internal note", visibility=Visibility.ORGANIZATION)
    outsider = subscribe(factories.make_user("outsider@example.org"), "q=rice")
    document = json.loads(client.get(f"/feeds/subscriptions/{outsider.feed_token}.json").content)
    assert document["items"] == []


def test_unknown_token_is_404(client: Client) -> None:
    assert client.get("/feeds/subscriptions/nope.atom").status_code == 404
    assert client.get("/feeds/subscriptions/nope.json").status_code == 404


def test_paused_subscription_still_serves_its_feed(client: Client, org: Any, member: Any) -> None:
    entry(org, title="Rice public note")
    subscription = subscribe(member, "q=rice", paused=True)
    document = json.loads(
        client.get(f"/feeds/subscriptions/{subscription.feed_token}.json").content
    )
    assert [item["title"] for item in document["items"]] == ["Rice public note"]


def test_follow_feed_and_its_public_feed(client: Client, org: Any, member: Any) -> None:
    other = factories.make_org("other", country="VN", name="Other Agency")
    entry(org, title="From the ministry")
    entry(other, title="From the agency")
    followed = follow(member, "organization", str(org.pk), name="Ministry")
    document = json.loads(client.get(f"/feeds/subscriptions/{followed.feed_token}.json").content)
    assert [item["title"] for item in document["items"]] == ["From the ministry"]
    client.force_login(member)
    page = client.get(f"/en/subscriptions/{followed.pk}/").content.decode()
    assert f"http://testserver/feeds/subscriptions/{followed.feed_token}.atom" in page
    assert f'href="/en/search/feed.atom?organization={org.pk}"' in page


def test_new_address_invalidates_the_old_one(client: Client, org: Any, member: Any) -> None:
    subscription = subscribe(member, "q=rice")
    old = subscription.feed_token
    client.force_login(member)
    page = client.get(f"/en/subscriptions/{subscription.pk}/").content.decode()
    assert f"/feeds/subscriptions/{old}.json" in page
    response = client.post(f"/en/subscriptions/{subscription.pk}/feed-address/")
    assert response.status_code == 302
    new = Subscription.objects.get(pk=subscription.pk).feed_token
    assert new != old
    assert client.get(f"/feeds/subscriptions/{old}.atom").status_code == 404
    assert client.get(f"/feeds/subscriptions/{new}.atom").status_code == 200
    assert f"/feeds/subscriptions/{new}.json" in client.get(response["Location"]).content.decode()


def test_only_the_owner_gets_a_new_address(client: Client, member: Any) -> None:
    subscription = subscribe(member, "q=rice")
    client.force_login(factories.make_user("someone@example.org"))
    assert client.post(f"/en/subscriptions/{subscription.pk}/feed-address/").status_code == 404
    assert Subscription.objects.get(pk=subscription.pk).feed_token == subscription.feed_token


def test_private_feed_304(client: Client, org: Any, member: Any) -> None:
    entry(org, title="Rice public note")
    token = subscribe(member, "q=rice").feed_token
    first = client.get(f"/feeds/subscriptions/{token}.json")
    again = client.get(f"/feeds/subscriptions/{token}.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_operators_do_not_see_the_secret(client: Client, member: Any) -> None:
    subscription = subscribe(member, "q=rice")
    client.force_login(factories.make_operator())
    page = client.get(f"/en/operator/subscriptions/subscription/{subscription.pk}/change/")
    assert page.status_code == 200
    assert subscription.feed_token not in page.content.decode()
