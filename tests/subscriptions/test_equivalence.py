"""A subscription matches an entry exactly when the search page, with the same query and
filters, lists it: checked against the embedded search backend on the demo harbor (40 entries
in ten languages) for generated and hand-written queries, with and without filters."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from infoharbor.core.models import Entry
from infoharbor.search import documents, indexer
from infoharbor.search.backends import get_backend
from infoharbor.search.backends.base import Filters, SearchRequest, Viewer
from infoharbor.search.service import parse_query
from infoharbor.subscriptions import matching

pytestmark = pytest.mark.django_db

TYPED = [
    "RCEP",
    "rcep -malaysia",
    "RCEP OR ACFTA",
    '"rules of origin"',
    "rules origin",
    "nong san",
    "chuyen doi so",
    "Chuyển đổi số",
    "自由貿易區",
    "自由贸易区",
    "东盟",
    "中国 东盟",
    "ผู้เดินทาง",
    "ลาว OR ไทย",
    "ពាណិជ្ជកម្ម",
    "ລະດູຝົນ",
    "ချိတ်ဆက်မှု",
    "Vietnam",
    "Việt Nam",
    "Thailand",
    "Malaysia",
    "China",
    "digital*",
    "semi*",
    "dig* -digital",
    "-RCEP",
    "NOT ASEAN",
    "(RCEP OR ACFTA) Malaysia",
    "ASEAN OR 东盟 OR อาเซียน",
    "trade",
    "data pribadi",
    "pelindungan",
    "lindung",
    "youth exchange programmes",
    "what is the ASEAN digital economy framework agreement for SMEs",
    '"ASEAN Digital"',
    "bagyo",
    "北京",
    "铁路",
    "Expo",
    "2026",
]
FILTERS = [
    Filters(),
    Filters(country=("TH",)),
    Filters(country=("VN", "TH")),
    Filters(language=("en", "ms")),
    Filters(sector=("trade-ecommerce",)),
    Filters(sector=("agriculture", "big-data"), country=("MY", "ID", "VN")),
    Filters(kind=("information.policy",)),
    Filters(platform=("information",), language=("zh-Hans",)),
]


def _generated(rng: random.Random, facts: list[matching.EntryFacts]) -> list[str]:
    """Queries made of the entries' own words: words, pairs, phrases, OR, NOT, prefixes."""
    queries = []
    for _ in range(120):
        entry = rng.choice(facts)
        words = [w for w in entry.title if len(w) > 1] or list(entry.title)
        other = rng.choice(facts)
        other_words = [w for w in other.title if len(w) > 1] or list(other.title)
        a, b = rng.choice(words), rng.choice(other_words)
        shape = rng.randrange(7)
        if shape == 0:
            queries.append(a)
        elif shape == 1:
            queries.append(f"{a} {rng.choice(words)}")
        elif shape == 2 and len(entry.title) > 2:
            at = rng.randrange(len(entry.title) - 1)
            queries.append(f'"{entry.title[at]} {entry.title[at + 1]}"')
        elif shape == 3:
            queries.append(f"{a} OR {b}")
        elif shape == 4:
            queries.append(f"{a} -{b}")
        elif shape == 5 and len(a) > 3:
            queries.append(f"{a[:3]}*")
        else:
            queries.append(f"({a} OR {b}) {rng.choice(words)}")
    return queries


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> list[matching.EntryFacts]:
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_PATH = tmp_path / "search"
    call_command("loaddemo", verbosity=0)
    indexer.reindex()
    built, _removed = documents.build(Entry.objects.values_list("pk", flat=True))
    return [matching.EntryFacts.of(document) for document in built]


def test_matching_equals_the_search_on_the_demo_harbor(demo: list[matching.EntryFacts]) -> None:
    backend = get_backend()
    now = timezone.now()
    queries = TYPED + _generated(random.Random(5), demo)  # noqa: S311 - reproducible
    index = matching.MatchIndex()
    cases: dict[int, tuple[str, Filters]] = {}
    for text in queries:
        for filters in FILTERS:
            pk = len(cases) + 1
            cases[pk] = (text, filters)
            parsed = parse_query(text)
            index.add(matching.compile_subscription(pk, 1, parsed.root, matching.Scope.of(filters)))
    matched: dict[int, set[int]] = {pk: set() for pk in cases}
    for facts in demo:
        found = index.match(facts, now=now)
        assert found == index.scan(facts, now=now)  # the index misses nothing
        for pk in found:
            matched[pk].add(facts.entry_id)
    wrong = []
    listed_any = 0
    for pk, (text, filters) in cases.items():
        request = SearchRequest(
            query=parse_query(text),
            filters=filters,
            viewer=Viewer(is_operator=True),
            limit=1000,
            facets=False,
            now=now,
        )
        listed = {hit.entry_id for hit in backend.search(request).hits}
        listed_any += bool(listed)
        if listed != matched[pk]:
            wrong.append(
                (text, filters, sorted(listed - matched[pk]), sorted(matched[pk] - listed))
            )
    assert not wrong, wrong[:10]
    # The cases are worth something: most queries list entries, some do not.
    assert listed_any > len(cases) / 4
    assert listed_any < len(cases)
