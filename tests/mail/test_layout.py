"""How a message lays out its entries (pure functions): sections per subscription or per
platform, stories as one item with their sources, each entry once."""

from __future__ import annotations

import datetime as dt

from infoharbor.mail.layout import Entry, Matched, by_platform, by_subscription, items_of

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def entry(pk: int, *, hours: int = 0, platform: str = "information", story: int | None = None,
          source: str = "Outlet") -> Entry:  # fmt: skip
    return Entry(pk, f"Entry {pk}", f"https://h/{pk}", "", source, T0 + dt.timedelta(hours=hours),
                 platform, story)  # fmt: skip


def test_a_story_is_one_item_led_by_its_first_teller_with_every_source_once() -> None:
    rows = [
        Matched(1, "A", entry(3, hours=5, story=9, source="Wire")),
        Matched(1, "A", entry(2, hours=1, story=9, source="Daily")),
        Matched(1, "A", entry(4, hours=6, story=9, source="Wire")),
        Matched(1, "A", entry(5, hours=2)),
    ]
    story, alone = items_of(rows)  # newest story first: the story's newest entry is at 6h
    assert story.lead.entry_id == 2
    assert [e.entry_id for e in story.others] == [3, 4]
    assert story.sources == ["Daily", "Wire"]
    assert alone.lead.entry_id == 5
    assert alone.others == ()


def test_an_entry_matched_twice_appears_once_with_both_subscriptions() -> None:
    shared = entry(1)
    (item,) = items_of([Matched(1, "Rice", shared), Matched(2, "Ministry", shared)])
    assert item.subscriptions == ("Rice", "Ministry")


def test_immediate_sections_follow_the_subscriptions() -> None:
    rows = [Matched(2, "B", entry(1)), Matched(1, "A", entry(2)), Matched(2, "B", entry(3))]
    sections = by_subscription(rows)
    assert [section.key for section in sections] == ["2", "1"]
    assert sections[0].entry_count == 2


def test_digest_sections_follow_the_platforms_order_and_unknown_ones_come_last() -> None:
    rows = [
        Matched(1, "A", entry(1, platform="trade")),
        Matched(1, "A", entry(2, platform="zzz")),
        Matched(1, "A", entry(3, platform="information")),
    ]
    sections = by_platform(rows, ["information", "trade", "culture"])
    assert [section.key for section in sections] == ["information", "trade", "zzz"]
    assert by_platform([], ["information"]) == []
