"""Load the demo set (``demo.json`` beside this module) into the harbor.

Organizations, people, memberships and moderators are plain records and are written
directly. Entries and their translations are made through :mod:`infoharbor.core.services`,
by their authors, exactly as a person would make them in the portal: each gets its audit
trail, its sanitized body and its kind's validated details.

The load is idempotent: organizations are matched by slug, people by email address and
entries by (organization, title). Running it twice changes nothing the second time.
Everything happens in one transaction, and the whole file is checked before anything is
written, so a bad file leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import CountryModerator, Membership, User
from infoharbor.core import audit, kinds, permissions, services
from infoharbor.core.choices import EntryStatus, License, OrganizationKind, Visibility
from infoharbor.core.languages import content_language, interface_language
from infoharbor.core.models import Country, Entry, Language, Organization, Sector
from infoharbor.core.permissions import Actor

STATUSES = (EntryStatus.DRAFT, EntryStatus.IN_REVIEW, EntryStatus.PUBLISHED)


class DemoError(Exception):
    """The demo file is malformed or refers to something that does not exist."""


def default_path() -> Path:
    return Path(str(resources.files("infoharbor.portal.demo").joinpath("demo.json")))


@dataclass
class DemoReport:
    organizations_created: int = 0
    organizations_updated: int = 0
    users_created: int = 0
    memberships_changed: int = 0
    moderators_created: int = 0
    passwords_set: int = 0
    entries_created: int = 0
    entries_existing: int = 0
    translations_created: int = 0
    # The shared password of the demo people, when this run made one up (None otherwise).
    password: str | None = None
    languages: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.organizations_created,
                self.organizations_updated,
                self.users_created,
                self.passwords_set,
                self.memberships_changed,
                self.moderators_created,
                self.entries_created,
                self.translations_created,
            )
        )

    def lines(self) -> list[str]:
        return [
            f"Organizations: {self.organizations_created} created, "
            f"{self.organizations_updated} updated.",
            f"People: {self.users_created} created; memberships: {self.memberships_changed} "
            f"created or changed; country moderators: {self.moderators_created} created.",
            f"Entries: {self.entries_created} created, {self.entries_existing} already there; "
            f"translations: {self.translations_created} created.",
        ]


def read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DemoError(f"{path}: no such file.") from None
    except json.JSONDecodeError as error:
        raise DemoError(f"{path}: not valid JSON ({error}).") from None
    if not isinstance(data, dict):
        raise DemoError(f"{path}: expected an object with organizations, users and entries.")
    for key in ("organizations", "users", "entries"):
        if not isinstance(data.get(key, []), list):
            raise DemoError(f"{path}: {key!r} must be a list.")
    return data


class _Checker:
    """Collects every problem in the file, so one run reports them all."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.countries = set(Country.objects.values_list("iso2", flat=True))
        self.sectors = set(Sector.objects.values_list("slug", flat=True))

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def require(self, where: str, row: Mapping[str, Any], *keys: str) -> bool:
        missing = [key for key in keys if not row.get(key)]
        if missing:
            self.problem(where, "missing " + ", ".join(missing))
        return not missing

    def country(self, where: str, code: Any) -> None:
        if code not in self.countries:
            self.problem(where, f"unknown country {code!r}")

    def language(self, where: str, code: Any) -> None:
        if not isinstance(code, str) or content_language(code) not in self.languages:
            self.problem(where, f"unknown language {code!r}")

    def sector_list(self, where: str, slugs: Any) -> None:
        unknown = [slug for slug in slugs or [] if slug not in self.sectors]
        if unknown:
            self.problem(where, "unknown sectors " + ", ".join(map(repr, unknown)))

    def check(self) -> None:
        org_slugs: set[str] = set(Organization.objects.values_list("slug", flat=True))
        for index, org in enumerate(self.data.get("organizations", [])):
            where = f"organizations[{index}]"
            if not self.require(where, org, "slug", "name", "kind", "country"):
                continue
            org_slugs.add(org["slug"])
            if org["kind"] not in OrganizationKind.values:
                self.problem(where, f"unknown kind {org['kind']!r}")
            self.country(where, org["country"])
            self.sector_list(where, org.get("sectors"))

        emails: set[str] = set()
        interface = {code for code, _name in settings.LANGUAGES}
        for index, user in enumerate(self.data.get("users", [])):
            where = f"users[{index}]"
            if not self.require(where, user, "email"):
                continue
            emails.add(user["email"].strip().lower())
            preferred = user.get("preferred_language")
            if preferred and interface_language(preferred) not in interface:
                self.problem(where, f"unknown interface language {preferred!r}")
            zone = user.get("time_zone")
            if zone and zone not in zoneinfo.available_timezones():
                self.problem(where, f"unknown time zone {zone!r}")
            for membership in user.get("memberships", []):
                if membership.get("organization") not in org_slugs:
                    self.problem(where, f"unknown organization {membership.get('organization')!r}")
                if membership.get("role") not in Role.values:
                    self.problem(where, f"unknown role {membership.get('role')!r}")
            for code in user.get("moderator_of", []):
                self.country(where, code)
        emails |= {email.lower() for email in User.objects.values_list("email", flat=True)}

        known_kinds = {kind.key for kind in kinds.all_kinds()}
        for index, entry in enumerate(self.data.get("entries", [])):
            where = f"entries[{index}] ({entry.get('title', '?')!r})"
            if not self.require(
                where, entry, "kind", "organization", "author", "language", "country", "title"
            ):
                continue
            if entry["kind"] not in known_kinds:
                self.problem(where, f"unknown kind {entry['kind']!r}")
            if entry["organization"] not in org_slugs:
                self.problem(where, f"unknown organization {entry['organization']!r}")
            if entry["author"].strip().lower() not in emails:
                self.problem(where, f"unknown author {entry['author']!r}")
            self.language(where, entry["language"])
            self.country(where, entry["country"])
            self.sector_list(where, entry.get("sectors"))
            if entry.get("status", EntryStatus.PUBLISHED) not in STATUSES:
                self.problem(where, f"status must be one of {', '.join(STATUSES)}")
            if entry.get("visibility", Visibility.PUBLIC) not in Visibility.values:
                self.problem(where, f"unknown visibility {entry.get('visibility')!r}")
            if entry.get("license", License.CC_BY_4) not in License.values:
                self.problem(where, f"unknown license {entry.get('license')!r}")
            location = entry.get("location")
            if location is not None and not (
                isinstance(location, list)
                and len(location) == 2
                and all(isinstance(value, int | float) for value in location)
            ):
                self.problem(where, "location must be [latitude, longitude] or null")
            for translation in entry.get("translations", []):
                self.language(where + " translation", translation.get("language"))
        if self.problems:
            raise DemoError("The demo file has problems:\n  " + "\n  ".join(self.problems))


