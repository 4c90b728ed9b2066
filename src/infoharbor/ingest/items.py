"""One feed item into one entry, exactly once: the dedup keys, the entry's fields, and the
write through the core services, in one transaction per item (:func:`ingest_item`) or, for
new items, per batch (:func:`ingest_items`, ``INGEST_BATCH_SIZE``).

An item is looked up by its GUID within the source, then by its canonical address across
all sources, then by its content hash within the source:

- not found: a new entry (published at once, with the item's own date, if the source says
  so), and an :class:`IngestedItem` row with the keys, in the same transaction;
- found with the same content hash: nothing is written (a re-run changes nothing);
- found with another content hash: the entry is updated through ``update_entry``;
- found through another source's item: a duplicate, left alone.

The unique constraints on the keys hold even when two harvests run at once: the loser's
transaction rolls back whole (its entry too) and the item counts as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When

from infoharbor.accounts.choices import Role
from infoharbor.core import audit, bulk, fastclean, services
from infoharbor.core.choices import BodyFormat, Provenance
from infoharbor.core.languages import content_language
from infoharbor.core.models import Entry, Language, Sector
from infoharbor.core.permissions import Actor
from infoharbor.core.richtext import plain_text
from infoharbor.ingest import identity, queries
from infoharbor.ingest.feeds import FeedItem
from infoharbor.ingest.models import IngestedItem, Source
from infoharbor.text import langid
from infoharbor.text.scripts import letter_counts

TITLE_MAX = 300
# The conditions of the partial unique indexes on the keys (IngestedItem.Meta): a query
# that states them can use those indexes.
_GUID_SET = ~Q(guid_key="")
_URL_SET = ~Q(url_key="")
SUMMARY_MAX = 600


class ItemResult(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    result: ItemResult
    reason: str = ""  # why it failed


@dataclass(frozen=True)
class SourceContext:
    """What every item of one harvest of a source shares, read once."""

    source: Source
    sectors: list[Sector]
    languages: dict[str, Language]  # the harbor's content languages by code
    first_harvest: bool  # the backlog of a new source: no delay statistics from it
    now: dt.datetime
    rules: queries.SectorRules = field(default_factory=queries.sector_rules)

    @property
    def actor(self) -> Actor:
        # The harvester acts for the source's organization, with the rights its
        # administrators gave it by adding the source.
        return Actor(roles={self.source.organization_id: Role.ADMIN})

    @property
    def origin(self) -> audit.Origin:
        return audit.Origin(via="ingest", user_agent=f"source {self.source.pk}")


def _shortened(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def _language(item: FeedItem, context: SourceContext, text: str) -> Language:
    """Declared by the item or feed, unless its script says otherwise; else detected; else
    the source's default."""
    known = context.languages
    declared = content_language(item.language) if item.language else ""
    if declared in known:
        if _script(text) in {None, "Latin"}:
            return known[declared]  # what detection would conclude: only a script outweighs
        detection = langid.detect(text)
        # Feeds often declare the CMS's default ("en-us") over Thai or Chinese text; a
        # script of one language (or Han, told apart by character counts) outweighs it.
        if (
            detection.sure
            and detection.script not in {None, "Latin"}
            and detection.language in known
            and detection.language != declared
        ):
            return known[detection.language]
        return known[declared]
    code = langid.detect_or(text, context.source.language_id)
    return known.get(code or "", context.source.language)


def _script(text: str) -> str | None:
    """The dominant script of the text's letters, as ``langid.detect`` reads it."""
    counts = letter_counts(unicodedata.normalize("NFC", text[: langid.MAX_CHARS]))
    return counts.most_common(1)[0][0] if counts else None


def _published(item: FeedItem, now: dt.datetime) -> dt.datetime | None:
    when = item.published or item.updated
    return min(when, now) if when is not None else None


