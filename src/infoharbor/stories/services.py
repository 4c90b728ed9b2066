"""Writes of story clusters: the enrich stage that puts published entries into stories.

:func:`assign_pending` takes the published entries that have no :class:`StoryMember` yet, in
the order they were published, a batch at a time. For each batch it computes the entries'
fingerprints and LSH band keys, finds the stored entries that share a band key with one of
them (one indexed query on :class:`BandKey`), reads those candidates' stored signatures, and
lets :class:`~infoharbor.text.fingerprint.StoryClusterer` (the same thresholds as everywhere
else) assign the batch's entries one by one. An entry that starts a story may then be linked
to a story in another language by the anchors the two share (:mod:`.anchoring`): the stored
anchors and their frequencies that the batch needs are read in three indexed queries per
batch (per 900 keys), never per entry. Each batch is one transaction: a run that is
killed loses at most its current batch, and the next run starts from the first entry without
a membership. Running it again with nothing pending changes nothing.

After the batches, the anchors older than the cross-language window are pruned and
:func:`update_trending` flags the clusters that grow fast and unflags those
that cooled (:func:`infoharbor.text.fingerprint.trending_clusters`).

One assignment runs at a time in a harbor (the end of ``infoharbor ingest``, the ``stories``
command and the worker's task may meet): each holds the ``stories`` lease of
:mod:`infoharbor.worker.scheduler`, renewed after every batch; a run that finds it held
returns at once, marked ``busy``, and leaves the entries to the run that holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import strip_tags

import infoharbor.text.fingerprint.trending as trending_rule
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Entry
from infoharbor.stories import anchoring
from infoharbor.stories.models import (
    AnchorFrequency,
    BandKey,
    MatchKind,
    StoryAnchor,
    StoryCluster,
    StoryMember,
)
from infoharbor.text.fingerprint import (
    Fingerprint,
    StoryClusterer,
    fingerprint,
    learn_boilerplate,
)
from infoharbor.text.fingerprint.anchors import Anchors
from infoharbor.text.fingerprint.minhash import NUM_PERM, band_keys
from infoharbor.worker.scheduler import hold_lease, release_lease

__all__ = [
    "BATCH_SIZE",
    "AssignResult",
    "assign_pending",
    "entry_text",
    "organization_template",
    "pending_entries",
    "prune_anchors",
    "rebuild",
    "update_trending",
]

# Entries per transaction: large enough that the per-batch queries are amortized, small
# enough that a killed run loses little and the candidate lookup stays within the database's
# limit on bound parameters (chunked below anyway).
BATCH_SIZE = 500
# Bound parameters per IN (...) list: SQLite's historical limit is 999.
_IN_CHUNK = 900
# An organization's template (header, footer, "The post ... appeared first on ...") is learned
# from its latest published entries: twenty are enough (learn_boilerplate), and it is learned
# once per run, so the cost is one query and twenty fingerprints per organization and run.
TEMPLATE_SAMPLE = 20
# The lease that keeps assignments one at a time.
LEASE = "stories"

Progress = Callable[[int, int], None]
# Called inside each batch's transaction with the (entry, story) pairs it assigned: how other
# apps react to an entry joining a story (subscriptions: the followers of a story).
Assigned = Callable[[list[tuple[int, int]]], None]
_on_assigned: list[Assigned] = []


def on_assigned(callback: Assigned) -> None:
    """Call ``callback`` with every batch's (entry, story) pairs, in its transaction."""
    if callback not in _on_assigned:
        _on_assigned.append(callback)


