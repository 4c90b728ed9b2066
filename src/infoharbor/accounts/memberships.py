"""Writes to memberships: an organization's administrators (and operators) manage its people.

Every function checks the actor's rights, validates, writes in one transaction and records the
change in the audit trail. The operator site has its own audited forms; the portal's members
page comes through here. An organization always keeps at least one administrator.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import Membership, User
from infoharbor.accounts.services import normalize_email
from infoharbor.core import audit
from infoharbor.core.models import Organization
from infoharbor.core.permissions import Actor


def can_manage_members(actor: Actor, organization: Organization) -> bool:
    """Administrators of an active organization, and operators, manage its members."""
    if actor.is_operator:
        return True
    return organization.is_active and actor.has_role(organization.pk, Role.ADMIN)


def _check_manager(actor: Actor, organization: Organization) -> None:
    if not can_manage_members(actor, organization):
        raise PermissionDenied(
            _("Only administrators of this organization can manage its members.")
        )


def _clean_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose member, editor or administrator.")]})
    return str(Role(role).value)


def _lock(organization: Organization) -> None:
    """Serialize membership changes of one organization, so two administrators demoting each
    other at the same moment cannot leave it without one."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def _reload_role(membership: Membership) -> str:
    """The membership's role as stored now; it may have been removed meanwhile."""
    try:
        membership.refresh_from_db(fields=["role"])
    except Membership.DoesNotExist:
        raise ValidationError(_("This person is no longer a member.")) from None
    return membership.role


def other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


def last_admin_message() -> str:
    return _(
        "An organization must keep at least one administrator. "
        "Make someone else an administrator first."
    )


@transaction.atomic
def add_member(
    *,
    actor: Actor,
    origin: audit.Origin,
    organization: Organization,
    email: str,
    role: str,
) -> Membership:
    """Add the person with the account at ``email`` to ``organization`` with ``role``."""
    _check_manager(actor, organization)
    clean_role = _clean_role(role)
    address = normalize_email(email or "")
    if not address:
        raise ValidationError({"email": [_("Enter the person's email address.")]})
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    if user is None:
        raise ValidationError(
            {
                "email": [
                    _(
                        "No account uses this address. Ask the person to register first, "
                        "then add them here."
                    )
                ]
            }
        )
    _lock(organization)
    if Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError({"email": [_("This person is already a member.")]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organization=organization, role=clean_role
            )
    except IntegrityError:  # added by someone else at the same moment
        raise ValidationError({"email": [_("This person is already a member.")]}) from None
    audit.record(
        origin,
        "membership.create",
        membership,
        changes={"role": [None, membership.role]},
        organization=organization,
    )
    return membership


@transaction.atomic
def change_role(
    *, actor: Actor, origin: audit.Origin, membership: Membership, role: str
) -> Membership:
    """Give ``membership`` another role; the last administrator cannot step down."""
    organization = membership.organization
    _check_manager(actor, organization)
    clean_role = _clean_role(role)
    _lock(organization)
    old = _reload_role(membership)
    if old == clean_role:
        return membership
    if old == Role.ADMIN and not other_admins(membership):
        raise ValidationError({"role": [last_admin_message()]})
    membership.role = clean_role
    membership.save(update_fields=["role"])
    audit.record(
        origin,
        "membership.change",
        membership,
        changes={"role": [old, membership.role]},
        organization=organization,
    )
    return membership


@transaction.atomic
def remove_member(*, actor: Actor, origin: audit.Origin, membership: Membership) -> None:
    """Take the person out of the organization; the last administrator cannot be removed."""
    organization = membership.organization
    _check_manager(actor, organization)
    _lock(organization)
    if _reload_role(membership) == Role.ADMIN and not other_admins(membership):
        raise ValidationError(last_admin_message())
    # Recorded first: the row loses its primary key when deleted.
    audit.record(
        origin,
        "membership.delete",
        membership,
        changes={"role": [membership.role, None]},
        organization=organization,
    )
    membership.delete()