def entry_data(item: FeedItem, context: SourceContext) -> services.EntryData:
    """The entry's shared fields from the item and its source."""
    source = context.source
    text = item.text
    if item.content:
        body = item.content
        summary = _shortened(plain_text(item.summary), SUMMARY_MAX) if item.summary else ""
    else:
        summary_text = text  # the summary's text: there is no content
        # A short description is the summary; a long one is the body, shortened as summary.
        body = item.summary if len(summary_text) > SUMMARY_MAX else ""
        summary = _shortened(summary_text, SUMMARY_MAX)
    link = identity.canonical_url(item.link) if item.link else ""
    # An http(s) address (canonical_url) the entry's field takes as it is, else none; the
    # verdict is kept for the entry's own checks.
    if link and not fastclean.accepts(Entry, "source_url", link):
        link = ""
    title = _shortened(item.title or text, TITLE_MAX)
    language = _language(item, context, f"{item.title}\n{text}")
    return services.EntryData(
        title=title,
        language=language,
        country=source.country,
        summary=summary,
        body=body,
        body_format=BodyFormat.HTML,
        # The source's sectors, and those whose keyword rules the text matches.
        sectors=context.rules.refine(
            context.sectors, f"{title}\n{' '.join(item.categories)}\n{text}", language.code
        ),
        tags=list(item.categories),
        source_url=link,
        license=item.license or source.license,
    )


def entry_details(item: FeedItem, source: Source) -> dict[str, Any]:
    """The source's details for every entry, under what the item brings itself."""
    own = {name: value for name, value in item.details.items() if value not in ("", None, [], {})}
    return {**source.entry_details, **own}


def _provenance_note(source: Source) -> str:
    note = f"{source.name} — {source.license_note}" if source.license_note else source.name
    return note[:300]


@dataclass(frozen=True)
class Keys:
    guid: str
    url: str
    content: str
    raw: str = ""  # the hash of the item's bytes in the feed, where the feed was split

    @classmethod
    def of(cls, item: FeedItem, raw: str = "") -> Keys:
        text = item.text
        if item.details:
            # A dataset changes with its details (a new download, more rows) too.
            text += "\n" + _canonical_json(item.details)
        return cls(
            identity.guid_key(item.guid),
            identity.url_key(item.link),
            identity.content_hash(item.title, text),
            raw,
        )


def _canonical_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


class Known:
    """What the database holds of one document's items, read in a query or two, so that
    items seen before cost no query of their own (a re-run mostly finds such items).

    Its answers are the same as :func:`_ingest`'s; what it cannot settle (new and changed
    items) goes through the transaction, which looks again and writes.
    """

    CHUNK = 500  # keys per query, well under every database's limit on parameters

    @classmethod
    def empty(cls, source: Source) -> Known:
        return cls(source, [])

    def __init__(self, source: Source, keys: list[Keys]) -> None:
        self.source_id = source.pk
        self.by_guid: dict[str, str] = {}  # this source's GUID keys -> content hash
        self.by_url: dict[str, tuple[int, str]] = {}  # URL key -> (source, content hash)
        self.hashes: set[str] = set()  # this source's content hashes
        self.raw: dict[str, str] = {}  # this source's content hashes -> raw hashes
        for start in range(0, len(keys), self.CHUNK):
            chunk = keys[start : start + self.CHUNK]
            guids = [k.guid for k in chunk if k.guid]
            urls = [k.url for k in chunk if k.url]
            # "not empty" lets the database use the unique (partial) indexes of the keys
            # instead of reading the whole table, document after document.
            found = IngestedItem.objects.filter(
                (Q(source=source, guid_key__in=guids) & _GUID_SET)
                | (Q(url_key__in=urls) & _URL_SET)
                | Q(source=source, content_hash__in=[k.content for k in chunk])
            ).values_list("source_id", "guid_key", "url_key", "content_hash", "raw_hash")
            for source_id, guid, url, digest, raw in found:
                self.add(Keys(guid, url, digest, raw), source_id)

    def add(self, keys: Keys, source_id: int | None = None) -> None:
        source_id = self.source_id if source_id is None else source_id
        if source_id == self.source_id:
            if keys.guid:
                self.by_guid[keys.guid] = keys.content
            self.hashes.add(keys.content)
            self.raw[keys.content] = keys.raw
        if keys.url:
            self.by_url[keys.url] = (source_id, keys.content)

    def settled(self, keys: Keys) -> ItemResult | None:
        """UNCHANGED or DUPLICATE when that is certain; None when the item must be written."""
        if keys.guid and keys.guid in self.by_guid:
            return ItemResult.UNCHANGED if self.by_guid[keys.guid] == keys.content else None
        if keys.url and keys.url in self.by_url:
            source_id, digest = self.by_url[keys.url]
            if source_id != self.source_id:
                return ItemResult.DUPLICATE
            return ItemResult.UNCHANGED if digest == keys.content else None
        if keys.content in self.hashes:
            return ItemResult.DUPLICATE
        return None


