"""/entries: list, read, create, change, submit, publish and withdraw entries.

Handlers stay thin: they find what the caller may see, turn input into the services' types
(:mod:`infoharbor.api.entry_input`), call :mod:`infoharbor.core.services` and show the result
(:mod:`infoharbor.api.entry_output`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from infoharbor.api.auth import caller, origin, read_auth, write_auth
from infoharbor.api.entry_input import merged_update, new_entry, organization_for
from infoharbor.api.entry_output import entries_out, entry_queryset
from infoharbor.api.entry_schemas import (
    EntryCreateIn,
    EntryFilters,
    EntryOut,
    EntryPage,
    EntryUpdateIn,
    LangParam,
    TranslationIn,
    WithdrawIn,
)
from infoharbor.api.pagination import ENTRY_KEYSET, paginate
from infoharbor.api.problems import ApiProblem, FieldError, Problem, not_found, validation_problem
from infoharbor.core import kinds, permissions, services
from infoharbor.core.choices import EntryStatus
from infoharbor.core.languages import content_language
from infoharbor.core.models import Entry, Language, Sector
from infoharbor.core.permissions import Actor
from infoharbor.core.platforms import BY_KEY as PLATFORMS

router = Router(tags=["entries"], auth=read_auth)

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {
    400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 413: Problem,
    422: Problem,
}  # fmt: skip


def filter_entries(queryset: QuerySet[Entry], filters: EntryFilters) -> QuerySet[Entry]:
    if filters.kind:
        try:
            queryset = queryset.filter(kind=kinds.get(filters.kind).key)
        except kinds.UnknownKind:
            raise validation_problem(
                [FieldError(field="kind", message=_("Unknown kind of entry; see /api/v1/kinds."))]
            ) from None
    if filters.platform:
        if filters.platform not in PLATFORMS:
            raise validation_problem(
                [FieldError(field="platform", message=_("Unknown platform; see /api/v1/kinds."))]
            )
        queryset = queryset.filter(kind__in=[k.key for k in kinds.for_platform(filters.platform)])
    if filters.country:
        queryset = queryset.filter(country_id=filters.country.upper())
    if filters.language:
        queryset = queryset.filter(language_id=content_language(filters.language))
    if filters.sector:
        sectors = Sector.objects.filter(
            Q(slug__in=filters.sector) | Q(parent__slug__in=filters.sector)
        ).values("pk")
        tagged = Entry.sectors.through.objects.filter(sector_id__in=sectors)
        queryset = queryset.filter(pk__in=tagged.values("entry_id"))
    if filters.organization:
        queryset = queryset.filter(organization__slug=filters.organization)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.published_after:
        queryset = queryset.filter(published_at__gte=filters.published_after)
    if filters.published_before:
        queryset = queryset.filter(published_at__lt=filters.published_before)
    if not filters.include_expired:
        queryset = queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    if filters.tag:
        tag = services.tag_slug(filters.tag)
        with_tag = Entry.tags.through.objects.filter(tag__slug=tag)
        queryset = queryset.filter(pk__in=with_tag.values("entry_id"))
    return queryset


def _visible_entry(actor: Actor, entry_id: int) -> Entry:
    entry = permissions.visible_entries(entry_queryset(), actor).filter(pk=entry_id).first()
    if entry is None:
        raise not_found(_("There is no entry with this id, or you may not see it."))
    return entry


def _shown(request: HttpRequest, actor: Actor, entry_id: int, lang: str | None = None) -> EntryOut:
    """The entry as ``actor`` sees it now, freshly read."""
    entry = entry_queryset().get(pk=entry_id)
    return entries_out(request, actor, [entry], lang)[0]


def _conflict(detail: str) -> ApiProblem:
    return ApiProblem(409, "invalid_transition", detail, title="Not possible in this status")


@router.get("/entries", response={200: EntryPage, **READ_ERRORS}, summary="List entries")
def list_entries(request: HttpRequest, filters: Query[EntryFilters]) -> EntryPage:
    """Entries the caller may see, newest published first (drafts last)."""
    actor = caller(request).actor
    queryset = filter_entries(permissions.visible_entries(entry_queryset(), actor), filters)
    rows, next_url = paginate(request, queryset, ENTRY_KEYSET, filters)
    return EntryPage(items=entries_out(request, actor, rows, filters.lang), next=next_url)


@router.get("/entries/{entry_id}", response={200: EntryOut, **READ_ERRORS}, summary="An entry")
def get_entry(request: HttpRequest, entry_id: int, params: Query[LangParam]) -> EntryOut:
    """One entry, if the caller may see it (404 otherwise, whether or not it exists)."""
    actor = caller(request).actor
    return entries_out(request, actor, [_visible_entry(actor, entry_id)], params.lang)[0]


@router.post(
    "/entries", response={201: EntryOut, **WRITE_ERRORS}, auth=write_auth,
    summary="Create an entry (a draft)",
)  # fmt: skip
def create_entry(
    request: HttpRequest, payload: EntryCreateIn, response: HttpResponse
) -> Status[EntryOut]:
    """A new draft of `organization`; needs a write token of one of its editors."""
    actor = caller(request).actor
    organization = organization_for(payload.organization)
    if not permissions.can_create_in(actor, organization.pk):
        raise PermissionDenied(_("Only editors of this organization can create its entries."))
    new = new_entry(payload, organization)
    entry = services.create_entry(
        actor=actor, origin=origin(request), organization=organization, kind=new.kind,
        data=new.data, details=new.details,
    )  # fmt: skip
    shown = _shown(request, actor, entry.pk)
    response["Location"] = request.build_absolute_uri(
        reverse("api:get_entry", kwargs={"entry_id": entry.pk})
    )
    return Status(201, shown)


@router.patch(
    "/entries/{entry_id}", response={200: EntryOut, **WRITE_ERRORS}, auth=write_auth,
    summary="Change some fields of an entry",
)  # fmt: skip
def update_entry(request: HttpRequest, entry_id: int, payload: EntryUpdateIn) -> EntryOut:
    """Only the fields sent change; `details` merge key by key; `null` clears an optional one."""
    actor = caller(request).actor
    entry = _visible_entry(actor, entry_id)
    if not permissions.can_edit(actor, entry):
        raise PermissionDenied(_("You may not edit this entry."))
    data, details = merged_update(entry, payload)
    services.update_entry(
        actor=actor, origin=origin(request), entry=entry, data=data, details=details
    )
    return _shown(request, actor, entry.pk)


@router.post(
    "/entries/{entry_id}/submit", response={200: EntryOut, **WRITE_ERRORS}, auth=write_auth,
    summary="Submit a draft for review",
)  # fmt: skip
def submit_entry(request: HttpRequest, entry_id: int) -> EntryOut:
    """A draft (or withdrawn entry) goes to the organization's publishers for review."""
    actor = caller(request).actor
    entry = _visible_entry(actor, entry_id)
    if entry.status not in {EntryStatus.DRAFT, EntryStatus.WITHDRAWN}:
        raise _conflict(_("Only drafts and withdrawn entries can be submitted for review."))
    services.submit_entry(actor=actor, origin=origin(request), entry=entry)
    return _shown(request, actor, entry.pk)


