"""Who may do what to entries and organizations.

Rules are plain functions over an :class:`Actor` (a person's roles, read once per request) and
the entry's own fields, so the same rules serve the portal, the API and the admin, and the
permission matrix can be tested without a web request. :func:`visible_entries` is the same
rule for reading, as a query filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from infoharbor.accounts.choices import Role
from infoharbor.core.choices import EntryStatus, Visibility

if TYPE_CHECKING:
    from infoharbor.core.models import Entry

_RANK = {Role.MEMBER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Actor:
    """The person acting, with everything the rules need; anonymous when ``user_id`` is None."""

    user_id: int | None = None
    is_operator: bool = False
    roles: dict[int, str] = field(default_factory=dict)  # organization id -> role
    moderates: frozenset[str] = frozenset()  # country ISO codes
    org_publish_rights: frozenset[int] = frozenset()  # orgs whose editors may publish

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        if user is None or not user.is_authenticated or not user.is_active:
            return ANONYMOUS
        from infoharbor.accounts.models import CountryModerator, Membership

        memberships = Membership.objects.filter(
            user_id=user.pk, organization__is_active=True
        ).values_list("organization_id", "role", "organization__editors_can_publish")
        roles: dict[int, str] = {}
        editors_publish: set[int] = set()
        for org_id, role, can_publish in memberships:
            roles[org_id] = role
            if can_publish:
                editors_publish.add(org_id)
        countries = CountryModerator.objects.filter(user_id=user.pk).values_list(
            "country_id", flat=True
        )
        return cls(
            user_id=user.pk,
            is_operator=bool(user.is_staff),
            roles=roles,
            moderates=frozenset(countries),
            org_publish_rights=frozenset(editors_publish),
        )

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, organization_id: int, at_least: str) -> bool:
        role = self.roles.get(organization_id)
        return role is not None and _RANK[Role(role)] >= _RANK[Role(at_least)]

    def editable_organizations(self) -> list[int]:
        return [org for org in self.roles if self.has_role(org, Role.EDITOR)]


ANONYMOUS = Actor()


def can_create_in(actor: Actor, organization_id: int) -> bool:
    return actor.has_role(organization_id, Role.EDITOR)


def can_view(actor: Actor, entry: Entry) -> bool:
    if actor.is_operator or actor.has_role(entry.organization_id, Role.EDITOR):
        return True
    if entry.country_id in actor.moderates and entry.status != EntryStatus.DRAFT:
        return True
    if entry.status != EntryStatus.PUBLISHED or not entry.organization.is_active:
        return False
    if entry.visibility == Visibility.PUBLIC:
        return True
    if entry.visibility == Visibility.MEMBERS:
        return actor.is_authenticated
    return entry.organization_id in actor.roles


def can_edit(actor: Actor, entry: Entry) -> bool:
    """Editors change their organization's drafts; published text needs publishing rights."""
    if entry.status == EntryStatus.PUBLISHED:
        return can_publish(actor, entry)
    return actor.has_role(entry.organization_id, Role.EDITOR)


def can_submit(actor: Actor, entry: Entry) -> bool:
    return entry.status in {EntryStatus.DRAFT, EntryStatus.WITHDRAWN} and actor.has_role(
        entry.organization_id, Role.EDITOR
    )


def can_publish(actor: Actor, entry: Entry) -> bool:
    if actor.has_role(entry.organization_id, Role.ADMIN):
        return True
    return entry.organization_id in actor.org_publish_rights and actor.has_role(
        entry.organization_id, Role.EDITOR
    )


def can_withdraw(actor: Actor, entry: Entry) -> bool:
    """Take a published entry down (or send one in review back): its organization's
    publishers, its country's moderators, and operators. The reason goes to the publisher."""
    if entry.status not in {EntryStatus.PUBLISHED, EntryStatus.IN_REVIEW}:
        return False
    return actor.is_operator or entry.country_id in actor.moderates or can_publish(actor, entry)


def can_moderate(actor: Actor, entry: Entry) -> bool:
    return actor.is_operator or entry.country_id in actor.moderates


def visible_entries(queryset: QuerySet[Entry], actor: Actor) -> QuerySet[Entry]:
    """The entries of ``queryset`` that ``actor`` may read (the query form of can_view)."""
    if actor.is_operator:
        return queryset
    # A suspended organization's entries are off the air for everyone but its own people.
    published = Q(status=EntryStatus.PUBLISHED, organization__is_active=True)
    readable = published & Q(visibility=Visibility.PUBLIC)
    if actor.is_authenticated:
        readable |= published & Q(visibility=Visibility.MEMBERS)
        readable |= published & Q(organization_id__in=list(actor.roles))
        editor_orgs = actor.editable_organizations()
        if editor_orgs:
            readable |= Q(organization_id__in=editor_orgs)
        if actor.moderates:
            readable |= Q(country_id__in=list(actor.moderates)) & ~Q(status=EntryStatus.DRAFT)
    return queryset.filter(readable)


def public_live(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    """What anyone may see in lists: published, public, not expired."""
    from django.utils import timezone

    return queryset.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        status=EntryStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        organization__is_active=True,
    )