def ingest_item(
    item: FeedItem, context: SourceContext, known: Known | None = None, keys: Keys | None = None
) -> Outcome:
    """Create or update the item's entry, or leave it alone; never raises for a bad item."""
    title = item.title or item.text
    if not title.strip():
        return Outcome(ItemResult.FAILED, "an item without a title or text")
    keys = keys or Keys.of(item)
    if known is not None:
        settled = known.settled(keys)
        if settled is not None:
            return Outcome(settled)
    try:
        with transaction.atomic():
            outcome = _ingest(item, context, keys)
    except IntegrityError:
        # Another harvest stored the same item meanwhile; this one's writes rolled back.
        return Outcome(ItemResult.DUPLICATE)
    except ValidationError as error:
        return Outcome(ItemResult.FAILED, "; ".join(error.messages))
    except PermissionDenied as error:
        return Outcome(ItemResult.FAILED, str(error))
    if known is not None and outcome.result in {ItemResult.NEW, ItemResult.UPDATED}:
        known.add(keys)
    return outcome


def _is_new(keys: Keys, known: Known) -> bool:
    """Nothing stored has any of these keys (Known read them all): a new entry, unless the
    content is a duplicate (which ``settled`` says first)."""
    return not (keys.guid and keys.guid in known.by_guid) and not (
        keys.url and keys.url in known.by_url
    )


def ingest_items(
    items: Sequence[FeedItem],
    context: SourceContext,
    known: Known,
    keys: Sequence[Keys],
    batch_size: int | None = None,
) -> list[Outcome]:
    """:func:`ingest_item` for each item, in order, with the same outcomes; the new items
    are written in batches of ``batch_size`` (``INGEST_BATCH_SIZE``), each in one
    transaction through :func:`services.create_entries`.

    What a batch cannot settle on its own goes one by one, once the batch before it is
    written: changed items, and an item with a key of an item waiting in the batch (the
    second of two items with one GUID updates the first's entry, as it would one by one).
    So every item sees what the items before it wrote. A bad item fails alone; a batch
    that meets a unique constraint (another harvest stored one of its items meanwhile)
    rolls back whole and is done again one by one.
    """
    size = settings.INGEST_BATCH_SIZE if batch_size is None else batch_size
    if size <= 1:
        one_by_one = [ingest_item(i, context, known, k) for i, k in zip(items, keys, strict=True)]
        _remember_raw(context.source, known, keys, one_by_one)
        return one_by_one
    outcomes: list[Outcome | None] = [None] * len(items)
    fresh: list[int] = []  # new items waiting for their batch, with no key in common
    planned = Known.empty(context.source)

    def flush() -> None:
        nonlocal planned
        created = _create_batch([items[n] for n in fresh], [keys[n] for n in fresh], context)
        for number, outcome in zip(fresh, created, strict=True):
            if outcome is None:  # the batch rolled back: its items one by one
                outcome = ingest_item(items[number], context, known, keys[number])
            elif outcome.result == ItemResult.NEW:
                known.add(keys[number])
            outcomes[number] = outcome
        fresh.clear()
        planned = Known.empty(context.source)

    for number, (item, item_keys) in enumerate(zip(items, keys, strict=True)):
        if not (item.title or item.text).strip():
            outcomes[number] = Outcome(ItemResult.FAILED, "an item without a title or text")
            continue
        settled = known.settled(item_keys)
        if settled is not None:
            outcomes[number] = Outcome(settled)
            continue
        if (
            _is_new(item_keys, known)
            and planned.settled(item_keys) is None
            and _is_new(item_keys, planned)
        ):
            fresh.append(number)
            planned.add(item_keys)
            if len(fresh) >= size:
                flush()
            continue
        # An update, or a key of an item waiting in the batch: the batch first, then this
        # item on its own, so that every item sees what the ones before it wrote.
        flush()
        outcomes[number] = ingest_item(item, context, known, item_keys)
    flush()
    done = [outcome for outcome in outcomes if outcome is not None]
    _remember_raw(context.source, known, keys, done)
    return done


