"""All of feedparser's 2,100 test documents through the whole ingestion, into entries."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from infoharbor.core.models import Entry, Language
from infoharbor.ingest.feeds import FeedRejected, parse_feed
from infoharbor.ingest.items import ItemResult, SourceContext, ingest_item
from tests.ingest.conftest import Harbor
from tests.ingest.feeds_test_data import UNSAFE
from tests.ingest.test_feeds import _expected_headers

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


def test_every_document_goes_through_ingestion_without_a_crash(
    shared_data: Path, harbor: Harbor
) -> None:
    root = shared_data / "feeds" / "feedparser-tests"
    source = harbor.source("/corpus.xml", language="en")
    context = SourceContext(
        source=source,
        sectors=[],
        languages={language.code: language for language in Language.objects.all()},
        first_harvest=True,
        now=timezone.now(),
    )
    results: Counter[str] = Counter()
    reasons: list[str] = []
    rejected = 0
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".xml", ".json"}):
        data = path.read_bytes()
        content_type = "application/json" if path.suffix == ".json" else _expected_headers(data)
        try:
            feed = parse_feed(
                data, url=f"https://example.org/{path.name}", content_type=content_type
            )
        except FeedRejected:
            rejected += 1
            continue
        for item in feed.items:
            outcome = ingest_item(item, context)
            results[outcome.result] += 1
            if outcome.reason:
                reasons.append(f"{path.relative_to(root)}: {outcome.reason}")

    assert rejected < 15
    # Most test documents' items have no title and no text (each tests one element): they
    # are refused with a reason. Many others share their links and texts ("Example entry" at
    # http://example.com/): duplicates of the first. The rest become entries.
    assert results[ItemResult.NEW] > 50
    assert results[ItemResult.DUPLICATE] > 300
    assert results[ItemResult.FAILED] == len(reasons)
    assert all(reason.split(": ", 1)[1] for reason in reasons)
    assert sum(results.values()) > 1000
    for entry in Entry.objects.filter(ingested__source=source).only("body_html", "title"):
        assert not UNSAFE.search(entry.body_html), entry.body_html[:200]
        assert entry.title.strip()
