"""Entries as index documents: the searchable text, analysed, and the fields to filter on.

An entry is in the index while it is published by an active organization; its visibility and
expiry are stored so that each search shows only what the reader may see. Everything else is
removed from the index.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from infoharbor.core import kinds
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
    folded: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)


def _texts(
    language: str,
    title: str,
    summary: str,
    body_html: str,
    translations: list[tuple[str, str, str, str]],
) -> list[tuple[str, str, str]]:
    """(field, text, language) of an entry and its translations, title first."""
    texts = [("title", title, language)]
    if summary:
        texts.append(("body", summary, language))
    if body_html:
        texts.append(("body", plain_text(body_html)[:MAX_BODY_CHARS], language))
    for translation_language, t_title, t_summary, t_body in translations:
        if t_title:
            texts.append(("title", t_title, translation_language))
        if t_summary:
            texts.append(("body", t_summary, translation_language))
        if t_body:
            body = plain_text(t_body)[:MAX_BODY_CHARS]
            texts.append(("body", body, translation_language))
    return texts


# The entry's columns a document is made of.
_FIELDS = (
    "pk",
    "kind",
    "title",
    "summary",
    "body_html",
    "language_id",
    "country_id",
    "organization_id",
    "organization__name",
    "visibility",
    "published_at",
    "created_at",
    "expires_at",
)


def build(entry_ids: Iterable[int]) -> tuple[list[IndexDocument], list[int]]:
    """Documents for the indexable entries among ``entry_ids``, and the ids to remove.

    Read as plain values, a query per relation (no model instances: for a batch of ingested
    entries, building and prefetching those cost as much as analysing their text).
    """
    wanted = list(entry_ids)
    rows = list(
        Entry.objects.filter(
            pk__in=wanted,
            status=EntryStatus.PUBLISHED,
            organization__is_active=True,
            published_at__isnull=False,
        ).values_list(*_FIELDS)
    )
    ids = [row[0] for row in rows]
    sectors: dict[int, list[str]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    translations: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
    if ids:
        through = Entry.sectors.through.objects.filter(entry_id__in=ids)
        for pk, slug in through.values_list("entry_id", "sector__slug"):
            sectors[pk].append(slug)
        tagged = Entry.tags.through.objects.filter(entry_id__in=ids).order_by("tag__slug")
        for pk, slug in tagged.values_list("entry_id", "tag__slug"):
            tags[pk].append(slug)
        found = EntryTranslation.objects.filter(entry_id__in=ids).order_by("language_id", "pk")
        for pk, *translation in found.values_list(
            "entry_id", "language_id", "title", "summary", "body_html"
        ):
            translations[pk].append(tuple(translation))  # type: ignore[arg-type]
    details = _details([(row[0], row[1]) for row in rows])
    # A batch holds many entries of one organization: analyse each name once.
    names: dict[int, list[str]] = {}
    documents = []
    for row in rows:
        (pk, kind, title, summary, body_html, language, country, organization_id) = row[:8]
        (organization_name, visibility, published_at, created_at, expires_at) = row[8:]
        if organization_id not in names:
            names[organization_id] = analyze(organization_name, None).tokens
        document = IndexDocument(
            entry_id=pk,
            kind=kind,
            platform=_platform(kind),
            country=country,
            language=language,
            organization_id=organization_id,
            visibility=visibility,
            sectors=sorted(sectors.get(pk, ())),
            published_at=published_at or created_at,
            expires_at=expires_at,
            organization=names[organization_id],
        )
        texts = _texts(language, title, summary, body_html, translations.get(pk, []))
        extra = registry.detail_text(kind, details.get(pk))
        extra += [slug.replace("-", " ") for slug in tags.get(pk, ())]
        texts += [("body", text, language) for text in extra]
        _analyse_into(document, texts)
        documents.append(document)
    kept = set(ids)
    return documents, [pk for pk in wanted if pk not in kept]


def _platform(kind: str) -> str:
    try:
        return kinds.get(kind).platform
    except kinds.UnknownKind:
        return ""


def _details(entries: list[tuple[int, str]]) -> dict[int, object]:
    """The typed detail rows of the entries whose kind adds searchable text of its details."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for pk, kind in entries:
        if registry.has_detail_text(kind):
            by_kind[kind].append(pk)
    found: dict[int, object] = {}
    for key, ids in by_kind.items():
        try:
            model = kinds.get(key).model
        except kinds.UnknownKind:
            continue
        for row in model._default_manager.filter(pk__in=ids):
            found[row.pk] = row
    return found


def _analyse_into(document: IndexDocument, texts: list[tuple[str, str, str]]) -> None:
    found_concepts: set[str] = {f"country:{document.country}"}
    found_concepts.update(f"sector:{slug}" for slug in document.sectors)
    for field_name, text, language in texts:
        analyzed = analyze(text, language)
        add_text(document, field_name, analyzed)
        found_concepts.update(concepts.find_keys(analyzed.words))
    document.concepts = sorted(found_concepts)


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
    document.folded.extend(analyzed.folded)
