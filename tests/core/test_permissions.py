"""The permission matrix: every role against every action, on entries of every visibility.

Given an organization in Thailand with one person in each role, a second organization, a
moderator for Thailand and one for Vietnam, an operator and a stranger; when each of them
tries each action; then only the expected ones are allowed — and the query form
(visible_entries) agrees with the object form (can_view) for every case.
"""

from __future__ import annotations

import pytest

from infoharbor.accounts.choices import Role
from infoharbor.core import permissions
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import Entry
from infoharbor.core.permissions import ANONYMOUS, Actor
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "stranger",
    "member",
    "editor",
    "admin",
    "other_org_admin",
    "moderator_th",
    "moderator_vn",
    "operator",
]


@pytest.fixture
def world() -> dict[str, object]:
    home = factories.make_org("home", country="TH")
    other = factories.make_org("other", country="TH")
    people: dict[str, object] = {"anonymous": None, "home": home, "other": other}
    people["stranger"] = factories.make_user()
    for role in (Role.MEMBER, Role.EDITOR, Role.ADMIN):
        user = factories.make_user()
        factories.add_member(user, home, role)
        people[str(role)] = user
    people["other_org_admin"] = factories.make_user()
    factories.add_member(people["other_org_admin"], other, Role.ADMIN)  # type: ignore[arg-type]
    for country in ("TH", "VN"):
        user = factories.make_user()
        factories.make_moderator(user, country)
        people[f"moderator_{country.lower()}"] = user
    people["operator"] = factories.make_operator()
    return people


def actor(world: dict[str, object], persona: str) -> Actor:
    return Actor.for_user(world[persona]) if world[persona] else ANONYMOUS


def entry(world: dict[str, object], status: str, visibility: str = Visibility.PUBLIC) -> Entry:
    admin = world["admin"]
    return factories.make_entry(
        world["home"],
        admin,
        status=status,  # type: ignore[arg-type]
        visibility=visibility,
    )


# Who may read an entry of the home organization, by status and visibility.
VIEW = {
    (EntryStatus.PUBLISHED, Visibility.PUBLIC): set(PERSONAS),
    (EntryStatus.PUBLISHED, Visibility.MEMBERS): set(PERSONAS) - {"anonymous"},
    (EntryStatus.PUBLISHED, Visibility.ORGANIZATION): {
        "member",
        "editor",
        "admin",
        "moderator_th",
        "operator",
    },
    (EntryStatus.DRAFT, Visibility.PUBLIC): {"editor", "admin", "operator"},
    (EntryStatus.IN_REVIEW, Visibility.PUBLIC): {"editor", "admin", "moderator_th", "operator"},
    (EntryStatus.WITHDRAWN, Visibility.PUBLIC): {"editor", "admin", "moderator_th", "operator"},
}


@pytest.mark.parametrize(("status", "visibility"), list(VIEW))
def test_view_matrix(world: dict[str, object], status: str, visibility: str) -> None:
    the_entry = entry(world, status, visibility)
    for persona in PERSONAS:
        who = actor(world, persona)
        expected = persona in VIEW[(status, visibility)]
        assert permissions.can_view(who, the_entry) is expected, persona
        listed = permissions.visible_entries(Entry.objects.all(), who).filter(pk=the_entry.pk)
        assert listed.exists() is expected, f"{persona} (query form)"


# Who may do what to an entry of the home organization (editors may not publish there).
ACTIONS = {
    ("edit", EntryStatus.DRAFT): {"editor", "admin"},
    ("edit", EntryStatus.PUBLISHED): {"admin"},
    ("submit", EntryStatus.DRAFT): {"editor", "admin"},
    ("submit", EntryStatus.PUBLISHED): set(),
    ("publish", EntryStatus.IN_REVIEW): {"admin"},
    ("withdraw", EntryStatus.PUBLISHED): {"admin", "moderator_th", "operator"},
    ("withdraw", EntryStatus.IN_REVIEW): {"admin", "moderator_th", "operator"},  # send back
    ("withdraw", EntryStatus.DRAFT): set(),
    ("moderate", EntryStatus.PUBLISHED): {"moderator_th", "operator"},
}
CHECKS = {
    "edit": permissions.can_edit,
    "submit": permissions.can_submit,
    "publish": permissions.can_publish,
    "withdraw": permissions.can_withdraw,
    "moderate": permissions.can_moderate,
}


@pytest.mark.parametrize(("action", "status"), list(ACTIONS))
def test_action_matrix(world: dict[str, object], action: str, status: str) -> None:
    the_entry = entry(world, status)
    for persona in PERSONAS:
        allowed = CHECKS[action](actor(world, persona), the_entry)
        assert allowed is (persona in ACTIONS[(action, status)]), persona


def test_editors_publish_where_the_organization_allows_it(world: dict[str, object]) -> None:
    home = world["home"]
    home.editors_can_publish = True  # type: ignore[attr-defined]
    home.save()  # type: ignore[attr-defined]
    the_entry = entry(world, EntryStatus.IN_REVIEW)
    assert permissions.can_publish(actor(world, "editor"), the_entry)
    assert not permissions.can_publish(actor(world, "member"), the_entry)


def test_create_needs_editor_role(world: dict[str, object]) -> None:
    home_id = world["home"].pk  # type: ignore[attr-defined]
    allowed = {p for p in PERSONAS if permissions.can_create_in(actor(world, p), home_id)}
    assert allowed == {"editor", "admin"}


def test_suspended_organization_grants_nothing(world: dict[str, object]) -> None:
    home = world["home"]
    home.is_active = False  # type: ignore[attr-defined]
    home.save()  # type: ignore[attr-defined]
    assert not permissions.can_create_in(actor(world, "admin"), home.pk)  # type: ignore[attr-defined]


def test_suspended_organizations_entries_leave_the_public(world: dict[str, object]) -> None:
    the_entry = entry(world, EntryStatus.PUBLISHED)
    home = world["home"]
    home.is_active = False  # type: ignore[attr-defined]
    home.save()  # type: ignore[attr-defined]
    the_entry.refresh_from_db()
    for persona in ("anonymous", "stranger", "member"):
        who = actor(world, persona)
        assert not permissions.can_view(who, the_entry), persona
        assert not permissions.visible_entries(Entry.objects.all(), who).exists(), persona
    assert not permissions.public_live(Entry.objects.all()).exists()
    assert permissions.can_view(actor(world, "operator"), the_entry)
    assert permissions.can_view(actor(world, "moderator_th"), the_entry)