@dataclass
class AssignResult:
    """What one :func:`assign_pending` run did."""

    entries: int = 0  # entries fingerprinted
    joined: int = 0  # ... that joined an existing story
    linked: int = 0  # ... of which by anchors, in another language
    started: int = 0  # ... that started a story
    too_short: int = 0  # ... too short to compare (no story)
    batches: int = 0
    trending_on: list[int] = field(default_factory=list)  # clusters newly flagged trending
    trending_off: list[int] = field(default_factory=list)  # clusters that cooled
    busy: bool = False  # another assignment was running: this one did nothing

    def summary(self, seconds: float) -> str:
        """One line for the commands' output."""
        if self.busy:
            return "Stories: another assignment is running; the new entries are left to it."
        return (
            f"Stories: {self.entries} entries in {seconds:.1f} s: {self.joined} joined a "
            f"story, {self.started} started one, {self.too_short} too short to compare; "
            f"{self.linked} of the joins by anchors, across languages; "
            f"{len(self.trending_on)} now trending, {len(self.trending_off)} cooled."
        )


def pending_entries() -> QuerySet[Entry]:
    """Published entries not fingerprinted yet, in the order they were published."""
    return Entry.objects.filter(
        status=EntryStatus.PUBLISHED, published_at__isnull=False, story_member__isnull=True
    ).order_by("published_at", "pk")


def entry_text(entry: Entry) -> str:
    """What is compared of an entry: its title, summary and body as plain text, in its own
    language (translations are the same story and never compared)."""
    body = strip_tags(entry.body_html) if entry.body_html else entry.body_source
    return "\n".join(part for part in (entry.title, entry.summary, body) if part)


