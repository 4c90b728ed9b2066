"""Writes to accounts: registration, email verification, profile and password changes.

Every function here validates, writes, records an audit entry and schedules mail on commit;
views and forms call these instead of saving accounts themselves.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Literal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from infoharbor.accounts import emails, ratelimit
from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.core.languages import interface_language

# Mail sent to one address on request (a second sign-up, a new verification link) is capped,
# so nobody can use the harbor to flood someone's inbox.
MAIL_PER_ADDRESS = 3
MAIL_WINDOW_SECONDS = 3600

PROFILE_FIELDS = ["display_name", "preferred_language", "time_zone"]


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _clean_language(code: str) -> str:
    if not code:
        return ""
    language = interface_language(code)
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(
            _("%(code)s is not one of the harbor's languages.") % {"code": code},
            code="invalid_language",
        )
    return language


def _clean_time_zone(name: str) -> str:
    if name and name not in known_time_zones():
        raise ValidationError(
            _("%(name)s is not a known time zone.") % {"name": name}, code="invalid_time_zone"
        )
    return name


def mail_allowed(kind: str, email: str) -> bool:
    """Count one message of ``kind`` to ``email``; False once the hourly cap is reached."""
    return ratelimit.allow(
        f"mail:{kind}", email, limit=MAIL_PER_ADDRESS, window=MAIL_WINDOW_SECONDS
    )


def _as(user: User, origin: audit.Origin) -> audit.Origin:
    """``origin`` acting as ``user``: for changes people make before they are signed in."""
    return dataclasses.replace(origin, user=user)


@dataclass(frozen=True)
class Registration:
    user: User
    created: bool  # False: the address already had an account, which was left unchanged


@transaction.atomic
def register_account(
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str,
    time_zone: str,
    origin: audit.Origin,
) -> Registration:
    """Open an unverified account and mail its verification link.

    If the address already has an account, that account is left as it is and its owner is
    mailed instead (a new link if it is unverified, a note with sign-in and reset links if
    not). Callers show the same page either way, so sign-up never reveals who has an account.
    """
    email = normalize_email(email)
    language = _clean_language(preferred_language)
    zone = _clean_time_zone(time_zone)
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email,
                    password,
                    display_name=display_name.strip(),
                    preferred_language=language,
                    time_zone=zone,
                    email_verified=False,
                )
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.get(email=email)
        else:
            audit.record(
                _as(user, origin),
                "account.register",
                user,
                changes=audit.diff({}, audit.snapshot(user, ["email", *PROFILE_FIELDS])),
            )
            transaction.on_commit(lambda: emails.send_verification(user))
            return Registration(user=user, created=True)

    # Hash the password anyway, so this answer takes as long as a real sign-up.
    make_password(password)
    if existing.is_active and mail_allowed("already-registered", email):
        transaction.on_commit(lambda: emails.send_already_registered(existing))
    return Registration(user=existing, created=False)


def resend_verification(*, email: str) -> None:
    """Mail a new verification link if ``email`` names an active, unverified account.

    Says nothing about whether it did; at most a few links per address are sent an hour.
    """
    email = normalize_email(email)
    if not mail_allowed("verify", email):
        return
    user = User.objects.filter(email=email, is_active=True, email_verified=False).first()
    if user is not None:
        emails.send_verification(user)


@transaction.atomic
def verify_email(*, user: User, origin: audit.Origin) -> bool:
    """Mark ``user``'s address as confirmed; True if it was not confirmed before."""
    if user.email_verified:
        return False
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    audit.record(
        _as(user, origin),
        "account.verify_email",
        user,
        changes={"email_verified": [False, True]},
    )
    return True


@transaction.atomic
def update_profile(
    *,
    user: User,
    origin: audit.Origin,
    display_name: str,
    preferred_language: str,
    time_zone: str,
) -> dict[str, list[object]]:
    """Change a person's name, language and time zone; returns ``{field: [old, new]}``."""
    before = audit.snapshot(user, PROFILE_FIELDS)
    user.display_name = display_name.strip()
    user.preferred_language = _clean_language(preferred_language)
    user.time_zone = _clean_time_zone(time_zone)
    changes = audit.diff(before, audit.snapshot(user, PROFILE_FIELDS))
    if changes:
        user.save(update_fields=list(changes))
        audit.record(origin, "account.update_profile", user, changes=changes)
    return changes


@transaction.atomic
def set_password(
    *,
    user: User,
    origin: audit.Origin,
    password: str,
    reason: Literal["change", "reset"],
) -> User:
    """Set a new password (already validated by the form).

    A reset proves the person reads mail at the address, so it also confirms the address.
    """
    user.set_password(password)
    fields = ["password"]
    changes: dict[str, list[object]] = {}
    if reason == "reset" and not user.email_verified:
        user.email_verified = True
        fields.append("email_verified")
        changes["email_verified"] = [False, True]
    user.save(update_fields=fields)
    audit.record(_as(user, origin), f"account.password_{reason}", user, changes=changes)
    return user
