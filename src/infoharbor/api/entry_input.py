"""From the API's entry input to the services' typed arguments.

Codes and slugs are looked up, the kind's details are checked against the kind's schema
(so a wrong type is a 422 on ``details.<field>``, never a crash in a form), and every
problem is reported at once, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.utils.translation import gettext as _

from infoharbor.api.entry_schemas import EntryCreateIn, EntryUpdateIn
from infoharbor.api.problems import FieldError, pydantic_errors, validation_problem
from infoharbor.core import kinds
from infoharbor.core.languages import content_language
from infoharbor.core.models import Country, Entry, Language, Organization, Sector
from infoharbor.core.services import EntryData

# Fields that may be cleared with null; text fields become empty, the others are required.
_NULLABLE = frozenset({"lat", "lng", "expires_at"})
_BLANKABLE = frozenset({"summary", "body", "region", "source_url"})


@dataclass
class _Errors:
    items: list[FieldError] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        self.items.append(FieldError(field=name, message=message))

    def raise_if_any(self) -> None:
        if self.items:
            raise validation_problem(self.items)


def _language(code: str, errors: _Errors) -> Language | None:
    found = Language.objects.filter(code=content_language(code)).first()
    if found is None:
        errors.add("language", _("Unknown language; see /api/v1/languages."))
    return found


def _country(code: str, errors: _Errors) -> Country | None:
    found = Country.objects.filter(iso2=code.strip().upper()).first()
    if found is None:
        errors.add("country", _("Unknown country; give its ISO 3166 alpha-2 code."))
    return found


def _sectors(slugs: list[str], errors: _Errors) -> list[Sector]:
    wanted = list(dict.fromkeys(slug.strip() for slug in slugs))
    found = {sector.slug: sector for sector in Sector.objects.filter(slug__in=wanted)}
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        errors.add("sectors", _("Unknown sectors: %(slugs)s.") % {"slugs": ", ".join(missing)})
    return [found[slug] for slug in wanted if slug in found]


def _details(kind: kinds.EntryKind, raw: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """``raw`` checked against the kind's schema, as the plain values the kind's form reads."""
    unknown = sorted(set(raw) - set(kind.schema.model_fields))
    for name in unknown:
        errors.add(f"details.{name}", _("This kind of entry has no such field."))
    try:
        checked = kind.schema.model_validate(raw)
    except pydantic.ValidationError as error:
        for item in pydantic_errors(error.errors()):
            errors.add(f"details.{item.field}" if item.field else "details", item.message)
        return {}
    dumped: dict[str, Any] = checked.model_dump(mode="json")
    return {name: ("" if value is None else value) for name, value in dumped.items()}


def current_details(entry: Entry) -> dict[str, Any]:
    """The entry's details as the kind's schema dumps them ({} when it has none)."""
    try:
        kind = kinds.get(entry.kind)
    except kinds.UnknownKind:
        return {}
    obj = kind.model._default_manager.filter(pk=entry.pk).first()
    if obj is None:
        return {}
    dumped: dict[str, Any] = kind.schema.model_validate(obj, from_attributes=True).model_dump(
        mode="json"
    )
    return dumped


@dataclass(frozen=True)
class NewEntry:
    kind: str
    organization: Organization
    data: EntryData
    details: dict[str, Any]


def organization_for(slug: str) -> Organization:
    found = Organization.objects.filter(slug=slug.strip()).first()
    if found is None:
        raise validation_problem(
            [FieldError(field="organization", message=_("Unknown organization."))]
        )
    return found


def new_entry(payload: EntryCreateIn, organization: Organization) -> NewEntry:
    errors = _Errors()
    kind: kinds.EntryKind | None = None
    try:
        kind = kinds.get(payload.kind.strip())
    except kinds.UnknownKind:
        errors.add("kind", _("Unknown kind of entry; see /api/v1/kinds."))
    language = _language(payload.language, errors)
    country = _country(payload.country, errors)
    sectors = _sectors(payload.sectors, errors)
    details = _details(kind, payload.details, errors) if kind is not None else {}
    errors.raise_if_any()
    if kind is None or language is None or country is None:  # reported above
        raise validation_problem(errors.items)
    data = EntryData(
        title=payload.title,
        language=language,
        country=country,
        summary=payload.summary,
        body=payload.body,
        body_format=payload.body_format,
        sectors=sectors,
        tags=payload.tags,
        lat=payload.lat,
        lng=payload.lng,
        region=payload.region,
        source_url=payload.source_url,
        license=payload.license,
        visibility=payload.visibility,
        expires_at=payload.expires_at,
    )
    return NewEntry(kind=kind.key, organization=organization, data=data, details=details)


def merged_update(entry: Entry, payload: EntryUpdateIn) -> tuple[EntryData, dict[str, Any]]:
    """The entry's current values with the fields ``payload`` sets laid over them."""
    changes = payload.model_dump(exclude_unset=True)
    errors = _Errors()
    for name, value in changes.items():
        if value is None and name not in _NULLABLE:
            if name in _BLANKABLE:
                changes[name] = ""
            else:
                errors.add(name, _("This field may not be null."))
    errors.raise_if_any()
    data = EntryData(
        title=entry.title,
        language=entry.language,
        country=entry.country,
        summary=entry.summary,
        body=entry.body_source,
        body_format=entry.body_format,
        sectors=list(entry.sectors.all()),
        tags=[tag.slug for tag in entry.tags.all()],
        lat=entry.lat,
        lng=entry.lng,
        region=entry.region,
        source_url=entry.source_url,
        license=entry.license,
        visibility=entry.visibility,
        expires_at=entry.expires_at,
    )
    if "language" in changes:
        data.language = _language(changes.pop("language"), errors) or data.language
    if "country" in changes:
        data.country = _country(changes.pop("country"), errors) or data.country
    if "sectors" in changes:
        data.sectors = _sectors(changes.pop("sectors"), errors)
    details = current_details(entry)
    if "details" in changes:
        try:
            kind = kinds.get(entry.kind)
        except kinds.UnknownKind:
            errors.add("details", _("This entry's kind is not installed here."))
        else:
            details = _details(kind, {**details, **changes.pop("details")}, errors)
    errors.raise_if_any()
    for name, value in changes.items():
        setattr(data, name, value)
    return data, details
