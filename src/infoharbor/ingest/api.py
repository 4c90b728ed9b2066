"""/sources: the feeds that fill the harbor, and their health.

Only operators and an organization's administrators see and manage its sources, so every
operation needs a token (reads: any scope; writes: the write scope).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from infoharbor.api.auth import BearerToken, caller, origin, write_auth
from infoharbor.api.pagination import NAME_KEYSET, PageParams, paginate
from infoharbor.api.problems import FieldError, Problem, not_found, validation_problem
from infoharbor.api.schemas import Text
from infoharbor.core.choices import License
from infoharbor.core.languages import content_language
from infoharbor.core.models import Country, Language, Organization, Sector
from infoharbor.core.permissions import Actor
from infoharbor.ingest import queries, services
from infoharbor.ingest.choices import Freshness, Outcome, SourceKind, default_entry_kind
from infoharbor.ingest.models import FetchAttempt, Source

router = Router(tags=["sources"], auth=BearerToken())

ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
# Reads need a token too (the API document says so; see api.routes).
READ: dict[str, object] = {"x-token-required": True}


class SourceIn(Schema):
    organization: str = Field(description="Slug of the organization whose entries it makes.")
    name: Text = Field(min_length=1, max_length=200)
    url: Text = Field(max_length=1000, description="The feed's http(s) address.")
    kind: SourceKind = Field(
        SourceKind.RSS,
        description="rss, atom, json_feed, dataset (a CSV, JSON or XLSX file), ckan, dcat and "
        "pages (article pages or a news sitemap); cap is refused until the alerts platform "
        "exists.",
    )
    country: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2; default: the organization's."
    )
    language: str = Field(description="Default language (BCP 47), for items that do not say.")
    sectors: list[str] = Field(default_factory=list, description="Sector slugs.")
    entry_kind: str | None = Field(
        None,
        description="See /api/v1/kinds. Default: information.dataset for dataset, ckan and "
        "dcat sources, information.news for the others.",
    )
    entry_details: dict[str, Any] = Field(
        default_factory=dict, description="The kind's details every entry gets."
    )
    publish: bool = Field(True, description="False: items arrive as drafts.")
    interval_minutes: int = Field(60, ge=1, description="At least the harbor's minimum.")
    quiet_after_hours: int = Field(72, ge=1)
    enabled: bool = True
    license: License = License.ALL_RIGHTS
    license_note: Text = Field("", max_length=300)


class SourcePatch(Schema):
    """Only the fields sent change."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    url: Text | None = Field(None, max_length=1000)
    kind: SourceKind | None = None
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    language: str | None = None
    sectors: list[str] | None = None
    entry_kind: str | None = None
    entry_details: dict[str, Any] | None = None
    publish: bool | None = None
    interval_minutes: int | None = Field(None, ge=1)
    quiet_after_hours: int | None = Field(None, ge=1)
    enabled: bool | None = None
    license: License | None = None
    license_note: Text | None = Field(None, max_length=300)


class StateOut(Schema):
    freshness: Freshness = Field(description="new, fresh, quiet, failing or off.")
    next_due_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error_code: str
    last_error: str
    consecutive_failures: int
    last_new_item_at: dt.datetime | None
    feed_format: str = Field(description="As detected: rss20, atom10, json1, ...")
    feed_title: str
    moved_to: str = Field(description="Where the feed said it moved permanently, if it did.")


class SourceOut(Schema):
    id: int
    name: str
    kind: SourceKind
    url: str
    organization: str
    country: str
    language: str
    sectors: list[str]
    entry_kind: str
    entry_details: dict[str, Any]
    publish: bool
    interval_minutes: int
    quiet_after_hours: int
    enabled: bool
    license: License
    license_note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    items_total: int
    items_per_day: float = Field(description="Mean of the last 7 days.")
    state: StateOut
    health: str = Field(description="The source's health in detail.")


class SourcePage(Schema):
    items: list[SourceOut]
    next: str | None


class SourceFilters(PageParams):
    organization: str | None = Field(None, description="Organization slug.")
    enabled: bool | None = None
    kind: SourceKind | None = None


class AttemptOut(Schema):
    started_at: dt.datetime
    finished_at: dt.datetime | None = Field(description="Empty: running, or interrupted.")
    outcome: Outcome
    url: str
    http_status: int | None
    error_code: str
    error: str
    notes: str
    bytes: int
    items_new: int
    items_updated: int
    items_unchanged: int
    items_duplicate: int
    items_failed: int
    items_withdrawn: int = Field(
        description="Entries withdrawn: their datasets left the catalogue."
    )