def _remember_raw(
    source: Source, known: Known, keys: Sequence[Keys], outcomes: list[Outcome]
) -> None:
    """Store the raw hashes of unchanged items whose bytes are new (a feed that rewrote
    them, or items stored before raw hashes were kept): next time they are skipped."""
    stale = {
        item_keys.content: item_keys.raw
        for item_keys, outcome in zip(keys, outcomes, strict=True)
        if outcome.result == ItemResult.UNCHANGED
        and item_keys.raw
        and known.raw.get(item_keys.content) != item_keys.raw
    }
    pairs = list(stale.items())
    for start in range(0, len(pairs), Known.CHUNK):
        chunk = pairs[start : start + Known.CHUNK]
        IngestedItem.objects.filter(
            source=source, content_hash__in=[digest for digest, _raw in chunk]
        ).update(
            raw_hash=Case(*(When(content_hash=digest, then=Value(raw)) for digest, raw in chunk))
        )
        for digest, raw in chunk:
            known.raw[digest] = raw


def _create_batch(
    items: list[FeedItem], keys: list[Keys], context: SourceContext
) -> list[Outcome | None]:
    """New entries for ``items`` in one transaction; None for all when it rolled back."""
    if not items:
        return []
    source = context.source
    batch = []
    for item in items:
        published = _published(item, context.now)
        batch.append(
            services.NewEntry(
                data=entry_data(item, context),
                details=entry_details(item, source),
                provenance_note=_provenance_note(source),
                publish=source.publish,
                published_at=published,
            )
        )
    try:
        with transaction.atomic():
            results = services.create_entries(
                actor=context.actor,
                origin=context.origin,
                organization=source.organization,
                kind=source.entry_kind,
                batch=batch,
                provenance=Provenance.INGESTED,
            )
            rows = [
                _item_values(item, context, result.pk, item_keys, batch_item.published_at)
                for item, item_keys, batch_item, result in zip(
                    items, keys, batch, results, strict=True
                )
                if not isinstance(result, ValidationError | PermissionDenied)
            ]
            bulk.insert(IngestedItem, ITEM_COLUMNS, rows)
    except IntegrityError:
        return [None] * len(items)
    except (ValidationError, PermissionDenied) as error:
        # The whole batch refused (an unknown kind, no right to create): as each item would be.
        reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return [Outcome(ItemResult.FAILED, reason)] * len(items)
    outcomes: list[Outcome | None] = []
    for result in results:
        if isinstance(result, ValidationError):
            outcomes.append(Outcome(ItemResult.FAILED, "; ".join(result.messages)))
        elif isinstance(result, PermissionDenied):
            outcomes.append(Outcome(ItemResult.FAILED, str(result)))
        else:
            outcomes.append(Outcome(ItemResult.NEW))
    return outcomes


