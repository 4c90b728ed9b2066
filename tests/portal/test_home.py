"""The home page: the five platforms, honest about the closed ones; the country switcher."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.core.models import Entry
from infoharbor.core.platforms import PLATFORMS
from tests import factories
from tests.portal.conftest import Harbor, text

pytestmark = pytest.mark.django_db


def test_home_shows_every_platform_and_says_which_are_not_open(client: Client) -> None:
    page = text(client.get("/en/"))
    for platform in PLATFORMS:
        assert str(platform.name).replace("&", "&amp;") in page
    # Only the information platform has kinds so far; the other four say so.
    assert page.count("This platform is not open yet") == 4


def test_home_lists_latest_live_entries_of_the_open_platform(
    client: Client, harbor: Harbor
) -> None:
    factories.make_entry(harbor.org, harbor.admin, title="Durian export figures")
    factories.make_entry(
        harbor.org,
        harbor.admin,
        title="Old notice",
        expires_at=timezone.now() + dt.timedelta(minutes=1),
    )
    Entry.objects.filter(title="Old notice").update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    page = text(client.get("/en/"))
    assert "Durian export figures" in page
    assert "Old notice" not in page


def test_country_switcher_filters_the_home_entries(client: Client) -> None:
    thai = factories.make_org("thai-org", country="TH")
    vietnamese = factories.make_org("vn-org", country="VN")
    factories.make_entry(thai, title="From Bangkok", country="TH")
    factories.make_entry(vietnamese, title="From Hanoi", country="VN")
    page = text(client.get("/en/?country=VN"))
    assert "From Hanoi" in page
    assert "From Bangkok" not in page
    assert '<option value="VN" selected>' in page
    # Lower case works too; a country outside the region is ignored, not an error.
    assert "From Hanoi" in text(client.get("/en/?country=vn"))
    page = text(client.get("/en/?country=DE"))
    assert "From Hanoi" in page
    assert "From Bangkok" in page


def test_country_switcher_offers_the_twelve_region_members_and_links_them(
    client: Client,
) -> None:
    page = text(client.get("/en/"))
    switcher = page.split('name="country"', 1)[1].split("</select>", 1)[0]
    assert switcher.count("<option") == 13  # "All countries" and the twelve
    for iso2 in ["bn", "cn", "id", "kh", "la", "mm", "my", "ph", "sg", "th", "tl", "vn"]:
        assert f'href="/en/countries/{iso2}/"' in page


def test_demo_entries_carry_a_demo_badge(client: Client) -> None:
    demo = factories.make_org("demo-org", is_demo=True)
    factories.make_entry(demo, title="A sample entry")
    page = text(client.get("/en/"))
    assert "A sample entry" in page
    assert 'class="badge demo"' in page


def test_home_query_count_does_not_grow_with_entries(
    client: Client, harbor: Harbor, django_assert_num_queries: object
) -> None:
    for number in range(3):
        factories.make_entry(harbor.org, harbor.admin, title=f"First {number}")
    # Region countries, the open platform's entries, their translations, trending stories
    # (none here: tests/stories pins the count with some).
    with django_assert_num_queries(4):  # type: ignore[operator]
        client.get("/en/")
    for number in range(22):
        factories.make_entry(harbor.org, harbor.admin, title=f"More {number}")
    with django_assert_num_queries(4):  # type: ignore[operator]
        client.get("/en/")
