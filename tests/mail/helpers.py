"""Data for the mail tests, made through the services as people would."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import User
from infoharbor.core import audit, services
from infoharbor.core.models import Entry, Language, Organization
from infoharbor.core.permissions import Actor
from infoharbor.mail.models import Message
from tests import factories

DAY = dt.timedelta(days=1)


def publisher(organization: Organization) -> User:
    admin = factories.make_user()
    factories.add_member(admin, organization, Role.ADMIN)
    return admin


def publish(organization: Organization, admin: User, title: str, **data: Any) -> Entry:
    return factories.make_entry(organization, admin, title=title, **data)


def translate(entry: Entry, admin: User, language: str, title: str) -> None:
    services.save_translation(
        actor=Actor.for_user(admin),
        origin=audit.Origin(user=admin, via="test"),
        entry=entry,
        language=Language.objects.get(code=language),
        title=title,
    )


def parts(message: EmailMessage) -> dict[str, str]:
    """The text of each part by content type."""
    found = {}
    for part in message.walk():
        if not part.is_multipart():
            found[part.get_content_type()] = str(part.get_content())  # type: ignore[attr-defined]
    return found


def messages_of(user: User) -> list[Message]:
    return list(Message.objects.filter(recipient=user).order_by("pk"))
