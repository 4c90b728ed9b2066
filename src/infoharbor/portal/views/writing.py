"""The members' side: the "my organization" dashboard and the entry form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from infoharbor.accounts import memberships
from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import Membership
from infoharbor.core import audit, kinds, permissions, queries, services
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Entry, Organization
from infoharbor.core.services import EntryData
from infoharbor.portal.actor import actor_for
from infoharbor.portal.forms import (
    DETAILS_PREFIX,
    EntryForm,
    apply_service_errors,
    details_data,
)
from infoharbor.portal.views.common import (
    EntryActions,
    actions_for,
    paginate,
    reader_language,
)

RECENT_ON_DASHBOARD = 10


@dataclass(frozen=True)
class EntryRow:
    card: queries.EntryCard
    actions: EntryActions


@dataclass(frozen=True)
class OrganizationPanel:
    organization: Organization
    role_label: str
    counts: list[tuple[str, str, int]]  # status, label, number
    rows: list[EntryRow]
    new_kinds: list[kinds.EntryKind]
    total: int
    can_manage_members: bool


def _rows(request: HttpRequest, entries: list[Entry]) -> list[EntryRow]:
    actor = actor_for(request)
    return [
        EntryRow(card, actions_for(actor, card.entry))
        for card in queries.entry_cards(entries, reader_language())
    ]


def _statuses_for(actor: permissions.Actor, organization: Organization) -> list[tuple[str, str]]:
    """The statuses whose entries ``actor`` may open: all of them for the organization's
    editors and administrators, only the published ones for its members (whose counts and
    tabs must not hint at drafts they cannot read)."""
    if actor.is_operator or actor.has_role(organization.pk, Role.EDITOR):
        return [(value, str(label)) for value, label in EntryStatus.choices]
    return [(EntryStatus.PUBLISHED.value, str(EntryStatus.PUBLISHED.label))]


def _active_organization(slug: str) -> Organization:
    org = Organization.objects.select_related("country").filter(slug=slug, is_active=True).first()
    if org is None:
        raise Http404
    return org


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    mine = list(
        Membership.objects.filter(user_id=actor.user_id or 0, organization__is_active=True)
        .select_related("organization", "organization__country")
        .order_by("organization__name")
    )
    counts = queries.org_entry_counts([item.organization_id for item in mine])
    recent = {
        item.organization_id: list(
            queries.organization_entries(actor, item.organization)[:RECENT_ON_DASHBOARD]
        )
        for item in mine
    }
    rows = iter(_rows(request, [entry for group in recent.values() for entry in group]))
    panels = []
    for item in mine:
        org = item.organization
        statuses = _statuses_for(actor, org)
        org_counts = counts[org.pk]
        panels.append(
            OrganizationPanel(
                organization=org,
                role_label=item.get_role_display(),
                counts=[(status, str(label), org_counts[status]) for status, label in statuses],
                rows=[next(rows) for _entry in recent[org.pk]],
                new_kinds=kinds.all_kinds() if permissions.can_create_in(actor, org.pk) else [],
                total=sum(org_counts[status] for status, _label in statuses),
                can_manage_members=memberships.can_manage_members(actor, org),
            )
        )
    return render(request, "portal/dashboard.html", {"panels": panels})


@login_required
def dashboard_organization(request: HttpRequest, slug: str) -> HttpResponse:
    """All entries of one of the person's organizations, by status, paginated."""
    actor = actor_for(request)
    org = _active_organization(slug)
    if org.pk not in actor.roles:
        raise PermissionDenied(_("You are not a member of this organization."))
    statuses = _statuses_for(actor, org)
    status = request.GET.get("status", "")
    entries = queries.organization_entries(actor, org)
    if status in {value for value, _label in statuses}:
        entries = entries.filter(status=status)
    else:
        status = ""
    page = paginate(request, entries)
    return render(
        request,
        "portal/dashboard_organization.html",
        {
            "organization": org,
            "page_obj": page,
            "rows": _rows(request, list(page)),
            "status": status,
            "statuses": statuses,
            "new_kinds": kinds.all_kinds() if permissions.can_create_in(actor, org.pk) else [],
            "can_manage_members": memberships.can_manage_members(actor, org),
        },
    )