class DayCount(Schema):
    date: dt.date
    items: int


class HealthOut(Schema):
    source: int
    freshness: Freshness
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error_code: str
    last_error: str
    items_total: int
    items_per_day: float = Field(description="Mean of the last 7 days.")
    daily: list[DayCount] = Field(description="New items per UTC day, the last 14 days.")
    mean_delay_seconds: float | None = Field(
        description="From publication at the source to arrival here, over the last 30 days."
    )
    attempts: list[AttemptOut] = Field(description="The latest harvests, newest first.")


# --- Helpers -----------------------------------------------------------------------------


def _queryset(actor: Actor) -> QuerySet[Source]:
    return queries.manageable_sources(actor).prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.only("id", "slug"))
    )


def _out(request: HttpRequest, row: queries.SourceRow) -> SourceOut:
    source, state = row.source, row.state
    return SourceOut(
        id=source.pk,
        name=source.name,
        kind=SourceKind(source.kind),
        url=source.url,
        organization=source.organization.slug,
        country=source.country_id,
        language=source.language_id,
        sectors=[sector.slug for sector in source.sectors.all()],
        entry_kind=source.entry_kind,
        entry_details=source.entry_details,
        publish=source.publish,
        interval_minutes=source.interval_minutes,
        quiet_after_hours=source.quiet_after_hours,
        enabled=source.enabled,
        license=License(source.license),
        license_note=source.license_note,
        created_at=source.created_at,
        updated_at=source.updated_at,
        items_total=row.items_total,
        items_per_day=row.items_per_day,
        state=StateOut(
            freshness=Freshness(row.freshness),
            next_due_at=state.next_due_at if state else None,
            last_attempt_at=state.last_attempt_at if state else None,
            last_success_at=state.last_success_at if state else None,
            last_error_at=state.last_error_at if state else None,
            last_error_code=state.last_error_code if state else "",
            last_error=state.last_error if state else "",
            consecutive_failures=state.consecutive_failures if state else 0,
            last_new_item_at=state.last_new_item_at if state else None,
            feed_format=state.feed_format if state else "",
            feed_title=state.feed_title if state else "",
            moved_to=state.moved_to if state else "",
        ),
        health=request.build_absolute_uri(
            reverse("api:source_health", kwargs={"source_id": source.pk})
        ),
    )


def _visible(actor: Actor, source_id: int) -> queries.SourceRow:
    rows = queries.source_rows(_queryset(actor).filter(pk=source_id))
    if not rows:
        raise not_found(_("There is no source with this id, or you may not see it."))
    return rows[0]


@dataclasses.dataclass
class _Lookups:
    errors: list[FieldError] = dataclasses.field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(field=name, message=message))

    def country(self, code: str) -> Country | None:
        found = Country.objects.filter(iso2=code.upper()).first()
        if found is None:
            self.fail("country", _("Unknown country; give its ISO 3166 alpha-2 code."))
        return found

    def language(self, code: str) -> Language | None:
        found = Language.objects.filter(code=content_language(code)).first()
        if found is None:
            self.fail("language", _("Unknown language; see /api/v1/languages."))
        return found

    def sectors(self, slugs: list[str]) -> list[Sector]:
        wanted = list(dict.fromkeys(slug.strip() for slug in slugs))
        found = {sector.slug: sector for sector in Sector.objects.filter(slug__in=wanted)}
        missing = [slug for slug in wanted if slug not in found]
        if missing:
            self.fail("sectors", _("Unknown sectors: %(slugs)s.") % {"slugs": ", ".join(missing)})
        return [found[slug] for slug in wanted if slug in found]

    def check(self) -> None:
        if self.errors:
            raise validation_problem(self.errors)


def _apply(data: services.SourceData, changes: dict[str, Any], lookups: _Lookups) -> None:
    for name, value in changes.items():
        if name == "country":
            data.country = lookups.country(value) or data.country
        elif name == "language":
            data.language = lookups.language(value) or data.language
        elif name == "sectors":
            data.sectors = lookups.sectors(value)
        elif name in {"kind", "license"}:
            setattr(data, name, str(value.value if hasattr(value, "value") else value))
        else:
            setattr(data, name, value)


# --- Operations --------------------------------------------------------------------------


