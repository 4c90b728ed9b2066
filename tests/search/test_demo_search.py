"""The demo harbor searched in each language of the region, through /api/v1/search and the
search page: what a visitor trying the harbor types, and what they must find."""

from __future__ import annotations

import re
from typing import Any

import burmesenlp
import pytest
from django.core.management import call_command
from django.test import Client

from infoharbor.core.models import Entry
from infoharbor.search import indexer

pytestmark = pytest.mark.django_db

# (query, a words of a demo title that must be among the results, why)
CASES = [
    ("ผู้เดินทาง", "ข้อควรทราบสำหรับผู้เดินทาง", "Thai, a word inside running text"),
    ("自由贸易区", "自由贸易区3.0版", "Simplified Chinese"),
    ("自由貿易區", "自由贸易区3.0版", "Traditional Chinese finds the Simplified entry"),
    ("nong san", "nông sản", "Vietnamese typed without diacritics"),
    ("chuyen doi so", "Chuyển đổi số", "Vietnamese without diacritics, three syllables"),
    ("ពាណិជ្ជកម្ម", "ពាណិជ្ជកម្ម", "Khmer"),
    ("ລະດູຝົນ", "ລະດູຝົນ", "Lao"),
    ("ချိတ်ဆက်မှု", "ချိတ်ဆက်မှု", "Burmese in Unicode"),
    (burmesenlp.uni2zg("ချိတ်ဆက်မှု"), "ချိတ်ဆက်မှု", "Burmese typed in Zawgyi"),
]


@pytest.fixture
def demo(backend: Any) -> None:
    call_command("loaddemo", verbosity=0)
    indexer.reindex()


def test_demo_search_in_the_api_and_the_page(demo: None, client: Client) -> None:
    # One demo harbor for all cases: loading and indexing it is the slow part.
    failures = []
    for query, expected, why in CASES:
        response = client.get("/api/v1/search", {"q": query})
        assert response.status_code == 200
        body = response.json()
        titles = [hit["entry"]["title"] for hit in body["results"]]
        if not any(expected in title for title in titles):
            failures.append((why, query, titles))
            continue
        first = body["results"][0]
        if "<mark>" not in first["title_html"] + first["snippet_html"]:
            failures.append((why, query, "no highlight"))
        page = client.get("/en/search/", {"q": query})
        text = re.sub(r"<[^>]+>", "", page.content.decode())  # marks split the words
        if page.status_code != 200 or expected not in text:
            failures.append((why, query, "search page"))
    assert not failures


def test_every_demo_entry_is_found_by_its_title(demo: None, client: Client) -> None:
    published = Entry.objects.filter(
        status="published", visibility="public", organization__is_demo=True
    )
    missed = []
    for entry in published:
        body = client.get("/api/v1/search", {"q": entry.title, "limit": 10}).json()
        if entry.pk not in [hit["entry"]["id"] for hit in body["results"]]:
            missed.append(entry.title)
    assert not missed
