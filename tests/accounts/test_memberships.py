"""The membership services: who may manage an organization's people, and the rules they keep."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from infoharbor.accounts import memberships
from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import Membership, User
from infoharbor.core import audit
from infoharbor.core.models import AuditEvent, Organization
from infoharbor.core.permissions import Actor
from tests import factories


@dataclass
class Org:
    org: Organization
    admin: User
    admin_actor: Actor
    origin: audit.Origin


@pytest.fixture
def org(db: None) -> Org:
    organization = factories.make_org("lao-agency", country="LA")
    admin = factories.make_user("chief@agency.example")
    factories.add_member(admin, organization, Role.ADMIN)
    return Org(
        org=organization,
        admin=admin,
        admin_actor=Actor.for_user(admin),
        origin=audit.Origin(user=admin, via="test"),
    )


def _add(o: Org, email: str, role: str = Role.MEMBER, actor: Actor | None = None) -> Membership:
    return memberships.add_member(
        actor=actor or o.admin_actor,
        origin=o.origin,
        organization=o.org,
        email=email,
        role=role,
    )


def test_an_administrator_adds_a_person_by_address_in_any_case(org: Org) -> None:
    person = factories.make_user("somchai@example.org")

    membership = _add(org, "  SomChai@Example.ORG ", Role.EDITOR)

    assert membership.user == person
    assert membership.role == Role.EDITOR
    assert Actor.for_user(person).has_role(org.org.pk, Role.EDITOR)
    event = AuditEvent.objects.get(action="membership.create")
    assert event.organization == org.org
    assert event.actor == org.admin
    assert event.changes == {"role": [None, "editor"]}
    assert event.target_id == str(membership.pk)


def test_an_unknown_address_asks_for_registration_first(org: Org) -> None:
    with pytest.raises(ValidationError) as caught:
        _add(org, "nobody@example.org")

    assert "register first" in caught.value.message_dict["email"][0]
    assert not AuditEvent.objects.filter(action="membership.create").exists()


def test_a_deactivated_account_is_not_found_either(org: Org) -> None:
    factories.make_user("gone@example.org", is_active=False)

    with pytest.raises(ValidationError) as caught:
        _add(org, "gone@example.org")

    assert "register first" in caught.value.message_dict["email"][0]


def test_adding_a_member_twice_is_a_field_error(org: Org) -> None:
    factories.make_user("twice@example.org")
    _add(org, "twice@example.org")

    with pytest.raises(ValidationError) as caught:
        _add(org, "twice@example.org", Role.ADMIN)

    assert "already a member" in caught.value.message_dict["email"][0]
    assert Membership.objects.filter(organization=org.org).count() == 2


def test_an_unknown_role_is_a_field_error(org: Org) -> None:
    factories.make_user("role@example.org")

    with pytest.raises(ValidationError) as caught:
        _add(org, "role@example.org", "owner")

    assert "role" in caught.value.message_dict


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EDITOR])
def test_members_and_editors_cannot_manage_members(org: Org, role: str) -> None:
    insider = factories.make_user()
    factories.add_member(insider, org.org, role)
    factories.make_user("new@example.org")

    with pytest.raises(PermissionDenied):
        _add(org, "new@example.org", actor=Actor.for_user(insider))


def test_an_administrator_of_another_organization_cannot_manage_members(org: Org) -> None:
    other = factories.make_org("other-org")
    outsider = factories.make_user()
    factories.add_member(outsider, other, Role.ADMIN)
    target = factories.add_member(factories.make_user(), org.org, Role.MEMBER)

    with pytest.raises(PermissionDenied):
        memberships.remove_member(
            actor=Actor.for_user(outsider), origin=org.origin, membership=target
        )
    assert Membership.objects.filter(pk=target.pk).exists()


def test_administrators_of_a_suspended_organization_cannot_manage_it(org: Org) -> None:
    target = factories.add_member(factories.make_user(), org.org, Role.MEMBER)
    org.org.is_active = False
    org.org.save(update_fields=["is_active"])
    # The actor as they were before the suspension still says administrator.
    with pytest.raises(PermissionDenied):
        memberships.change_role(
            actor=org.admin_actor, origin=org.origin, membership=target, role=Role.EDITOR
        )


def test_operators_manage_any_organizations_members(org: Org) -> None:
    operator = factories.make_operator()
    factories.make_user("by-operator@example.org")

    membership = _add(org, "by-operator@example.org", actor=Actor.for_user(operator))

    assert membership.organization == org.org


def test_change_role_records_old_and_new(org: Org) -> None:
    target = factories.add_member(factories.make_user(), org.org, Role.MEMBER)

    memberships.change_role(
        actor=org.admin_actor, origin=org.origin, membership=target, role=Role.ADMIN
    )

    target.refresh_from_db()
    assert target.role == Role.ADMIN
    event = AuditEvent.objects.get(action="membership.change")
    assert event.changes == {"role": ["member", "admin"]}
    assert event.organization == org.org


def test_changing_to_the_same_role_records_nothing(org: Org) -> None:
    target = factories.add_member(factories.make_user(), org.org, Role.EDITOR)

    memberships.change_role(
        actor=org.admin_actor, origin=org.origin, membership=target, role=Role.EDITOR
    )

    assert not AuditEvent.objects.filter(action="membership.change").exists()


def test_the_last_administrator_cannot_step_down(org: Org) -> None:
    own = Membership.objects.get(user=org.admin, organization=org.org)

    with pytest.raises(ValidationError) as caught:
        memberships.change_role(
            actor=org.admin_actor, origin=org.origin, membership=own, role=Role.EDITOR
        )

    assert "at least one administrator" in caught.value.message_dict["role"][0]
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_the_last_administrator_cannot_be_removed(org: Org) -> None:
    own = Membership.objects.get(user=org.admin, organization=org.org)

    with pytest.raises(ValidationError, match="at least one administrator"):
        memberships.remove_member(actor=org.admin_actor, origin=org.origin, membership=own)

    assert Membership.objects.filter(pk=own.pk).exists()
    assert not AuditEvent.objects.filter(action="membership.delete").exists()


def test_with_a_second_administrator_the_first_may_step_down(org: Org) -> None:
    factories.add_member(factories.make_user(), org.org, Role.ADMIN)
    own = Membership.objects.get(user=org.admin, organization=org.org)

    memberships.change_role(
        actor=org.admin_actor, origin=org.origin, membership=own, role=Role.MEMBER
    )

    own.refresh_from_db()
    assert own.role == Role.MEMBER


def test_remove_member_records_the_role_it_had(org: Org) -> None:
    target = factories.add_member(factories.make_user(), org.org, Role.EDITOR)
    pk = target.pk

    memberships.remove_member(actor=org.admin_actor, origin=org.origin, membership=target)

    assert not Membership.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="membership.delete")
    assert event.target_id == str(pk)
    assert event.changes == {"role": ["editor", None]}
    assert event.organization == org.org


def test_a_membership_removed_meanwhile_is_a_clear_error(org: Org) -> None:
    target = factories.add_member(factories.make_user(), org.org, Role.EDITOR)
    Membership.objects.filter(pk=target.pk).delete()

    with pytest.raises(ValidationError, match="no longer a member"):
        memberships.change_role(
            actor=org.admin_actor, origin=org.origin, membership=target, role=Role.MEMBER
        )
