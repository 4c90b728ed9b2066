"""Feed items written in batches (INGEST_BATCH_SIZE): the same entries, audit trail and
outcomes as one by one; dedup within and across batches; a bad item fails alone; a batch
that meets another harvest's rows is done again one by one."""

from __future__ import annotations

from typing import Any

import pytest

from infoharbor.core.models import AuditEvent, Entry
from infoharbor.ingest import harvest, items
from infoharbor.ingest.models import FetchAttempt, IngestedItem, SourceState
from infoharbor.search.models import PendingIndex
from tests.ingest.conftest import Harbor, fixture_bytes

pytestmark = pytest.mark.django_db

RSS = "application/rss+xml; charset=utf-8"


def feed(count: int, *, start: int = 0, extra: str = "") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Customs notices</title><link>https://customs.example.org/</link>"
    ]
    for n in range(start, start + count):
        parts.append(
            f"<item><title>Notice {n}: checkpoint figures</title>"
            f"<link>https://customs.example.org/notices/{n}?utm_source=rss</link>"
            f"<guid isPermaLink='false'>notice-{n}</guid>"
            f"<pubDate>Mon, 01 Dec 2025 {n // 60 % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f"<category>Customs</category><category>Week {n % 3}</category>"
            f"<description>The customs department reports week {n}.</description></item>"
        )
    parts.append(extra + "</channel></rss>")
    return "".join(parts).encode()


def stored(source_id: int) -> list[dict[str, Any]]:
    """What a harvest stored for a source, without ids and times."""
    rows = []
    for entry in Entry.objects.filter(ingested__source_id=source_id).order_by("ingested__guid"):
        item = entry.ingested
        events = AuditEvent.objects.filter(target_type="core.entry", target_id=str(entry.pk))
        rows.append(
            {
                "title": entry.title,
                "summary": entry.summary,
                "body_html": entry.body_html,
                "language": entry.language_id,
                "status": entry.status,
                "published_at": entry.published_at,
                "provenance": (entry.provenance, entry.provenance_note),
                "sectors": sorted(entry.sectors.values_list("slug", flat=True)),
                "tags": sorted(entry.tags.values_list("slug", flat=True)),
                "item": (item.guid, item.guid_key, item.canonical_url, item.url_key,
                         item.content_hash, item.published_at, item.delay_seconds),
                "audit": [(e.action, e.changes, e.actor_label, e.via, e.user_agent)
                          for e in events.order_by("pk")],
                "queued": PendingIndex.objects.filter(entry_id=entry.pk).count(),
            }
        )  # fmt: skip
    return rows


def forget(source_id: int) -> None:
    """Remove what a harvest stored, so that the next one starts afresh."""
    entries = Entry.objects.filter(ingested__source_id=source_id)
    ids = [str(pk) for pk in entries.values_list("pk", flat=True)]
    PendingIndex.objects.all().delete()
    AuditEvent.objects.filter(target_type="core.entry", target_id__in=ids).delete()
    Entry.objects.filter(ingested__source_id=source_id).delete()
    SourceState.objects.filter(source_id=source_id).update(
        document_hash="", etag="", last_modified="", last_success_at=None
    )


def test_batched_and_one_by_one_store_the_same(harbor: Harbor, settings: Any) -> None:
    harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
    harbor.server.serve_file("/big.xml", feed(23), RSS)
    ministry = harbor.source("/feed.xml", sectors=["trade-ecommerce"], license_note="Reuse.")
    customs = harbor.source("/big.xml")

    settings.INGEST_BATCH_SIZE = 1
    harvest.harvest([ministry, customs])
    expected = [stored(ministry.pk), stored(customs.pk)]
    forget(ministry.pk)
    forget(customs.pk)
    settings.INGEST_BATCH_SIZE = 10
    attempts = harvest.harvest([ministry, customs])

    assert [stored(ministry.pk), stored(customs.pk)] == expected
    assert [a.items_new for a in attempts] == [5, 23]
    assert len(expected[1]) == 23