# The columns of :func:`_item_values`, for ``bulk.insert`` (attribute names).
ITEM_COLUMNS = (
    "entry_id",
    "source_id",
    "guid",
    "guid_key",
    "canonical_url",
    "url_key",
    "content_hash",
    "raw_hash",
    "published_at",
    "first_seen_at",
    "changed_at",
    "delay_seconds",
)


def _item_values(
    item: FeedItem,
    context: SourceContext,
    entry_id: int,
    keys: Keys,
    published: dt.datetime | None,
) -> tuple[Any, ...]:
    """The item row of a new entry, as values of ``ITEM_COLUMNS``."""
    delay = None
    if published is not None and not context.first_harvest:
        delay = max(0, int((context.now - published).total_seconds()))
    return (
        entry_id,
        context.source.pk,
        item.guid[:1000],
        keys.guid,
        identity.canonical_url(item.link),
        keys.url,
        keys.content,
        keys.raw,
        published,
        context.now,
        None,
        delay,
    )


def _item_row(
    item: FeedItem,
    context: SourceContext,
    entry: Entry,
    keys: Keys,
    published: dt.datetime | None,
) -> IngestedItem:
    values = _item_values(item, context, entry.pk, keys, published)
    return IngestedItem(**dict(zip(ITEM_COLUMNS, values, strict=True)))


def _ingest(item: FeedItem, context: SourceContext, keys: Keys) -> Outcome:
    source = context.source
    guid_key, url_key, digest = keys.guid, keys.url, keys.content
    found = None
    if guid_key:
        found = IngestedItem.objects.filter(_GUID_SET, source=source, guid_key=guid_key).first()
    if found is None and url_key:
        found = IngestedItem.objects.filter(_URL_SET, url_key=url_key).first()
        if found is not None and found.source_id != source.pk:
            return Outcome(ItemResult.DUPLICATE)  # the same page, from another source
    if found is None:
        if IngestedItem.objects.filter(source=source, content_hash=digest).exists():
            return Outcome(ItemResult.DUPLICATE)
        _create(item, context, keys)
        return Outcome(ItemResult.NEW)
    if found.content_hash == digest:
        return Outcome(ItemResult.UNCHANGED)
    _update(item, context, found, keys)
    return Outcome(ItemResult.UPDATED)


def _create(item: FeedItem, context: SourceContext, keys: Keys) -> None:
    source = context.source
    entry = services.create_entry(
        actor=context.actor,
        origin=context.origin,
        organization=source.organization,
        kind=source.entry_kind,
        data=entry_data(item, context),
        details=entry_details(item, source),
        provenance=Provenance.INGESTED,
        provenance_note=_provenance_note(source),
    )
    published = _published(item, context.now)
    if source.publish:
        services.publish_entry(
            actor=context.actor, origin=context.origin, entry=entry, published_at=published
        )
    _item_row(item, context, entry, keys, published).save(force_insert=True)


def _update(item: FeedItem, context: SourceContext, found: IngestedItem, keys: Keys) -> None:
    url_key, digest = keys.url, keys.content
    services.update_entry(
        actor=context.actor,
        origin=context.origin,
        entry=found.entry,
        data=entry_data(item, context),
        details=entry_details(item, context.source),
    )
    found.content_hash = digest
    found.raw_hash = keys.raw
    found.changed_at = context.now
    fields = ["content_hash", "raw_hash", "changed_at"]
    if url_key and url_key != found.url_key:
        taken = IngestedItem.objects.filter(_URL_SET, url_key=url_key).exclude(pk=found.pk).exists()
        if not taken:
            found.url_key = url_key
            found.canonical_url = identity.canonical_url(item.link)
            fields += ["url_key", "canonical_url"]
    found.save(update_fields=fields)