def _upsert_organization(row: Mapping[str, Any], report: DemoReport) -> Organization:
    values: dict[str, Any] = {
        "name": row["name"],
        "kind": row["kind"],
        "country_id": row["country"],
        "description": row.get("description", ""),
        "website": row.get("website", ""),
        "verified": bool(row.get("verified", False)),
        "editors_can_publish": bool(row.get("editors_can_publish", False)),
        "is_demo": True,
    }
    org = Organization.objects.filter(slug=row["slug"]).first()
    if org is None:
        org = Organization.objects.create(slug=row["slug"], **values)
        org.sectors.set(Sector.objects.filter(slug__in=row.get("sectors") or []))
        report.organizations_created += 1
        return org
    changed = [name for name, value in values.items() if getattr(org, name) != value]
    if changed:
        for name in changed:
            setattr(org, name, values[name])
        org.save(update_fields=changed)
    sectors = set(row.get("sectors") or [])
    if set(org.sectors.values_list("slug", flat=True)) != sectors:
        org.sectors.set(Sector.objects.filter(slug__in=sectors))
        changed.append("sectors")
    report.organizations_updated += int(bool(changed))
    return org


def _ensure_user(row: Mapping[str, Any], password: str | None, report: DemoReport) -> User:
    """The demo person, made with the shared password if new; existing ones keep theirs
    unless a password is given explicitly."""
    email = row["email"].strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        if password is None:
            password = report.password = report.password or secrets.token_urlsafe(12)
        preferred = row.get("preferred_language") or ""
        user = User.objects.create_user(
            email,
            password,
            display_name=row.get("display_name", ""),
            preferred_language=interface_language(preferred) if preferred else "",
            time_zone=row.get("time_zone", ""),
            email_verified=True,
        )
        report.users_created += 1
    elif password is not None and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        report.passwords_set += 1
    return user


def _ensure_roles(
    row: Mapping[str, Any], user: User, orgs: Mapping[str, Organization], report: DemoReport
) -> None:
    for membership in row.get("memberships", []):
        org = orgs.get(membership["organization"]) or Organization.objects.get(
            slug=membership["organization"]
        )
        current = Membership.objects.filter(user=user, organization=org).first()
        if current is None:
            Membership.objects.create(user=user, organization=org, role=membership["role"])
            report.memberships_changed += 1
        elif current.role != membership["role"]:
            current.role = membership["role"]
            current.save(update_fields=["role"])
            report.memberships_changed += 1
    for code in row.get("moderator_of", []):
        _moderator, created = CountryModerator.objects.get_or_create(user=user, country_id=code)
        report.moderators_created += int(created)