def test_duplicates_within_a_batch_and_across_batches(harbor: Harbor, settings: Any) -> None:
    settings.INGEST_BATCH_SIZE = 4
    # Items 0-9, then items 2-5 again with the same GUIDs and text (the same content
    # twice), and item 7 again with a new text (an update of the entry just made).
    again = feed(4, start=2).split(b"<item>", 1)[1].rsplit(b"</channel>", 1)[0]
    changed = (
        b"<item><title>Notice 7: checkpoint figures</title>"
        b"<link>https://customs.example.org/notices/7</link>"
        b"<guid isPermaLink='false'>notice-7</guid>"
        b"<pubDate>Mon, 01 Dec 2025 00:07:00 GMT</pubDate>"
        b"<description>Corrected: the customs department reports week 7.</description></item>"
    )
    document = feed(10, extra="<item>" + again.decode() + changed.decode())
    harbor.server.serve_file("/big.xml", document, RSS)
    source = harbor.source("/big.xml")

    [attempt] = harvest.harvest([source])

    assert (attempt.items_new, attempt.items_unchanged, attempt.items_updated) == (10, 4, 1)
    assert Entry.objects.count() == IngestedItem.objects.count() == 10
    assert Entry.objects.get(ingested__guid="notice-7").summary.startswith("Corrected")

    # Across batches and harvests: the ten items again, in other batches, are known.
    settings.INGEST_BATCH_SIZE = 3
    events = AuditEvent.objects.count()
    harbor.server.serve_file("/big.xml", feed(7).replace(b"<channel>", b"<channel> "), RSS)
    [second] = harvest.harvest([source])
    assert (second.items_new, second.items_unchanged) == (0, 7)
    assert AuditEvent.objects.count() == events


def test_a_bad_item_fails_alone(
    harbor: Harbor, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.INGEST_BATCH_SIZE = 50
    harbor.server.serve_file("/big.xml", feed(12), RSS)
    source = harbor.source("/big.xml")
    entry_data = items.entry_data

    def broken_for_notice_5(item: Any, context: Any) -> Any:
        data = entry_data(item, context)
        if item.guid == "notice-5":
            data.lat = 123.0  # out of range, and no longitude
        return data

    monkeypatch.setattr(items, "entry_data", broken_for_notice_5)

    [attempt] = harvest.harvest([source])

    assert (attempt.items_new, attempt.items_failed) == (11, 1)
    assert "notice-5" not in set(IngestedItem.objects.values_list("guid", flat=True))
    assert "Latitude must be between -90 and 90." in attempt.notes
    # Not stored, so tried again next time (and stored once the source is fixed).
    monkeypatch.setattr(items, "entry_data", entry_data)
    harbor.server.serve_file("/big.xml", feed(12).replace(b"<channel>", b"<channel> "), RSS)
    [again] = harvest.harvest([source])
    assert (again.items_new, again.items_unchanged) == (1, 11)


def test_a_batch_that_meets_another_harvests_rows_is_done_one_by_one(
    harbor: Harbor, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.INGEST_BATCH_SIZE = 50
    harbor.server.serve_file("/one.xml", feed(1, start=3), RSS)
    harbor.server.serve_file("/big.xml", feed(8), RSS)
    first, second = harbor.source("/one.xml"), harbor.source("/big.xml")
    harvest.harvest([first])
    # The second harvest reads what is stored before another one stores notice 3: its
    # lookups miss it, and its batch meets the unique address of notice 3.
    monkeypatch.setattr(harvest, "Known", lambda source, keys: items.Known.empty(source))

    [attempt] = harvest.harvest([second])

    assert (attempt.items_new, attempt.items_duplicate) == (7, 1)
    assert IngestedItem.objects.filter(source=second).count() == 7
    assert Entry.objects.count() == 8
    assert FetchAttempt.objects.filter(source=second, items_failed=0).count() == 1


@pytest.mark.parametrize("batch_size", [1, 10], ids=["one-by-one", "batched"])
def test_every_item_sees_what_the_items_before_it_wrote(
    harbor: Harbor, settings: Any, batch_size: int
) -> None:
    # Given notice 1 stored, then a document where notice 1 moved to the address of a new
    # item that follows it (its pubDate is later, so it is handled after).
    settings.INGEST_BATCH_SIZE = batch_size
    harbor.server.serve_file("/big.xml", feed(3), RSS)
    source = harbor.source("/big.xml")
    harvest.harvest([source])
    moved = (
        feed(3)
        .replace(b"notices/1?", b"notices/99?")
        .replace(b"reports week 1.", b"reports week 1, moved.")
    )
    newcomer = (
        "<item><title>Notice 99</title><link>https://customs.example.org/notices/99</link>"
        "<guid isPermaLink='false'>notice-99</guid>"
        "<pubDate>Tue, 02 Dec 2025 00:00:00 GMT</pubDate>"
        "<description>A new notice at the moved address.</description></item>"
    )
    harbor.server.serve_file(
        "/big.xml", moved.replace(b"</channel>", newcomer.encode() + b"</channel>"), RSS
    )

    [attempt] = harvest.harvest([source])

    # Then, one by one or batched: notice 1 takes the new address, and notice 99 is found
    # by it, as an update of the same entry.
    assert (attempt.items_new, attempt.items_updated, attempt.items_unchanged) == (0, 2, 2)
    assert Entry.objects.count() == 3
