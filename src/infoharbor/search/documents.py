"""Entries as index documents: the searchable text, analysed, and the fields to filter on.

An entry is in the index while it is published by an active organization; its visibility and
expiry are stored so that each search shows only what the reader may see. Everything else is
removed from the index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from infoharbor.core import kinds, queries
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Entry, EntryTranslation
from infoharbor.core.richtext import plain_text
from infoharbor.search import concepts, registry
from infoharbor.text.analyze import Analyzed, analyze

# Text beyond this many characters of a body is not indexed (nor highlighted).
MAX_BODY_CHARS = 60_000


@dataclass
class IndexDocument:
    entry_id: int
    kind: str
    platform: str
    country: str
    language: str
    organization_id: int
    visibility: str
    sectors: list[str]
    published_at: dt.datetime
    expires_at: dt.datetime | None
    title: list[str] = field(default_factory=list)  # words as written, each with its parts
    body: list[str] = field(default_factory=list)  # words, by stem where stemmed, in order
    organization: list[str] = field(default_factory=list)  # words and parts
    parts: list[str] = field(default_factory=list)  # the parts of the body's compounds
    grams: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)


def searchable_texts(entry: Entry) -> list[tuple[str, str, str]]:
    """(field, text, language) of an entry and its translations, title first."""
    language = entry.language_id
    texts = [("title", entry.title, language)]
    if entry.summary:
        texts.append(("body", entry.summary, language))
    if entry.body_html:
        texts.append(("body", plain_text(entry.body_html)[:MAX_BODY_CHARS], language))
    for translation in entry.translations.all():
        if translation.title:
            texts.append(("title", translation.title, translation.language_id))
        if translation.summary:
            texts.append(("body", translation.summary, translation.language_id))
        if translation.body_html:
            body = plain_text(translation.body_html)[:MAX_BODY_CHARS]
            texts.append(("body", body, translation.language_id))
    return texts


def is_indexable(entry: Entry) -> bool:
    return (
        entry.status == EntryStatus.PUBLISHED
        and entry.organization.is_active
        and entry.published_at is not None
    )


def build(entry_ids: Iterable[int]) -> tuple[list[IndexDocument], list[int]]:
    """Documents for the indexable entries among ``entry_ids``, and the ids to remove."""
    wanted = list(entry_ids)
    entries = list(
        Entry.objects.filter(pk__in=wanted)
        .select_related("organization")
        .prefetch_related(
            "sectors",
            "tags",
            Prefetch("translations", queryset=EntryTranslation.objects.order_by("language_id")),
        )
    )
    indexable = [entry for entry in entries if is_indexable(entry)]
    details = queries.details_by_entry(indexable)
    # A batch holds many entries of one organization: analyse each name once.
    names = {e.organization_id: analyze(e.organization.name, None).tokens for e in indexable}
    documents = [
        _document(entry, details.get(entry.pk), names[entry.organization_id]) for entry in indexable
    ]
    kept = {document.entry_id for document in documents}
    return documents, [pk for pk in wanted if pk not in kept]


def _document(entry: Entry, details: object | None, organization: list[str]) -> IndexDocument:
    try:
        platform = kinds.get(entry.kind).platform
    except kinds.UnknownKind:
        platform = ""
    document = IndexDocument(
        entry_id=entry.pk,
        kind=entry.kind,
        platform=platform,
        country=entry.country_id,
        language=entry.language_id,
        organization_id=entry.organization_id,
        visibility=entry.visibility,
        sectors=sorted(sector.slug for sector in entry.sectors.all()),
        published_at=entry.published_at or entry.created_at,
        expires_at=entry.expires_at,
    )
    texts = searchable_texts(entry)
    extra = registry.detail_text(entry.kind, details)
    extra += [tag.slug.replace("-", " ") for tag in entry.tags.all()]
    texts += [("body", text, entry.language_id) for text in extra]
    found_concepts: set[str] = {f"country:{entry.country_id}"}
    found_concepts.update(f"sector:{slug}" for slug in document.sectors)
    for field_name, text, language in texts:
        analyzed = analyze(text, language)
        add_text(document, field_name, analyzed)
        found_concepts.update(concepts.find_keys(analyzed.words))
    document.organization = organization
    document.concepts = sorted(found_concepts)
    return document


def add_text(document: IndexDocument, field_name: str, analyzed: Analyzed) -> None:
    """Add an analysed title or body text to ``document``.

    Titles keep their words as written, so that search as you type completes them (a prefix
    of peningkatan is not one of its stem, tingkat), each followed by its parts. Bodies are
    searched by stem, and the parts of their compounds go to a field of their own: among the
    words they would lengthen the texts that have compounds and count a part as much as a
    word, which costs relevance (measured on the QA tuning sets, docs/benchmarks.md).
    """
    if field_name == "title":
        document.title.extend(analyzed.tokens)
    else:
        document.body.extend(analyzed.stemmed)
        document.parts.extend(analyzed.parts)
    document.grams.extend(analyzed.grams)
    document.folded.extend(analyzed.folded)
