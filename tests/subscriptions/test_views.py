"""The subscription pages as a reader uses them: follow a search from the search page, see
its conditions in plain words, edit, pause, delete; follow buttons; owners only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infoharbor.search import indexer
from infoharbor.subscriptions import outbox
from infoharbor.subscriptions.models import Match, Subscription
from tests import factories
from tests.subscriptions.factories import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    outbox.process_index.reset()


@pytest.fixture
def reader(client: Client):  # type: ignore[no-untyped-def]
    user = factories.make_user("reader@example.org")
    client.force_login(user)
    return user


def test_anonymous_readers_are_asked_to_sign_in(client: Client) -> None:
    response = client.get("/en/subscriptions/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_follow_this_search_from_the_search_page(client: Client, reader: Any) -> None:
    org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
    factories.make_entry(org, title="Rice export rises", country="VN")
    indexer.drain()
    # Given a search with words and filters
    page = client.get("/en/search/?q=rice+export&country=VN&country=TH&sector=agriculture&page=2")
    body = page.content.decode()
    assert "Follow this search" in body
    assert 'action="/en/subscriptions/new/"' in body
    # When the reader follows it, the next page says what it will match in plain words
    new = client.get(
        "/en/subscriptions/new/?q=rice+export&country=VN&country=TH&sector=agriculture&page=2"
    )
    text = new.content.decode()
    assert "Entries about “rice export”" in text
    assert "from Vietnam or Thailand" in text
    assert "in the sector Agriculture" in text
    params = "q=rice+export&country=VN&country=TH&sector=agriculture"
    assert f'value="{params.replace("&", "&amp;")}"' in text
    # And saving it keeps the page's parameters (not its paging)
    saved = client.post(
        "/en/subscriptions/new/",
        {"name": "Rice", "q": "rice export", "params": params, "frequency": "weekly"},
    )
    assert saved.status_code == 302
    subscription = Subscription.objects.get(owner=reader)
    assert subscription.params == params
    assert subscription.frequency == "weekly"
    listed = client.get("/en/subscriptions/").content.decode()
    assert "Rice" in listed
    assert "from Vietnam or Thailand" in listed


def test_bad_input_gets_the_form_again(client: Client, reader: Any) -> None:
    response = client.post(
        "/en/subscriptions/new/",
        {"name": "", "q": "", "params": "", "frequency": "hourly", "time_zone": "Mars/Base"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is no such time zone." in text
    assert not Subscription.objects.exists()


def test_edit_pause_resume_and_delete(client: Client, reader: Any) -> None:
    subscription = subscribe(reader, "q=rice&country=VN", name="Rice")
    edited = client.post(
        f"/en/subscriptions/{subscription.pk}/",
        {"name": "Rice and maize", "q": "rice OR maize", "frequency": "immediately"},
    )
    assert edited.status_code == 302
    subscription.refresh_from_db()
    assert subscription.params == "q=rice+OR+maize&country=VN"
    assert subscription.name == "Rice and maize"
    client.post(f"/en/subscriptions/{subscription.pk}/pause/", {"paused": "1"})
    subscription.refresh_from_db()
    assert subscription.paused
    assert "paused" in client.get("/en/subscriptions/").content.decode()
    client.post(f"/en/subscriptions/{subscription.pk}/pause/", {"paused": "0"})
    subscription.refresh_from_db()
    assert not subscription.paused
    client.post(f"/en/subscriptions/{subscription.pk}/delete/")
    assert not Subscription.objects.exists()


def test_only_the_owner_sees_and_changes_a_subscription(client: Client, reader: Any) -> None:
    other = factories.make_user("other@example.org")
    theirs = subscribe(other, "q=rice", name="Their rice")
    assert "Their rice" not in client.get("/en/subscriptions/").content.decode()
    assert client.get(f"/en/subscriptions/{theirs.pk}/").status_code == 404
    assert client.post(f"/en/subscriptions/{theirs.pk}/pause/").status_code == 404
    assert client.post(f"/en/subscriptions/{theirs.pk}/delete/").status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk, paused=False).exists()


def test_follow_an_organization_from_its_page(client: Client, reader: Any) -> None:
    org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
    page = client.get(f"/en/organizations/{org.slug}/").content.decode()
    assert "Follow Ministry of Commerce" in page
    client.post(
        "/en/subscriptions/follow/",
        {"target_type": "organization", "target": org.pk, "name": org.name, "next": "/evil"},
    )
    follow = Subscription.objects.get(owner=reader)
    assert (follow.target_type, follow.target, follow.params) == (
        "organization",
        str(org.pk),
        f"organization={org.pk}",
    )
    page = client.get(f"/en/organizations/{org.slug}/").content.decode()
    assert "Stop following Ministry of Commerce" in page
    factories.make_entry(org, title="Port upgrade")
    assert Match.objects.filter(subscription=follow).count() == 1
    assert "published by Ministry of Commerce" in client.get("/en/subscriptions/").content.decode()


def test_follow_a_country_from_its_page(client: Client, reader: Any) -> None:
    page = client.get("/en/countries/vn/").content.decode()
    assert "Follow Vietnam" in page
    response = client.post(
        "/en/subscriptions/follow/",
        {"target_type": "country", "target": "VN", "name": "Vietnam", "next": "/en/countries/vn/"},
    )
    assert response["Location"] == "/en/countries/vn/"
    assert Subscription.objects.get(owner=reader).params == "country=VN"


def test_anonymous_follow_button_is_a_sign_in_link(client: Client) -> None:
    org = factories.make_org("ministry", country="TH", name="Ministry of Commerce")
    page = client.get(f"/en/organizations/{org.slug}/").content.decode()
    assert "Sign in to follow Ministry of Commerce" in page


def test_the_list_page_costs_the_same_queries_for_many_rows(
    client: Client, reader: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        subscribe(reader, f"q=rice{n}&country=VN&sector=agriculture&language=vi", name=f"R{n}")
    with django_assert_max_num_queries(30) as few:
        client.get("/en/subscriptions/")
    for n in range(3, 12):
        subscribe(reader, f"q=rice{n}&country=VN&sector=agriculture&language=vi", name=f"R{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/en/subscriptions/")