def _render_form(
    request: HttpRequest,
    *,
    form: EntryForm,
    details_form: forms.BaseForm,
    kind: kinds.EntryKind,
    organization: Organization,
    entry: Entry | None,
) -> HttpResponse:
    return render(
        request,
        "portal/entry_form.html",
        {
            "form": form,
            "details_form": details_form,
            "kind": kind,
            "organization": organization,
            "entry": entry,
        },
    )


def _save(
    request: HttpRequest,
    *,
    form: EntryForm,
    details_form: forms.BaseForm,
    write: Callable[[EntryData, QueryDict], Entry],
) -> Entry | None:
    """Validate both forms and call the service; on failure, put its errors on the forms."""
    if not (form.is_valid() & details_form.is_valid()):  # both, so both show their errors
        return None
    try:
        return write(form.entry_data(), details_data(request.POST))
    except ValidationError as error:
        apply_service_errors(error, form, details_form)
        return None


@login_required
def entry_create(request: HttpRequest, slug: str, kind_slug: str) -> HttpResponse:
    actor = actor_for(request)
    org = _active_organization(slug)
    try:
        kind = kinds.by_slug(kind_slug)
    except kinds.UnknownKind:
        raise Http404 from None
    if not permissions.can_create_in(actor, org.pk):
        raise PermissionDenied(_("Only editors of this organization can create its entries."))
    if request.method != "POST":
        form = EntryForm(initial={"country": org.country_id, "language": reader_language()})
        details_form = kind.form(prefix=DETAILS_PREFIX)
        return _render_form(
            request, form=form, details_form=details_form, kind=kind, organization=org, entry=None
        )
    form = EntryForm(request.POST)
    details_form = kind.form(request.POST, prefix=DETAILS_PREFIX)
    created = _save(
        request,
        form=form,
        details_form=details_form,
        write=lambda data, details: services.create_entry(
            actor=actor,
            origin=audit.Origin.from_request(request),
            organization=org,
            kind=kind.key,
            data=data,
            details=details,
        ),
    )
    if created is None:
        return _render_form(
            request, form=form, details_form=details_form, kind=kind, organization=org, entry=None
        )
    messages.success(request, _("The draft is saved. Submit it for review when it is ready."))
    return redirect(created)


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    entry = queries.visible_entry(actor, pk)
    if entry is None:
        raise Http404
    if not permissions.can_edit(actor, entry):
        raise PermissionDenied(_("You may not edit this entry."))
    try:
        kind = kinds.get(entry.kind)
    except kinds.UnknownKind:
        raise Http404 from None
    details = queries.entry_details(entry)
    if request.method != "POST":
        form = EntryForm(initial=EntryForm.initial_for(entry))
        details_form = kind.form(instance=details, prefix=DETAILS_PREFIX)
        return _render_form(
            request,
            form=form,
            details_form=details_form,
            kind=kind,
            organization=entry.organization,
            entry=entry,
        )
    form = EntryForm(request.POST)
    details_form = kind.form(request.POST, instance=details, prefix=DETAILS_PREFIX)
    updated = _save(
        request,
        form=form,
        details_form=details_form,
        write=lambda data, values: services.update_entry(
            actor=actor,
            origin=audit.Origin.from_request(request),
            entry=entry,
            data=data,
            details=values,
        ),
    )
    if updated is None:
        return _render_form(
            request,
            form=form,
            details_form=details_form,
            kind=kind,
            organization=entry.organization,
            entry=entry,
        )
    messages.success(request, _("Your changes are saved."))
    return redirect(updated)
