"""The audit trail: every change made by a person, with who, when, what and from where."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from infoharbor.core.models import AuditEvent, Organization


@dataclass(frozen=True)
class Origin:
    """Where a change came from: the person and their client, or a system process."""

    user: Any = None  # a User, or None for the system
    ip_address: str | None = None
    user_agent: str = ""
    via: str = "web"  # web, api, admin, cli, system

    @classmethod
    def from_request(cls, request: Any, via: str = "web") -> Origin:
        from django.conf import settings

        meta = request.META
        address = meta.get("REMOTE_ADDR")
        if settings.BEHIND_PROXY and meta.get("HTTP_X_FORWARDED_FOR"):
            # The proxy appends the client it saw; the last hop is the one we trust.
            address = meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return cls(
            user=user,
            ip_address=address or None,
            user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
            via=via,
        )


SYSTEM = Origin(via="system")


def plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the changes record."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(plain(item) for item in value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def record(
    origin: Origin,
    action: str,
    target: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    organization: Organization | None = None,
    note: str = "",
) -> AuditEvent:
    event_ = event(origin, action, target, changes=changes, organization=organization, note=note)
    event_.save(force_insert=True)
    return event_


def event(
    origin: Origin,
    action: str,
    target: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    organization: Organization | None = None,
    note: str = "",
) -> AuditEvent:
    """The event :func:`record` writes, unsaved (for a batch written at once)."""
    user = origin.user
    return AuditEvent(
        actor=user,
        actor_label=(user.email if user is not None else origin.via),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        organization=organization,
        changes=changes or {},
        note=note,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        via=origin.via,
    )


# The columns of :func:`event_row`, for ``core.bulk.insert`` (attribute names).
EVENT_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "organization_id",
    "changes",
    "note",
    "ip_address",
    "user_agent",
    "via",
)


def event_row(
    origin: Origin,
    action: str,
    target: models.Model,
    *,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    organization: Organization | None = None,
    note: str = "",
) -> tuple[Any, ...]:
    """:func:`event`'s values as a row of ``EVENT_COLUMNS``, without building the model
    (a batch of entries writes two events per entry)."""
    user = origin.user
    return (
        at,
        user.pk if user is not None else None,
        user.email if user is not None else origin.via,
        action,
        target._meta.label_lower,
        str(target.pk),
        str(target)[:300],
        organization.pk if organization is not None else None,
        changes or {},
        note,
        origin.ip_address,
        origin.user_agent,
        origin.via,
    )
