"""Writes to sources: create and change them, audited. (Harvests write through
:mod:`infoharbor.ingest.harvest`, entries through the core services.)

Operators manage every source; an organization's administrators manage its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoharbor.accounts.choices import Role
from infoharbor.core import audit
from infoharbor.core.choices import License
from infoharbor.core.models import Country, Language, Organization, Sector
from infoharbor.core.permissions import Actor
from infoharbor.ingest.choices import SourceKind
from infoharbor.ingest.models import Source, SourceState

# Recorded in the audit trail when they change.
AUDITED_FIELDS = [
    "name",
    "kind",
    "url",
    "country",
    "language",
    "entry_kind",
    "entry_details",
    "publish",
    "interval_minutes",
    "quiet_after_hours",
    "enabled",
    "license",
    "license_note",
]


@dataclass
class SourceData:
    """What a person says about a source."""

    name: str
    url: str
    country: Country
    language: Language
    kind: str = SourceKind.RSS
    sectors: list[Sector] = field(default_factory=list)
    entry_kind: str = "information.news"
    entry_details: dict[str, Any] = field(default_factory=dict)
    publish: bool = True
    interval_minutes: int = 60
    quiet_after_hours: int = 72
    enabled: bool = True
    license: str = License.ALL_RIGHTS
    license_note: str = ""

    @classmethod
    def of(cls, source: Source) -> SourceData:
        """The stored values, to change some of them."""
        return cls(
            name=source.name,
            url=source.url,
            country=source.country,
            language=source.language,
            kind=source.kind,
            sectors=list(source.sectors.all()),
            entry_kind=source.entry_kind,
            entry_details=dict(source.entry_details),
            publish=source.publish,
            interval_minutes=source.interval_minutes,
            quiet_after_hours=source.quiet_after_hours,
            enabled=source.enabled,
            license=source.license,
            license_note=source.license_note,
        )


def can_manage_sources(actor: Actor, organization: Organization) -> bool:
    return actor.is_operator or (
        organization.is_active and actor.has_role(organization.pk, Role.ADMIN)
    )


def _check(actor: Actor, organization: Organization) -> None:
    if not can_manage_sources(actor, organization):
        raise PermissionDenied(
            _("Only operators and the organization's administrators manage its sources.")
        )


def _apply(source: Source, data: SourceData) -> None:
    source.name = data.name.strip()
    source.url = data.url.strip()
    source.country = data.country
    source.language = data.language
    source.kind = data.kind
    source.entry_kind = data.entry_kind
    source.entry_details = data.entry_details
    source.publish = data.publish
    source.interval_minutes = data.interval_minutes
    source.quiet_after_hours = data.quiet_after_hours
    source.enabled = data.enabled
    source.license = data.license
    source.license_note = data.license_note.strip()


def _validate(source: Source) -> None:
    try:
        source.full_clean(exclude=["sectors"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def _snapshot(source: Source) -> dict[str, Any]:
    return {
        **audit.snapshot(source, AUDITED_FIELDS),
        "sectors": sorted(source.sectors.values_list("slug", flat=True)),
    }


@transaction.atomic
def create_source(
    *, actor: Actor, origin: audit.Origin, organization: Organization, data: SourceData
) -> Source:
    _check(actor, organization)
    source = Source(organization=organization)
    _apply(source, data)
    _validate(source)
    source.save()
    source.sectors.set(data.sectors)
    SourceState.objects.create(source=source)
    audit.record(
        origin,
        "source.create",
        source,
        organization=organization,
        changes=audit.diff({}, _snapshot(source)),
    )
    return source


@transaction.atomic
def update_source(
    *, actor: Actor, origin: audit.Origin, source: Source, data: SourceData
) -> Source:
    source = Source.objects.select_for_update().select_related("organization").get(pk=source.pk)
    _check(actor, source.organization)
    before = _snapshot(source)
    address_changed = data.url.strip() != source.url
    _apply(source, data)
    _validate(source)
    source.updated_at = timezone.now()
    source.save()
    source.sectors.set(data.sectors)
    state, _created = SourceState.objects.get_or_create(source=source)
    if address_changed:
        # A new address is a new document: its validators and redirect are not the old one's.
        state.etag = state.last_modified = state.moved_to = state.document_hash = ""
        state.cursor = {}  # a catalogue's or sitemap's place is the old address's
        state.next_due_at = None
        state.save()
    changes = audit.diff(before, _snapshot(source))
    if changes:
        audit.record(
            origin, "source.update", source, organization=source.organization, changes=changes
        )
    return source