@router.post(
    "/entries/{entry_id}/publish", response={200: EntryOut, **WRITE_ERRORS}, auth=write_auth,
    summary="Publish an entry",
)  # fmt: skip
def publish_entry(request: HttpRequest, entry_id: int) -> EntryOut:
    """Make the entry visible as its `visibility` says; needs publishing rights."""
    actor = caller(request).actor
    entry = _visible_entry(actor, entry_id)
    if entry.status == EntryStatus.PUBLISHED:
        raise _conflict(_("This entry is already published."))
    services.publish_entry(actor=actor, origin=origin(request), entry=entry)
    return _shown(request, actor, entry.pk)


@router.post(
    "/entries/{entry_id}/withdraw", response={200: EntryOut, **WRITE_ERRORS}, auth=write_auth,
    summary="Withdraw a published entry (or send one in review back)",
)  # fmt: skip
def withdraw_entry(request: HttpRequest, entry_id: int, payload: WithdrawIn) -> EntryOut:
    """Take a published entry down, or send one in review back to its editors, saying why;
    the publisher sees the reason and may change and resubmit it."""
    actor = caller(request).actor
    entry = _visible_entry(actor, entry_id)
    if entry.status not in {EntryStatus.PUBLISHED, EntryStatus.IN_REVIEW}:
        raise _conflict(_("Only published entries and entries in review can be withdrawn."))
    services.withdraw_entry(actor=actor, origin=origin(request), entry=entry, reason=payload.reason)
    return _shown(request, actor, entry.pk)


@router.put(
    "/entries/{entry_id}/translations/{language}", response={200: EntryOut, **WRITE_ERRORS},
    auth=write_auth, summary="Add or replace a translation",
)  # fmt: skip
def put_translation(
    request: HttpRequest, entry_id: int, language: str, payload: TranslationIn
) -> EntryOut:
    """The entry's title, summary and body in `language` (BCP 47); returns the entry in that
    language. Parts left empty are shown from the original."""
    actor = caller(request).actor
    entry = _visible_entry(actor, entry_id)
    if not permissions.can_edit(actor, entry):
        raise PermissionDenied(_("You may not translate this entry."))
    target = Language.objects.filter(code=content_language(language)).first()
    if target is None:
        raise not_found(_("There is no such language; see /api/v1/languages."))
    services.save_translation(
        actor=actor, origin=origin(request), entry=entry, language=target,
        **payload.model_dump(),
    )  # fmt: skip
    return _shown(request, actor, entry.pk, target.code)
