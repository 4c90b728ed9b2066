"""The entries list: every filter narrows what readers see, pages hold everything once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.core.models import Entry
from tests import factories
from tests.portal.conftest import Harbor, text

pytestmark = pytest.mark.django_db


def titles(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/en/entries/{query}")
    assert response.status_code == 200
    return re.findall(r'<h3 lang="[^"]*"><a [^>]*>([^<]+)</a>', text(response))


@pytest.fixture
def catalogue(harbor: Harbor) -> dict[str, Entry]:
    vietnam = factories.make_org("moit-vn", country="VN", name="MOIT Vietnam")
    entries = {
        "thai-rice": factories.make_entry(
            harbor.org, harbor.admin, title="Thai rice", sectors=["agriculture"], language="th"
        ),
        "thai-ai": factories.make_entry(
            harbor.org, harbor.admin, title="Thai AI lab", sectors=["ai"], tags=["robots"]
        ),
        "vn-policy": factories.make_entry(
            vietnam,
            country="VN",
            language="vi",
            title="Vietnam tariff decree",
            kind="information.policy",
            details={"policy_type": "decree"},
        ),
    }
    old = timezone.now() - dt.timedelta(days=400)
    Entry.objects.filter(pk=entries["vn-policy"].pk).update(published_at=old)
    return entries


def test_list_shows_all_published_entries_newest_first(
    client: Client, catalogue: dict[str, Entry]
) -> None:
    assert titles(client) == ["Thai AI lab", "Thai rice", "Vietnam tariff decree"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=VN", ["Vietnam tariff decree"]),
        ("?country=TH", ["Thai AI lab", "Thai rice"]),
        ("?sector=agriculture", ["Thai rice"]),
        ("?sector=science-technology", ["Thai AI lab"]),  # the parent finds its children
        ("?language=vi", ["Vietnam tariff decree"]),
        ("?kind=information-policy", ["Vietnam tariff decree"]),
        ("?organization=moit-vn", ["Vietnam tariff decree"]),
        ("?country=TH&language=th", ["Thai rice"]),
    ],
)
def test_each_filter_narrows_the_list(
    client: Client, catalogue: dict[str, Entry], query: str, expected: list[str]
) -> None:
    assert titles(client, query) == expected


def test_date_filters(client: Client, catalogue: dict[str, Entry]) -> None:
    today = timezone.localdate()
    recent = (today - dt.timedelta(days=30)).isoformat()
    assert titles(client, f"?date_from={recent}") == ["Thai AI lab", "Thai rice"]
    assert titles(client, f"?date_to={recent}") == ["Vietnam tariff decree"]


def test_invalid_filters_are_explained_not_fatal(
    client: Client, catalogue: dict[str, Entry]
) -> None:
    response = client.get("/en/entries/?date_from=2026-05-01&date_to=2026-01-01&country=XX")
    assert response.status_code == 200
    html = text(response)
    assert "The end date is before the start date." in html
    assert 'class="errorlist' in html


def test_pages_hold_every_entry_exactly_once(client: Client, harbor: Harbor) -> None:
    for number in range(45):
        factories.make_entry(harbor.org, harbor.admin, title=f"Notice {number:02d}")
    seen: list[str] = []
    for page in (1, 2, 3):
        seen += titles(client, f"?page={page}")
    assert sorted(seen) == [f"Notice {number:02d}" for number in range(45)]
    assert titles(client, "?page=99") == titles(client, "?page=3")  # out of range: last page
    assert "?page=2" in text(client.get("/en/entries/"))  # a plain link to the next page
