"""Reads of the core, shaped for pages and lists.

Every list here costs a fixed number of queries whatever its length: related rows come with
``select_related`` and translations with one prefetch for the reader's language. Writes live in
:mod:`infoharbor.core.services`; who may read what lives in :mod:`infoharbor.core.permissions`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import Promise

from infoharbor.core import kinds, permissions
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Country, Entry, EntryTranslation, Organization
from infoharbor.core.permissions import Actor
from infoharbor.core.platforms import PLATFORMS, Platform

# How long a withdrawn entry stays in the moderators' queue.
RECENTLY_WITHDRAWN = dt.timedelta(days=14)


# --- Entries ----------------------------------------------------------------------------------


def live(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    """Published and not expired."""
    return queryset.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        status=EntryStatus.PUBLISHED,
    )


def published_entries(actor: Actor) -> QuerySet[Entry]:
    """What ``actor`` finds in public lists: live entries they may read, newest first."""
    return live(permissions.visible_entries(Entry.objects.all(), actor)).order_by(
        "-published_at", "-id"
    )


def with_card_relations(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    """The related rows an entry card shows, fetched in the same query."""
    return queryset.select_related("organization", "country", "language")


def visible_entry(actor: Actor, pk: int) -> Entry | None:
    """The entry ``pk`` with everything its page shows, or None when ``actor`` may not see it
    (so that pages answer 404 and do not reveal that it exists)."""
    entry = (
        Entry.objects.select_related(
            "organization", "organization__country", "country", "language", "withdrawn_by"
        )
        .prefetch_related(
            "sectors",
            "tags",
            Prefetch("translations", queryset=EntryTranslation.objects.select_related("language")),
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None or not permissions.can_view(actor, entry):
        return None
    return entry


def details_by_entry(entries: Iterable[Entry]) -> dict[int, models.Model]:
    """The kinds' typed detail rows of ``entries`` by entry id, one query per kind (entries of
    a kind whose app is not installed have none)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry.pk)
    found: dict[int, models.Model] = {}
    for key, ids in by_kind.items():
        try:
            kind = kinds.get(key)
        except kinds.UnknownKind:
            continue
        for row in kind.model._default_manager.filter(pk__in=ids):
            found[row.pk] = row
    return found


def entry_details(entry: Entry) -> object | None:
    """The kind's typed details of ``entry`` (None for an unknown kind or missing row)."""
    try:
        kind = kinds.get(entry.kind)
    except kinds.UnknownKind:
        return None
    return kind.model._default_manager.filter(pk=entry.pk).first()


@dataclass(frozen=True)
class Text:
    """A piece of content and the language it is actually written in."""

    value: str
    lang: str


@dataclass(frozen=True)
class Localized:
    """An entry's content as shown to one reader: translated where possible."""

    title: Text
    summary: Text
    body_html: Text
    translation: EntryTranslation | None

    @property
    def is_original(self) -> bool:
        return self.translation is None

    @property
    def is_machine(self) -> bool:
        return self.translation is not None and self.translation.is_machine


def localize(entry: Entry, translation: EntryTranslation | None) -> Localized:
    """The entry's text in ``translation``'s language; parts it lacks stay in the original."""
    original = entry.language_id
    if translation is None:
        return Localized(
            Text(entry.title, original),
            Text(entry.summary, original),
            Text(entry.body_html, original),
            None,
        )
    language = translation.language_id

    def pick(translated: str, fallback: str) -> Text:
        return Text(translated, language) if translated else Text(fallback, original)

    return Localized(
        title=Text(translation.title, language),
        summary=pick(translation.summary, entry.summary),
        body_html=pick(translation.body_html, entry.body_html),
        translation=translation,
    )


def choose_translation(entry: Entry, language: str) -> EntryTranslation | None:
    """The translation of ``entry`` into ``language`` among its prefetched ones, if any."""
    if language == entry.language_id:
        return None
    for translation in entry.translations.all():
        if translation.language_id == language:
            return translation
    return None


@dataclass(frozen=True)
class EntryCard:
    """One entry in a list, in the reader's language where a translation exists."""

    entry: Entry
    text: Localized
    kind_label: str | Promise

    @property
    def is_demo(self) -> bool:
        return self.entry.is_demo or self.entry.organization.is_demo


def kind_label(key: str) -> str | Promise:
    try:
        return kinds.get(key).label
    except kinds.UnknownKind:
        return key


