"""How the entries of a message are laid out: pure functions over plain data.

An immediate message has one section per subscription; a digest has one section per
platform. Within a section, the entries of one story cluster (the same story told by several
outlets) are one item: the first entry that told it, and the others as its further sources.
An entry matched by several subscriptions of the same message appears once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One entry as the message shows it (already in the reader's language)."""

    entry_id: int
    title: str
    url: str
    summary: str
    source: str  # the publishing organization
    published_at: dt.datetime | None
    platform: str
    story: int | None = None


@dataclass(frozen=True)
class Matched:
    """An entry a subscription matched."""

    subscription_id: int
    subscription_name: str
    entry: Entry


@dataclass(frozen=True)
class Item:
    """One item of a section: a story (or a lone entry), told first by ``lead``."""

    lead: Entry
    others: tuple[Entry, ...] = ()
    subscriptions: tuple[str, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (self.lead, *self.others)

    @property
    def sources(self) -> list[str]:
        """The organizations that told the story, each once, first teller first."""
        return list(dict.fromkeys(entry.source for entry in self.entries))


@dataclass(frozen=True)
class Section:
    key: str  # a subscription id or a platform key
    items: tuple[Item, ...] = field(default=())

    @property
    def entry_count(self) -> int:
        return sum(len(item.entries) for item in self.items)


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _when(entry: Entry) -> dt.datetime:
    return entry.published_at or _EARLIEST


def items_of(matched: Iterable[Matched]) -> list[Item]:
    """Items of ``matched``: entries once each, one item per story, newest story first."""
    names: dict[int, list[str]] = {}
    entries: dict[int, Entry] = {}
    for row in matched:
        entries.setdefault(row.entry.entry_id, row.entry)
        found = names.setdefault(row.entry.entry_id, [])
        if row.subscription_name not in found:
            found.append(row.subscription_name)
    stories: dict[object, list[Entry]] = {}
    for entry in entries.values():
        key: object = ("story", entry.story) if entry.story is not None else ("entry", entry)
        stories.setdefault(key, []).append(entry)
    items = []
    for told in stories.values():
        told.sort(key=lambda entry: (_when(entry), entry.entry_id))
        subscriptions = dict.fromkeys(name for entry in told for name in names[entry.entry_id])
        items.append(Item(told[0], tuple(told[1:]), tuple(subscriptions)))
    items.sort(key=lambda item: (max(_when(entry) for entry in item.entries), item.lead.entry_id))
    items.reverse()
    return items


def by_subscription(matched: Sequence[Matched]) -> list[Section]:
    """Sections of an immediate message: one per subscription, in the order given."""
    order = list(dict.fromkeys(row.subscription_id for row in matched))
    return [
        Section(str(pk), tuple(items_of(row for row in matched if row.subscription_id == pk)))
        for pk in order
    ]


def by_platform(matched: Sequence[Matched], platform_order: Sequence[str]) -> list[Section]:
    """Sections of a digest: one per platform (in ``platform_order``, unknown ones last),
    each with its stories."""
    present = dict.fromkeys(row.entry.platform for row in matched)
    rank = {key: position for position, key in enumerate(platform_order)}
    keys = sorted(present, key=lambda key: (rank.get(key, len(rank)), key))
    return [
        Section(key, tuple(items_of(row for row in matched if row.entry.platform == key)))
        for key in keys
    ]