def _publisher(entry: Entry, author: User) -> tuple[Actor, audit.Origin]:
    """Who publishes: the author if allowed, otherwise an administrator of the organization."""
    actor = Actor.for_user(author)
    if permissions.can_publish(actor, entry):
        return actor, audit.Origin(user=author, via="cli")
    admin = (
        Membership.objects.filter(organization_id=entry.organization_id, role=Role.ADMIN)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if admin is None:
        raise DemoError(
            f"Nobody may publish {entry.title!r}: {author.email} is not allowed "
            "to and the organization has no administrator in the demo file."
        )
    return Actor.for_user(admin.user), audit.Origin(user=admin.user, via="cli")


def _create_entry(
    row: Mapping[str, Any], org: Organization, now: dt.datetime, report: DemoReport
) -> None:
    author = User.objects.get(email=row["author"].strip().lower())
    actor = Actor.for_user(author)
    origin = audit.Origin(user=author, via="cli")
    location = row.get("location")
    data = services.EntryData(
        title=row["title"],
        language=Language.objects.get(code=content_language(row["language"])),
        country=Country.objects.get(iso2=row["country"]),
        summary=row.get("summary", ""),
        body=row.get("body", ""),
        sectors=list(Sector.objects.filter(slug__in=row.get("sectors") or [])),
        tags=list(row.get("tags") or []),
        lat=location[0] if location else None,
        lng=location[1] if location else None,
        region=row.get("region", ""),
        source_url=row.get("source_url", ""),
        license=row.get("license", License.CC_BY_4),
        visibility=row.get("visibility", Visibility.PUBLIC),
    )
    entry = services.create_entry(
        actor=actor,
        origin=origin,
        organization=org,
        kind=row["kind"],
        data=data,
        details=row.get("details") or {},
        is_demo=True,
    )
    report.languages.add(entry.language_id)
    # Translations first: while the entry is a draft its editors may translate it; once
    # published only its publishers may.
    for translation in row.get("translations", []):
        language = Language.objects.get(code=content_language(translation["language"]))
        services.save_translation(
            actor=actor,
            origin=origin,
            entry=entry,
            language=language,
            title=translation["title"],
            summary=translation.get("summary", ""),
            body=translation.get("body", ""),
            is_machine=bool(translation.get("machine")),
            translator="machine" if translation.get("machine") else author.get_full_name(),
        )
        report.translations_created += 1
        report.languages.add(language.code)
    status = row.get("status", EntryStatus.PUBLISHED)
    if status in {EntryStatus.IN_REVIEW, EntryStatus.PUBLISHED}:
        entry = services.submit_entry(actor=actor, origin=origin, entry=entry)
    if status == EntryStatus.PUBLISHED:
        publisher, publisher_origin = _publisher(entry, author)
        entry = services.publish_entry(actor=publisher, origin=publisher_origin, entry=entry)
        days = row.get("published_days_ago") or 0
        if days:
            # publish_entry stamps "now" and, by design, offers no way to backdate: a person
            # must not be able to make an entry look older than it is. A demo made in one
            # second would put every entry at the same instant, so the loader spreads them
            # over the past weeks here, on the timestamps only. This is a fixture adjustment,
            # not a person's change, so it is not audited.
            stamp = now - dt.timedelta(days=float(days))
            Entry.objects.filter(pk=entry.pk).update(
                published_at=stamp, created_at=stamp, updated_at=stamp
            )
    report.entries_created += 1


def load(path: Path | None = None, *, password: str | None = None) -> DemoReport:
    """Load the demo file at ``path`` (default: the packaged one); see the module's doc."""
    data = read(path or default_path())
    report = DemoReport()
    now = timezone.now()
    try:
        with transaction.atomic():
            _Checker(data).check()
            orgs = {
                row["slug"]: _upsert_organization(row, report)
                for row in data.get("organizations", [])
            }
            users = [(row, _ensure_user(row, password, report)) for row in data.get("users", [])]
            for row, user in users:
                _ensure_roles(row, user, orgs, report)
            for row in data.get("entries", []):
                org = orgs.get(row["organization"]) or Organization.objects.get(
                    slug=row["organization"]
                )
                if Entry.objects.filter(organization=org, title=row["title"]).exists():
                    report.entries_existing += 1
                    continue
                try:
                    _create_entry(row, org, now, report)
                except (ValidationError, PermissionDenied) as error:
                    detail = (
                        error.message_dict
                        if isinstance(error, ValidationError) and hasattr(error, "error_dict")
                        else error
                    )
                    raise DemoError(f"entry {row['title']!r}: {detail}") from error
    except DemoError:
        report.password = None
        raise
    return report