def entry_cards(entries: Iterable[Entry], language: str) -> list[EntryCard]:
    """Cards for ``entries``, with their translations into ``language`` in one query.

    ``entries`` should come from :func:`with_card_relations` (or a page of it).
    """
    rows = list(entries)
    prefetch_related_objects(
        rows,
        Prefetch(
            "translations",
            queryset=EntryTranslation.objects.filter(language_id=language),
            to_attr="reader_translations",
        ),
    )
    cards = []
    for entry in rows:
        found: list[EntryTranslation] = getattr(entry, "reader_translations", [])
        translation = found[0] if found and entry.language_id != language else None
        cards.append(EntryCard(entry, localize(entry, translation), kind_label(entry.kind)))
    return cards


@dataclass(frozen=True)
class PlatformSection:
    platform: Platform
    kinds: list[kinds.EntryKind]
    cards: list[EntryCard]

    @property
    def is_open(self) -> bool:
        return bool(self.kinds)


def latest_by_platform(
    actor: Actor, language: str, *, country: str | None = None, per_platform: int = 4
) -> list[PlatformSection]:
    """Each of the five platforms with its latest live entries (none for closed platforms).

    One query per open platform plus one for all translations.
    """
    found: list[tuple[Platform, list[kinds.EntryKind], list[Entry]]] = []
    for platform in PLATFORMS:
        platform_kinds = kinds.for_platform(platform.key)
        rows: list[Entry] = []
        if platform_kinds:
            queryset = published_entries(actor).filter(
                kind__in=[kind.key for kind in platform_kinds]
            )
            if country:
                queryset = queryset.filter(country_id=country)
            rows = list(with_card_relations(queryset)[:per_platform])
        found.append((platform, platform_kinds, rows))
    cards = iter(entry_cards([entry for *_, rows in found for entry in rows], language))
    return [
        PlatformSection(platform, platform_kinds, [next(cards) for _ in rows])
        for platform, platform_kinds, rows in found
    ]


def org_entry_counts(organization_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """``{organization id: {status: number of entries}}``, every status present (zero)."""
    counts = {org: dict.fromkeys(EntryStatus.values, 0) for org in organization_ids}
    rows = (
        Entry.objects.filter(organization_id__in=organization_ids)
        .order_by()
        .values_list("organization_id", "status")
        .annotate(number=Count("id"))
    )
    for org, status, number in rows:
        counts[org][status] = number
    return counts


def organization_entries(actor: Actor, organization: Organization) -> QuerySet[Entry]:
    """All entries of ``organization`` that ``actor`` may read, in any status, latest first."""
    return with_card_relations(
        permissions.visible_entries(Entry.objects.filter(organization=organization), actor)
    ).order_by("-updated_at", "-id")


def moderation_queue(actor: Actor) -> tuple[QuerySet[Entry], QuerySet[Entry]]:
    """What ``actor`` moderates: published entries nobody has reviewed yet, and entries
    withdrawn recently. Operators see every country's."""
    entries = Entry.objects.all()
    if not actor.is_operator:
        entries = entries.filter(country_id__in=sorted(actor.moderates))
    pending = entries.filter(status=EntryStatus.PUBLISHED, reviewed_at__isnull=True).order_by(
        "published_at", "id"
    )
    withdrawn = entries.filter(
        status=EntryStatus.WITHDRAWN, withdrawn_at__gte=timezone.now() - RECENTLY_WITHDRAWN
    ).order_by("-withdrawn_at", "-id")
    return with_card_relations(pending), with_card_relations(withdrawn)


# --- Organizations and countries --------------------------------------------------------------


def organizations(*, country: str | None = None, kind: str | None = None) -> QuerySet[Organization]:
    """Active organizations, by name."""
    queryset = Organization.objects.filter(is_active=True).select_related("country")
    if country:
        queryset = queryset.filter(country_id=country)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("name", "id")


def organization_page(slug: str) -> Organization | None:
    return (
        Organization.objects.select_related("country")
        .prefetch_related("sectors")
        .filter(slug=slug)
        .first()
    )


def by_name(countries: Iterable[Country]) -> list[Country]:
    """Countries sorted by their name in the active language."""
    return sorted(countries, key=lambda country: country.name.casefold())


def region_countries() -> list[Country]:
    """China and the ASEAN member states, by name in the active language."""
    return by_name(Country.objects.filter(region_member=True))


def other_countries() -> list[Country]:
    return by_name(Country.objects.filter(region_member=False))


def country_page(iso2: str) -> Country | None:
    return (
        Country.objects.select_related("currency")
        .prefetch_related("languages")
        .filter(iso2=iso2.upper())
        .first()
    )