def assign_pending(
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> AssignResult:
    """Put every pending entry into a story (or start one), then update the trending flags.

    ``progress(done, total)`` is called after each batch. ``limit`` stops after about that
    many entries (whole batches), for a bounded run.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    holder = _holder()
    if not hold_lease(holder, name=LEASE):
        return AssignResult(busy=True)
    try:
        return _assign_pending(batch_size, progress, now, limit, holder)
    finally:
        release_lease(holder, name=LEASE)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _assign_pending(
    batch_size: int,
    progress: Progress | None,
    now: dt.datetime | None,
    limit: int | None,
    holder: str,
) -> AssignResult:
    result = AssignResult()
    templates: dict[int, Templates] = {}
    total = pending_entries().count()
    if limit is not None:
        total = min(total, limit)
    while limit is None or result.entries < limit:
        batch = list(
            pending_entries().only(
                "pk", "title", "summary", "body_html", "body_source", "language_id",
                "country_id", "organization_id", "published_at",
            )[:batch_size]
        )  # fmt: skip
        if not batch:
            break
        with transaction.atomic():
            _assign_batch(batch, result, templates)
        result.entries += len(batch)
        result.batches += 1
        if progress is not None:
            progress(result.entries, max(total, result.entries))
        if not hold_lease(holder, name=LEASE):  # renewed; lost only if this run stalled
            break
    if result.entries:
        prune_anchors()
    result.trending_on, result.trending_off = update_trending(now=now)
    return result


def rebuild(*, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> AssignResult:
    """Forget every story and cluster all published entries again (story ids change).

    For a changed threshold or fingerprint format. Interrupted, it leaves the entries done so
    far clustered and the rest pending: run :func:`assign_pending` to finish.
    """
    holder = _holder()
    if not hold_lease(holder, name=LEASE):
        return AssignResult(busy=True)
    try:
        with transaction.atomic():
            StoryAnchor.objects.all().delete()
            AnchorFrequency.objects.all().delete()
            BandKey.objects.all().delete()
            StoryMember.objects.all().delete()
            StoryCluster.objects.all().delete()
        return _assign_pending(batch_size, progress, None, None, holder)
    finally:
        release_lease(holder, name=LEASE)


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _candidates(keys: np.ndarray) -> list[tuple[int, Fingerprint, int]]:
    """Stored entries sharing a band key with a row of ``keys`` (shape ``(n, bands)``, signed),
    as ``(entry, fingerprint, -cluster)`` rows in the order they were published."""
    wanted = {(band, int(key)) for row in keys for band, key in enumerate(row)}
    unique = sorted({key for _, key in wanted})
    entries: set[int] = set()
    for chunk in _chunks(unique):
        for band, key, entry_id in BandKey.objects.filter(key__in=chunk).values_list(
            "band", "key", "entry_id"
        ):
            if (band, key) in wanted:
                entries.add(entry_id)
    rows: list[tuple[dt.datetime, int, Fingerprint, int]] = []
    for chunk in _chunks(sorted(entries)):
        for entry_id, data, cluster_id, published in StoryMember.objects.filter(
            pk__in=chunk, cluster__isnull=False
        ).values_list("entry_id", "fingerprint", "cluster_id", "published_at"):
            rows.append((published, entry_id, Fingerprint.from_bytes(bytes(data)), -cluster_id))
    rows.sort(key=lambda row: (row[0], row[1]))
    # Existing clusters are labelled by their negated id, so that they never meet the
    # positive entry ids that label the clusters this batch starts.
    return [(entry_id, found, label) for _, entry_id, found, label in rows]


def _published(entry: Entry) -> dt.datetime:
    if entry.published_at is None:  # pending_entries() has only published ones
        raise ValueError(f"entry {entry.pk} has no publication time")
    return entry.published_at


# An organization's template: the shingles left out of its entries' fingerprints, and the
# anchors left out of their anchors.
Templates = tuple[frozenset[int], anchoring.AnchorTemplate]


def _latest_texts(organization_id: int) -> list[str]:
    latest = (
        Entry.objects.filter(organization_id=organization_id, status=EntryStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .only("title", "summary", "body_html", "body_source")[:TEMPLATE_SAMPLE]
    )
    return [entry_text(entry) for entry in latest]


def organization_template(organization_id: int) -> frozenset[int]:
    """The shingles an organization repeats in most of its entries: its template, left out
    of its entries' fingerprints so that two stories in one template do not look alike."""
    return learn_boilerplate(_latest_texts(organization_id))


def organization_templates(organization_id: int, *, anchors: bool = True) -> Templates:
    """:func:`organization_template` and the anchors the organization repeats
    (:func:`.anchoring.learn_anchor_template`), from one read of its latest entries."""
    texts = _latest_texts(organization_id)
    found = anchoring.learn_anchor_template(texts) if anchors else anchoring.AnchorTemplate()
    return learn_boilerplate(texts), found


def _window() -> dt.timedelta:
    return dt.timedelta(hours=settings.STORIES_CROSS_LANGUAGE_HOURS)


def _assign_batch(
    batch: list[Entry], result: AssignResult, templates: dict[int, Templates]
) -> None:
    window = _window()
    for organization in {entry.organization_id for entry in batch} - templates.keys():
        templates[organization] = organization_templates(organization, anchors=bool(window))
    texts = [entry_text(entry) for entry in batch]
    prints = [
        fingerprint(text, templates[entry.organization_id][0])
        for entry, text in zip(batch, texts, strict=True)
    ]
    comparable = [i for i, found in enumerate(prints) if found.comparable]
    signatures = np.array([prints[i].signature for i in comparable], dtype=np.uint32)
    keys = band_keys(signatures.reshape(-1, NUM_PERM)).view(np.int64)
    keys_of = {batch[i].pk: keys[row] for row, i in enumerate(comparable)}
    clusterer = StoryClusterer.build(_candidates(keys) if comparable else [])

    labels: dict[int, int] = {}  # entry -> label (negative: stored cluster; positive: new)
    members: list[StoryMember] = []
    for entry, found in zip(batch, prints, strict=True):
        member = StoryMember(
            entry=entry,
            fingerprint=found.to_bytes(),
            shingles=found.size,
            language=entry.language_id,
            country=entry.country_id,
            published_at=_published(entry),
        )
        members.append(member)
        if not found.comparable:
            result.too_short += 1
            continue
        assignment = clusterer.add(entry.pk, found)
        labels[entry.pk] = clusterer.cluster_of(entry.pk)
        if assignment.match is not None:
            member.matched_id = assignment.match
            member.similarity = assignment.similarity
            member.matched_by = MatchKind.TEXT
            result.joined += 1
        else:
            result.started += 1
    if window:
        _link_across_languages(batch, texts, members, labels, templates, result, window)

    # The clusters this batch starts (named by their first entry) are written once, complete;
    # the stored ones it grows are read, grown and written back.
    cluster_of_label: dict[int, StoryCluster] = {}
    for entry in batch:
        if labels.get(entry.pk) == entry.pk:
            cluster_of_label[entry.pk] = StoryCluster(
                representative=entry, first_seen=_published(entry), last_seen=_published(entry)
            )
    existing = {-label for label in labels.values() if label < 0}
    for cluster in StoryCluster.objects.select_for_update().filter(pk__in=existing):
        cluster_of_label[-cluster.pk] = cluster
    for member in members:
        label = labels.get(member.entry_id)
        if label is not None:
            _grow(cluster_of_label[label], member)
    StoryCluster.objects.bulk_create([c for c in cluster_of_label.values() if c.pk is None])
    _update_clusters([c for label, c in cluster_of_label.items() if label < 0])
    for member in members:
        label = labels.get(member.entry_id)
        if label is not None:
            member.cluster = cluster_of_label[label]
    StoryMember.objects.bulk_create(members)
    _insert_anchors([m for m in members if m.anchors and m.cluster is not None])
    _insert_band_keys(
        (band, int(key), member.entry_id, member.cluster.pk)
        for member in members
        if member.cluster is not None
        for band, key in enumerate(keys_of[member.entry_id])
    )
    assigned = [(m.entry_id, m.cluster.pk) for m in members if m.cluster is not None]
    for callback in _on_assigned:
        callback(assigned)


def _link_across_languages(
    batch: list[Entry],
    texts: list[str],
    members: list[StoryMember],
    labels: dict[int, int],
    templates: dict[int, Templates],
    result: AssignResult,
    window: dt.timedelta,
) -> None:
    """Link the batch's entries that started a story to a story in another language where
    their anchors say so, relabelling them and the entries that joined them by text.

    MinHash's choices do not depend on the labels, so linking after the whole batch was
    clustered gives what linking each entry as it came would: the entries are gone through
    again in order, each story's languages noted as they grow.
    """
    started = {
        entry.pk: i
        for i, entry in enumerate(batch)
        if labels.get(entry.pk) == entry.pk  # started a story (comparable)
    }
    anchors_of: dict[int, Anchors] = {}
    for entry_id, i in started.items():
        own = anchoring.entry_anchors(texts[i], templates[batch[i].organization_id][1])
        # The rule needs a shared number or address: an entry without one can never link
        # nor be linked to, so it is neither looked up nor stored.
        if own.numbers or own.addresses:
            anchors_of[entry_id] = own
    if not anchors_of:
        return
    linker = _linker(batch, anchors_of, window)
    moved: dict[int, int] = {}  # a started story's label -> the story it was linked to
    for entry, member in zip(batch, members, strict=True):
        label = labels.get(entry.pk)
        if label is None:  # too short
            continue
        label = moved.get(label, label)
        carried = anchors_of.get(entry.pk)
        if carried is not None:
            link = linker.find(carried, entry.language_id, member.published_at)
            if link is not None:
                label = moved[entry.pk] = link.label
                member.matched_id = link.entry
                member.similarity = link.share
                member.matched_by = MatchKind.ANCHORS
                result.started -= 1
                result.joined += 1
                result.linked += 1
            linker.add(entry.pk, carried, entry.language_id, member.published_at, label)
            member.anchors = anchoring.pack(carried)
        labels[entry.pk] = label
        linker.note(label, entry.language_id)


def _linker(
    batch: list[Entry], anchors_of: dict[int, Anchors], window: dt.timedelta
) -> anchoring.Linker:
    """The stored anchors the batch's entries may link to: their keys' frequencies on the
    days around the batch, the rows of the keys rare enough to look up, and the anchors and
    stories of the entries those rows belong to (three queries per 900 keys or entries)."""
    linker = anchoring.Linker(window=window, max_stories=settings.STORIES_ANCHOR_MAX_STORIES)
    moments = {entry.pk: _published(entry) for entry in batch if entry.pk in anchors_of}
    start, end = min(moments.values()) - window, max(moments.values()) + window
    keys = sorted({key for found in anchors_of.values() for key in anchoring.keys_of(found)})
    for chunk in _chunks(keys):
        for key, day, stories in AnchorFrequency.objects.filter(
            key__in=chunk, day__gte=anchoring.day_of(start), day__lte=anchoring.day_of(end)
        ).values_list("key", "day", "stories"):
            linker.frequencies[key][day] = stories
    # Frequencies only grow during the batch, so what is rare enough now is a superset of
    # what each entry will look up.
    languages: dict[int, set[str]] = {}  # key -> languages of the entries that look it up
    for entry in batch:
        if entry.pk in anchors_of:
            language = anchoring.base_language(entry.language_id)
            for key in linker.lookup_keys(anchors_of[entry.pk], moments[entry.pk]):
                # A key no stored story carries has no stored rows: most of a batch's keys
                # are new, and asking for them would be most of the lookup's cost.
                if key in linker.frequencies:
                    languages.setdefault(key, set()).add(language)
    wanted: set[int] = set()
    for chunk in _chunks(sorted(languages)):
        for key, member_id, language, seen_at in StoryAnchor.objects.filter(
            key__in=chunk, seen_at__gte=start, seen_at__lte=end
        ).values_list("key", "entry", "language", "seen_at"):
            linker.rows[key].append(anchoring.Candidate(member_id, language, seen_at))
            if languages[key] - {language}:  # some entry in another language looks it up
                wanted.add(member_id)
    for chunk in _chunks(sorted(wanted)):
        for entry_id, data, cluster_id, cluster_languages in StoryMember.objects.filter(
            pk__in=chunk, cluster__isnull=False
        ).values_list("entry_id", "anchors", "cluster_id", "cluster__languages"):
            linker.members[entry_id] = (anchoring.unpack(bytes(data)), -cluster_id)
            for code in cluster_languages:
                linker.note(-cluster_id, code)
    return linker


def _insert_anchors(members: list[StoryMember]) -> None:
    """The anchors of the entries that started or were linked into a story, and one more
    story for each of their anchors on the entry's day (two executemany)."""
    if not members:
        return
    quote = connection.ops.quote_name
    seen_at = StoryAnchor._meta.get_field("seen_at")
    if not isinstance(seen_at, models.Field):
        raise TypeError("seen_at")
    rows: list[tuple[int, int, str, Any]] = []
    counts: dict[tuple[int, int], int] = {}
    for member in members:
        moment = seen_at.get_db_prep_save(member.published_at, connection)
        language = anchoring.base_language(member.language)
        day = anchoring.day_of(member.published_at)
        for key in anchoring.keys_of(anchoring.unpack(bytes(member.anchors))):
            rows.append((key, member.entry_id, language, moment))
            counts[key, day] = counts.get((key, day), 0) + 1
    anchor_table = quote(StoryAnchor._meta.db_table)
    frequency_table = quote(AnchorFrequency._meta.db_table)
    columns = ", ".join(quote(name) for name in ("key", "entry", "language", "seen_at"))
    counted = quote("stories")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {anchor_table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608
            rows,
        )
        # The same upsert on SQLite (3.24+) and PostgreSQL.
        unique = f"{quote('key')}, {quote('day')}"
        cursor.executemany(
            f"INSERT INTO {frequency_table} ({unique}, {counted}) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({unique}) DO UPDATE SET "
            f"{counted} = {frequency_table}.{counted} + excluded.{counted}",
            [(k, d, n) for (k, d), n in counts.items()],
        )


def prune_anchors(*, window: dt.timedelta | None = None) -> int:
    """Forget the anchors (and their frequencies) older than twice the window before the
    newest stored one; returns how many anchor rows went. Twice: an entry that arrives late
    (a feed's older items harvested after newer ones) still finds what a rebuild would."""
    window = _window() if window is None else window
    if not window:
        deleted, _ = StoryAnchor.objects.all().delete()
        AnchorFrequency.objects.all().delete()
        return deleted
    newest = StoryAnchor.objects.aggregate(newest=models.Max("seen_at"))["newest"]
    if newest is None:
        return 0
    # Not past now: an entry dated in the future must not prune the present.
    cutoff = min(newest, timezone.now()) - 2 * window
    deleted, _ = StoryAnchor.objects.filter(seen_at__lt=cutoff).delete()
    AnchorFrequency.objects.filter(day__lt=anchoring.day_of(cutoff)).delete()
    return deleted


_GROWN = ("first_seen", "last_seen", "size", "languages", "countries")


def _update_clusters(clusters: list[StoryCluster]) -> None:
    """Write back what :func:`_grow` changed: one executemany (bulk_update's CASE expressions
    cost more than the rest of a batch)."""
    if not clusters:
        return
    quote = connection.ops.quote_name
    fields: list[models.Field[Any, Any]] = []
    for name in _GROWN:
        field = StoryCluster._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(name)
        fields.append(field)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    rows = [
        [field.get_db_prep_save(getattr(cluster, field.attname), connection) for field in fields]
        + [cluster.pk]
        for cluster in clusters
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(StoryCluster._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
            rows,
        )


def _insert_band_keys(rows: Iterable[tuple[int, int, int, int]]) -> None:
    """32 rows per entry: one executemany instead of model instances, which cost ten times
    what the rest of an entry's assignment costs (bench/stories.py)."""
    quote = connection.ops.quote_name
    table = quote(BandKey._meta.db_table)
    columns = ", ".join(quote(name) for name in ("band", "key", "entry_id", "cluster_id"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608
            list(rows),
        )


def _grow(cluster: StoryCluster, member: StoryMember) -> None:
    cluster.size += 1
    cluster.first_seen = min(cluster.first_seen, member.published_at)
    cluster.last_seen = max(cluster.last_seen, member.published_at)
    if member.language not in cluster.languages:
        cluster.languages = [*cluster.languages, member.language]
    if member.country not in cluster.countries:
        cluster.countries = [*cluster.countries, member.country]


def update_trending(*, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """Flag the clusters that grow fast now, unflag those that cooled: (flagged, unflagged).

    The rule is :func:`infoharbor.text.fingerprint.trending_clusters` (at least 5 entries in
    the last 6 hours, at three times the story's rate of the 48 hours before) over the
    publication times of the clusters' published entries.
    """
    now = now or timezone.now()
    since = now - trending_rule.WINDOW - trending_rule.BASELINE
    times = StoryMember.objects.filter(
        cluster__isnull=False,
        published_at__gt=since,
        published_at__lte=now,
        entry__status=EntryStatus.PUBLISHED,
    ).values_list("cluster_id", "published_at")
    hot = dict(trending_rule.trending_clusters(times, now=now))
    with transaction.atomic():
        cooled = list(
            StoryCluster.objects.filter(trending=True)
            .exclude(pk__in=hot)
            .values_list("pk", flat=True)
        )
        StoryCluster.objects.filter(pk__in=cooled).update(
            trending=False, trending_since=None, trend_rate=0.0
        )
        flagged: list[int] = []
        for cluster in StoryCluster.objects.select_for_update().filter(pk__in=hot):
            if not cluster.trending:
                flagged.append(cluster.pk)
                cluster.trending_since = now
            cluster.trending = True
            cluster.trend_rate = hot[cluster.pk].recent_rate
            cluster.save(update_fields=["trending", "trending_since", "trend_rate"])
    return sorted(flagged), sorted(cooled)
