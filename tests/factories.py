"""Test data made through the services, the way real data is made."""

from __future__ import annotations

import itertools
from typing import Any

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import CountryModerator, Membership, User
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import Country, Entry, Language, Organization, Sector
from infoharbor.core.permissions import Actor

PASSWORD = "harbor-test-password-42"
_counter = itertools.count(1)


def make_user(email: str | None = None, *, verified: bool = True, **extra: Any) -> User:
    email = email or f"person{next(_counter)}@example.org"
    return User.objects.create_user(email, PASSWORD, email_verified=verified, **extra)


def make_operator(email: str = "operator@example.org") -> User:
    return User.objects.create_superuser(email, PASSWORD)


def make_org(slug: str | None = None, *, country: str = "TH", **extra: Any) -> Organization:
    slug = slug or f"org-{next(_counter)}"
    extra.setdefault("name", slug.replace("-", " ").title())
    extra.setdefault("kind", "government")
    return Organization.objects.create(slug=slug, country_id=country, **extra)


def add_member(user: User, organization: Organization, role: str = Role.EDITOR) -> Membership:
    return Membership.objects.create(user=user, organization=organization, role=role)


def make_moderator(user: User, country: str) -> CountryModerator:
    return CountryModerator.objects.create(user=user, country_id=country)


def entry_data(**overrides: Any) -> services.EntryData:
    values: dict[str, Any] = {
        "title": f"Entry {next(_counter)}",
        "language": Language.objects.get(code=overrides.pop("language", "en")),
        "country": Country.objects.get(iso2=overrides.pop("country", "TH")),
        "summary": "A short summary.",
        "body": "Some **body** text.",
        "sectors": list(Sector.objects.filter(slug__in=overrides.pop("sectors", []))),
    }
    values.update(overrides)
    return services.EntryData(**values)


def make_entry(
    organization: Organization,
    author: User | None = None,
    *,
    kind: str = "information.news",
    status: str = EntryStatus.PUBLISHED,
    visibility: str = Visibility.PUBLIC,
    details: dict[str, Any] | None = None,
    **data: Any,
) -> Entry:
    """An entry of ``organization`` in ``status``, made by an administrator of it."""
    if author is None:
        author = make_user()
        add_member(author, organization, Role.ADMIN)
    actor = Actor.for_user(author)
    origin = audit.Origin(user=author, via="test")
    entry = services.create_entry(
        actor=actor,
        origin=origin,
        organization=organization,
        kind=kind,
        data=entry_data(visibility=visibility, **data),
        details=details if details is not None else {"notice_type": "news"},
    )
    if status in {EntryStatus.IN_REVIEW}:
        entry = services.submit_entry(actor=actor, origin=origin, entry=entry)
    if status in {EntryStatus.PUBLISHED, EntryStatus.WITHDRAWN}:
        entry = services.publish_entry(actor=actor, origin=origin, entry=entry)
    if status == EntryStatus.WITHDRAWN:
        entry = services.withdraw_entry(
            actor=actor, origin=origin, entry=entry, reason="Out of date."
        )
    return entry
