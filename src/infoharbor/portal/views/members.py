"""An organization's members page: its people for its members to see, and for its
administrators to add, give another role and remove. Every change goes through
:mod:`infoharbor.accounts.memberships`; every form is a plain POST that works without
JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infoharbor.accounts import memberships
from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import Membership
from infoharbor.core import audit
from infoharbor.core.models import Organization
from infoharbor.core.permissions import Actor
from infoharbor.portal.actor import actor_for

# Administrators first, then editors, then members; by name within a role.
_ROLE_ORDER = Case(
    When(role=Role.ADMIN, then=Value(0)),
    When(role=Role.EDITOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        help_text=gettext_lazy("The address the person signs in with. They need an account."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


def _organization(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug, is_active=True).first()
    if org is None:
        raise Http404
    return org


def _check_can_see(actor: Actor, organization: Organization) -> None:
    if organization.pk not in actor.roles and not actor.is_operator:
        raise PermissionDenied(_("You are not a member of this organization."))


def _check_can_manage(actor: Actor, organization: Organization) -> None:
    if not memberships.can_manage_members(actor, organization):
        raise PermissionDenied(
            _("Only administrators of this organization can manage its members.")
        )


def _render(
    request: HttpRequest, organization: Organization, actor: Actor, form: AddMemberForm | None
) -> HttpResponse:
    can_manage = memberships.can_manage_members(actor, organization)
    people = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by(_ROLE_ORDER, "user__display_name", "user__email")
    )
    return render(
        request,
        "portal/members.html",
        {
            "organization": organization,
            "memberships": people,
            "can_manage": can_manage,
            "form": (form or AddMemberForm()) if can_manage else None,
            "roles": Role.choices,
        },
    )


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The list of members; administrators also add people here (POST)."""
    actor = actor_for(request)
    org = _organization(slug)
    _check_can_see(actor, org)
    if request.method != "POST":
        return _render(request, org, actor, None)
    _check_can_manage(actor, org)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            added = memberships.add_member(
                actor=actor,
                origin=audit.Origin.from_request(request),
                organization=org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s is now a member of %(organization)s, as %(role)s.")
                % {
                    "person": added.user,
                    "organization": org.name,
                    "role": added.get_role_display(),
                },
            )
            return redirect("portal:members", slug=org.slug)
    return _render(request, org, actor, form)


def _membership(actor: Actor, slug: str, pk: int) -> Membership:
    org = _organization(slug)
    _check_can_see(actor, org)
    _check_can_manage(actor, org)
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"), pk=pk, organization=org
    )


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def member_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Give a member another role."""
    actor = actor_for(request)
    membership = _membership(actor, slug, pk)
    try:
        changed = memberships.change_role(
            actor=actor,
            origin=audit.Origin.from_request(request),
            membership=membership,
            role=request.POST.get("role", ""),
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            _("The role of %(person)s is now: %(role)s.")
            % {"person": changed.user, "role": changed.get_role_display()},
        )
    return redirect("portal:members", slug=slug)


@require_POST
@login_required
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take a person out of the organization."""
    actor = actor_for(request)
    membership = _membership(actor, slug, pk)
    person, organization = membership.user, membership.organization
    try:
        memberships.remove_member(
            actor=actor, origin=audit.Origin.from_request(request), membership=membership
        )
    except ValidationError as error:
        _show_errors(request, error)
        return redirect("portal:members", slug=slug)
    messages.success(
        request,
        _("%(person)s is no longer a member of %(organization)s.")
        % {"person": person, "organization": organization.name},
    )
    if person.pk == actor.user_id and not actor.is_operator:
        return redirect("portal:dashboard")  # they left; the members page is closed to them now
    return redirect("portal:members", slug=slug)
