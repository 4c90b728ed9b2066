"""Entries as the API shows them, loaded in a fixed number of queries per page.

:func:`entry_queryset` joins and prefetches everything the representation needs; the kinds'
details and the asked-for translations are read in one query per kind and one per page, so
a page of 200 entries costs as many queries as a page of 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from infoharbor.api.entry_schemas import EntryOut
from infoharbor.api.schemas import Location, OrganizationBrief
from infoharbor.core import kinds, permissions, queries
from infoharbor.core.choices import BodyFormat, EntryStatus, License, Provenance, Visibility
from infoharbor.core.languages import content_language
from infoharbor.core.models import Entry, EntryTranslation, Sector, Tag
from infoharbor.core.permissions import Actor


def entry_queryset() -> QuerySet[Entry]:
    return Entry.objects.select_related("organization", "author").prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.only("id", "slug")),
        Prefetch("tags", queryset=Tag.objects.only("id", "slug")),
        Prefetch(
            "translations",
            queryset=EntryTranslation.objects.only("id", "entry_id", "language_id").order_by(
                "language_id"
            ),
        ),
    )


def load_details(entries: Iterable[Entry]) -> dict[int, dict[str, Any]]:
    """Each entry's kind-specific fields, dumped with the kind's schema (one query per kind)."""
    # An entry of a kind whose app is not installed here has no details; its shared fields
    # still show.
    entries = list(entries)
    kind_of = {entry.pk: entry.kind for entry in entries}
    return {
        pk: kinds.get(kind_of[pk])
        .schema.model_validate(row, from_attributes=True)
        .model_dump(mode="json")
        for pk, row in queries.details_by_entry(entries).items()
    }


@dataclass(frozen=True)
class _Text:
    language: str
    title: str
    summary: str
    body_html: str
    is_machine: bool


def _load_texts(entries: Sequence[Entry], lang: str | None) -> dict[int, _Text]:
    if not lang:
        return {}
    code = content_language(lang)
    wanted = [
        entry.pk
        for entry in entries
        if entry.language_id != code
        and any(t.language_id == code for t in entry.translations.all())
    ]
    if not wanted:
        return {}
    rows = EntryTranslation.objects.filter(entry_id__in=wanted, language_id=code)
    by_id = {entry.pk: entry for entry in entries}
    # Parts a translation leaves empty are read in the original, as on the portal.
    return {
        row.entry_id: _Text(
            code,
            row.title,
            row.summary or by_id[row.entry_id].summary,
            row.body_html or by_id[row.entry_id].body_html,
            row.is_machine,
        )
        for row in rows
    }


def entries_out(
    request: HttpRequest, actor: Actor, entries: Sequence[Entry], lang: str | None = None
) -> list[EntryOut]:
    details = load_details(entries)
    texts = _load_texts(entries, lang)
    return [_entry_out(request, actor, entry, details, texts) for entry in entries]


def _entry_out(
    request: HttpRequest,
    actor: Actor,
    entry: Entry,
    details: dict[int, dict[str, Any]],
    texts: dict[int, _Text],
) -> EntryOut:
    may_edit = permissions.can_edit(actor, entry)
    text = texts.get(entry.pk) or _Text(
        entry.language_id, entry.title, entry.summary, entry.body_html, False
    )
    location = (
        Location(lat=entry.lat, lng=entry.lng)
        if entry.lat is not None and entry.lng is not None
        else None
    )
    return EntryOut(
        id=entry.pk,
        kind=entry.kind,
        title=text.title,
        summary=text.summary,
        body_html=text.body_html,
        language=entry.language_id,
        text_language=text.language,
        translated=text.language != entry.language_id,
        machine_translated=text.is_machine,
        translations=[t.language_id for t in entry.translations.all()],
        country=entry.country_id,
        organization=OrganizationBrief(slug=entry.organization.slug, name=entry.organization.name),
        author=(entry.author.display_name or None) if entry.author else None,
        sectors=[sector.slug for sector in entry.sectors.all()],
        tags=[tag.slug for tag in entry.tags.all()],
        location=location,
        region=entry.region,
        source_url=entry.source_url,
        provenance=Provenance(entry.provenance),
        license=License(entry.license),
        status=EntryStatus(entry.status),
        visibility=Visibility(entry.visibility),
        body_format=BodyFormat(entry.body_format),
        body=entry.body_source if may_edit else None,
        withdrawn_reason=entry.withdrawn_reason if may_edit else None,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        published_at=entry.published_at,
        expires_at=entry.expires_at,
        url=request.build_absolute_uri(entry.get_absolute_url()),
        details=details.get(entry.pk, {}),
    )
