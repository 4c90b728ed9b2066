"""What a webhook event says (version 1, documented in docs/user/webhooks.md).

An event is built when it is sent, from the delivery row (its id, type and time never
change) and the entry as it is then, so a retry carries the same event id and the entry's
current title. Keys are only ever added within a version.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from infoharbor.core import kinds
from infoharbor.core.models import Entry
from infoharbor.stories.models import StoryMember
from infoharbor.subscriptions.models import Subscription

VERSION = 1


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class EventFacts:
    event_id: str
    event_type: str
    created_at: dt.datetime


def entry_data(entries: list[int]) -> dict[int, dict[str, Any]]:
    """The ``entry`` object of each of ``entries`` (a few queries for a whole batch)."""
    rows = Entry.objects.filter(pk__in=entries).select_related("organization")
    stories = dict(
        StoryMember.objects.filter(entry_id__in=entries, cluster__isnull=False).values_list(
            "entry_id", "cluster_id"
        )
    )
    found: dict[int, dict[str, Any]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for entry in rows:
            try:
                platform = kinds.get(entry.kind).platform
            except kinds.UnknownKind:
                platform = ""
            found[entry.pk] = {
                "id": entry.pk,
                "title": entry.title,
                "summary": entry.summary,
                "url": settings.SITE_URL + reverse("portal:entry", args=[entry.pk]),
                "platform": platform,
                "kind": entry.kind,
                "country": entry.country_id,
                "language": entry.language_id,
                "organization": {
                    "id": entry.organization_id,
                    "slug": entry.organization.slug,
                    "name": entry.organization.name,
                },
                "published_at": _time(entry.published_at),
                "story_id": stories.get(entry.pk),
                "status": entry.status,
                "visibility": entry.visibility,
            }
    return found


def subscription_data(subscriptions: list[int]) -> dict[int, dict[str, Any]]:
    rows = Subscription.objects.filter(pk__in=subscriptions).values_list("pk", "name")
    return {pk: {"id": pk, "name": name} for pk, name in rows}


def body(
    facts: EventFacts,
    *,
    entry: dict[str, Any] | None = None,
    subscription: dict[str, Any] | None = None,
    endpoint_id: int | None = None,
) -> bytes:
    event: dict[str, Any] = {
        "version": VERSION,
        "id": facts.event_id,
        "type": facts.event_type,
        "created_at": _time(facts.created_at),
    }
    if subscription is not None:
        event["subscription"] = subscription
    if entry is not None:
        event["entry"] = {k: v for k, v in entry.items() if k not in {"status", "visibility"}}
    if endpoint_id is not None:
        event["endpoint"] = {"id": endpoint_id}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