@router.get(
    "/sources", response={200: SourcePage, **ERRORS}, summary="List sources", openapi_extra=READ
)
def list_sources(request: HttpRequest, filters: Query[SourceFilters]) -> SourcePage:
    """The sources the caller manages: every source for operators, else those of the
    organizations they administer."""
    queryset = _queryset(caller(request).actor)
    if filters.organization:
        queryset = queryset.filter(organization__slug=filters.organization)
    if filters.enabled is not None:
        queryset = queryset.filter(enabled=filters.enabled)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    page, next_url = paginate(request, queries.with_counts(queryset), NAME_KEYSET, filters)
    return SourcePage(items=[_out(request, row) for row in queries.as_rows(page)], next=next_url)


@router.get(
    "/sources/{source_id}",
    response={200: SourceOut, **ERRORS},
    summary="A source",
    openapi_extra=READ,
)
def get_source(request: HttpRequest, source_id: int) -> SourceOut:
    """One source with its harvest state, if the caller manages it (404 otherwise)."""
    return _out(request, _visible(caller(request).actor, source_id))


@router.post(
    "/sources", response={201: SourceOut, **ERRORS}, auth=write_auth, summary="Add a source"
)
def create_source(
    request: HttpRequest, payload: SourceIn, response: HttpResponse
) -> Status[SourceOut]:
    """A new source of `organization`; needs a write token of an operator or of one of the
    organization's administrators. It is harvested at the next `infoharbor ingest`."""
    actor = caller(request).actor
    lookups = _Lookups()
    organization = Organization.objects.filter(slug=payload.organization).first()
    if organization is None:
        lookups.fail("organization", _("There is no organization with this slug."))
    country = lookups.country(payload.country) if payload.country else None
    language = lookups.language(payload.language)
    sectors = lookups.sectors(payload.sectors)
    lookups.check()
    if organization is None or language is None:  # pragma: no cover - check() reported it
        raise AssertionError("looked up above")
    data = services.SourceData(
        name=payload.name,
        url=payload.url,
        country=country or organization.country,
        language=language,
        sectors=sectors,
        entry_kind=payload.entry_kind or default_entry_kind(payload.kind),
    )
    _apply(
        data,
        payload.model_dump(
            include={
                "kind", "entry_details", "publish", "interval_minutes",
                "quiet_after_hours", "enabled", "license", "license_note",
            }
        ),
        lookups,
    )  # fmt: skip
    source = services.create_source(
        actor=actor, origin=origin(request), organization=organization, data=data
    )
    response["Location"] = request.build_absolute_uri(
        reverse("api:get_source", kwargs={"source_id": source.pk})
    )
    return Status(201, _out(request, _visible(actor, source.pk)))


@router.patch(
    "/sources/{source_id}", response={200: SourceOut, **ERRORS}, auth=write_auth,
    summary="Change some fields of a source",
)  # fmt: skip
def update_source(request: HttpRequest, source_id: int, payload: SourcePatch) -> SourceOut:
    """Only the fields sent change; `enabled: false` switches the source off (sources that
    brought items are kept, never deleted)."""
    actor = caller(request).actor
    source = _visible(actor, source_id).source
    lookups = _Lookups()
    data = services.SourceData.of(source)
    changes = payload.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    for name in nulls:
        lookups.fail(name, _("This field cannot be empty; leave it out to keep it."))
    _apply(data, {k: v for k, v in changes.items() if v is not None}, lookups)
    lookups.check()
    services.update_source(actor=actor, origin=origin(request), source=source, data=data)
    return _out(request, _visible(actor, source_id))


@router.get(
    "/sources/{source_id}/health", response={200: HealthOut, **ERRORS},
    summary="A source's health", openapi_extra=READ,
)  # fmt: skip
def source_health(request: HttpRequest, source_id: int) -> HealthOut:
    """Last success and error, items per day, the delay from publication to arrival, the
    freshness flag and the latest harvests."""
    row = _visible(caller(request).actor, source_id)
    health = queries.source_health(row.source)
    state = health.state
    return HealthOut(
        source=row.source.pk,
        freshness=Freshness(health.freshness),
        last_success_at=state.last_success_at,
        last_error_at=state.last_error_at,
        last_error_code=state.last_error_code,
        last_error=state.last_error,
        items_total=health.items_total,
        items_per_day=health.items_per_day,
        daily=[DayCount(date=day, items=n) for day, n in health.daily],
        mean_delay_seconds=health.mean_delay_seconds,
        attempts=[_attempt(attempt) for attempt in health.attempts],
    )


def _attempt(attempt: FetchAttempt) -> AttemptOut:
    return AttemptOut.model_validate(attempt, from_attributes=True)
