"""Composing messages from the matches that wait: one transaction per message.

In that transaction the matches are taken (marked delivered, locked on PostgreSQL so two
composers never take the same one), rendered in the subscriber's language and time zone, and
stored as a :class:`~infoharbor.mail.models.Message` with one
:class:`~infoharbor.mail.models.MessageItem` per match. A match therefore goes into exactly
one message: if anything fails, the whole composition rolls back and the matches wait for
the next one. The send is enqueued when the transaction commits (and the periodic sweep
finds any message whose enqueue was lost).

Who gets what:

- immediate subscriptions: one message per subscriber with everything that waits, one
  section per subscription (a harvest of 200 entries is one message, not 200);
- daily and weekly digests: one message per subscriber when a digest is due in their time
  zone (:mod:`infoharbor.mail.due`), one section per platform, stories together.

A subscriber whose subscriptions are in several languages or time zones gets one message per
language and time zone (each in its own language). Nothing is composed for an account that
is inactive or unverified, for a paused subscription, or for an address marked failing: those
matches wait, and go out once the reason is gone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from infoharbor.accounts.emails import language_for
from infoharbor.accounts.models import User
from infoharbor.core import kinds
from infoharbor.core.choices import EntryStatus
from infoharbor.core.languages import content_language
from infoharbor.core.models import Entry
from infoharbor.core.platforms import BY_KEY as PLATFORMS
from infoharbor.core.platforms import PLATFORMS as PLATFORM_ORDER
from infoharbor.core.queries import entry_cards, with_card_relations
from infoharbor.core.tasks import enqueue_on_commit
from infoharbor.mail import due, layout, tokens
from infoharbor.mail.choices import MessageKind
from infoharbor.mail.models import AddressHealth, Message, MessageItem
from infoharbor.stories.models import StoryMember
from infoharbor.subscriptions.choices import Frequency
from infoharbor.subscriptions.models import Match, Subscription

LANGUAGES = {code for code, _name in settings.LANGUAGES}
SUMMARY_CHARACTERS = 280


class _Taken(Exception):
    """Another composer took some of these matches first: roll back, they are its."""


@dataclass(frozen=True)
class Recipient:
    owner_id: int
    language: str  # an interface language code
    time_zone: str


@dataclass
class _Waiting:
    subscription_ids: list[int] = field(default_factory=list)
    oldest: dt.datetime | None = None


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """The time zone ``name``, or the harbor's default when it is empty or unknown."""
    for candidate in (name, settings.TIME_ZONE, "UTC"):
        try:
            return zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    raise AssertionError("UTC is always known")  # pragma: no cover


def waiting(frequency: str) -> QuerySet[Match]:
    """Undelivered matches of ``frequency`` that may be composed now."""
    failing = AddressHealth.objects.filter(
        address=OuterRef("subscription__owner__email"), failing_since__isnull=False
    )
    return Match.objects.filter(
        ~Exists(failing),
        delivered_at__isnull=True,
        subscription__frequency=frequency,
        subscription__paused=False,
        subscription__owner__is_active=True,
        subscription__owner__email_verified=True,
    )


def recipients(frequency: str) -> dict[Recipient, _Waiting]:
    """Who has matches of ``frequency`` waiting, and since when (one grouped query)."""
    rows = list(
        waiting(frequency)
        .values("subscription_id", "subscription__owner_id")
        .annotate(oldest=Min("matched_at"))
        .order_by("subscription_id")
    )
    subscriptions = Subscription.objects.in_bulk([row["subscription_id"] for row in rows])
    owners = User.objects.in_bulk([row["subscription__owner_id"] for row in rows])
    found: dict[Recipient, _Waiting] = {}
    for row in rows:
        subscription = subscriptions[row["subscription_id"]]
        owner = owners[row["subscription__owner_id"]]
        language = (
            subscription.language if subscription.language in LANGUAGES else language_for(owner)
        )
        zone = subscription.time_zone or owner.time_zone or settings.TIME_ZONE
        group = found.setdefault(Recipient(owner.pk, language, zone), _Waiting())
        group.subscription_ids.append(subscription.pk)
        if group.oldest is None or row["oldest"] < group.oldest:
            group.oldest = row["oldest"]
    return found


def compose_immediate(now: dt.datetime | None = None) -> list[int]:
    """Compose one message per subscriber with all their waiting immediate matches."""
    now = now or timezone.now()
    composed = []
    for recipient, group in recipients(Frequency.IMMEDIATELY).items():
        pk = compose_one(recipient, group.subscription_ids, MessageKind.IMMEDIATE, now=now)
        if pk is not None:
            composed.append(pk)
    return composed


def due_digests(
    kind: str, now: dt.datetime | None = None
) -> list[tuple[Recipient, list[int], dt.datetime]]:
    """The digests of ``kind`` due now: recipient, subscriptions, and the cutoff (what
    matched before it goes into the digest)."""
    now = now or timezone.now()
    weekly = kind == MessageKind.WEEKLY
    found = []
    for recipient, group in recipients(kind).items():
        cutoff = due.period_start(
            now, zone_of(recipient.time_zone), settings.MAIL_DIGEST_HOUR, weekly=weekly
        )
        # due.is_due(), keeping the cutoff the composition needs.
        if group.oldest is not None and group.oldest < cutoff:
            found.append((recipient, group.subscription_ids, cutoff))
    return found


def compose_digests(now: dt.datetime | None = None) -> list[int]:
    """Compose every daily and weekly digest that is due now."""
    now = now or timezone.now()
    composed = []
    for kind in (MessageKind.DAILY, MessageKind.WEEKLY):
        for recipient, subscription_ids, cutoff in due_digests(kind, now):
            pk = compose_one(recipient, subscription_ids, kind, now=now, before=cutoff)
            if pk is not None:
                composed.append(pk)
    return composed


def compose_one(
    recipient: Recipient,
    subscription_ids: Sequence[int],
    kind: str,
    *,
    now: dt.datetime,
    before: dt.datetime | None = None,
) -> int | None:
    """Compose and store one message; its id, or None when there was nothing to send."""
    from infoharbor.mail import tasks  # the tasks import this module

    try:
        with transaction.atomic():
            pk = _compose(recipient, subscription_ids, kind, now=now, before=before)
            if pk is not None:
                enqueue_on_commit(tasks.send_mail_message, pk)
    except _Taken:
        return None
    return pk


def _compose(
    recipient: Recipient,
    subscription_ids: Sequence[int],
    kind: str,
    *,
    now: dt.datetime,
    before: dt.datetime | None,
) -> int | None:
    owner = User.objects.get(pk=recipient.owner_id)
    candidates = waiting(kind).filter(
        subscription_id__in=list(subscription_ids), subscription__owner_id=owner.pk
    )
    if before is not None:
        candidates = candidates.filter(matched_at__lt=before)
    # Locked on PostgreSQL (only the match rows; a concurrent composer skips them and they
    # are this one's); SQLite's write transactions are one at a time anyway.
    rows = list(
        candidates.select_for_update(skip_locked=True, of=("self",))
        .order_by("matched_at", "pk")
        .values_list("pk", "subscription_id", "entry_id")
    )
    if not rows:
        return None
    taken = Match.objects.filter(pk__in=[pk for pk, _s, _e in rows], delivered_at__isnull=True)
    if taken.update(delivered_at=now) != len(rows):
        raise _Taken
    zone = zone_of(recipient.time_zone)
    names = dict(
        Subscription.objects.filter(pk__in={s for _pk, s, _e in rows}).values_list("pk", "name")
    )
    with translation.override(recipient.language), timezone.override(zone):
        matched = _matched(rows, names, recipient.language)
        if not matched:
            # Every entry was withdrawn meanwhile: the matches are used up, and no empty
            # message goes out.
            return None
        shown = {(row.subscription_id, row.entry.entry_id) for row in matched}
        carried = sorted({subscription for subscription, _entry in shown})
        unsubscribe_url = _absolute(reverse("mail_unsubscribe", args=[tokens.make(carried)]))
        context = _context(kind, matched, names, carried, unsubscribe_url, owner=owner, zone=zone)
        subject, text, html = render("message", context)
    message = Message.objects.create(
        recipient=owner,
        address=owner.email,
        kind=kind,
        language=recipient.language,
        subject=subject,
        text_body=text,
        html_body=html,
        message_id=make_msgid(domain=_mail_domain()),
        unsubscribe_url=unsubscribe_url,
        next_attempt_at=now,
        created_at=now,
    )
    MessageItem.objects.bulk_create(
        MessageItem(message=message, match_id=pk, subscription_id=subscription)
        for pk, subscription, entry in rows
        if (subscription, entry) in shown
    )
    return message.pk


def _matched(
    rows: list[tuple[int, int, int]], names: dict[int, str], language: str
) -> list[layout.Matched]:
    entry_ids = {entry for _pk, _s, entry in rows}
    entries = with_card_relations(
        Entry.objects.filter(pk__in=entry_ids, status=EntryStatus.PUBLISHED)
    )
    cards = {card.entry.pk: card for card in entry_cards(entries, content_language(language))}
    stories = dict(
        StoryMember.objects.filter(entry_id__in=entry_ids, cluster__isnull=False).values_list(
            "entry_id", "cluster_id"
        )
    )
    matched = []
    for _pk, subscription, entry_id in rows:
        card = cards.get(entry_id)
        if card is None:
            continue
        entry = card.entry
        summary = card.text.summary.value
        if len(summary) > SUMMARY_CHARACTERS:
            summary = summary[: SUMMARY_CHARACTERS - 1].rstrip() + "…"
        matched.append(
            layout.Matched(
                subscription,
                names.get(subscription, ""),
                layout.Entry(
                    entry_id=entry.pk,
                    title=card.text.title.value,
                    url=_absolute(entry.get_absolute_url()),
                    summary=summary,
                    source=entry.organization.name,
                    published_at=entry.published_at,
                    platform=_platform(entry.kind),
                    story=stories.get(entry.pk),
                ),
            )
        )
    return matched


def _platform(kind: str) -> str:
    try:
        return kinds.get(kind).platform
    except kinds.UnknownKind:
        return ""


def _context(
    kind: str,
    matched: list[layout.Matched],
    names: dict[int, str],
    carried: list[int],
    unsubscribe_url: str,
    *,
    owner: User,
    zone: zoneinfo.ZoneInfo,
) -> dict[str, Any]:
    def stop_url(pk: int) -> str:
        return _absolute(reverse("mail_unsubscribe", args=[tokens.make([pk])]))

    if kind == MessageKind.IMMEDIATE:
        sections = [
            {
                "title": names.get(int(section.key), ""),
                "unsubscribe_url": stop_url(int(section.key)),
                "items": section.items,
                "entry_count": section.entry_count,
            }
            for section in layout.by_subscription(matched)
        ]
    else:
        sections = [
            {
                "title": PLATFORMS[section.key].name if section.key in PLATFORMS else "",
                "items": section.items,
                "entry_count": section.entry_count,
            }
            for section in layout.by_platform(matched, [p.key for p in PLATFORM_ORDER])
        ]
    count = len({row.entry.entry_id for row in matched})
    return {
        "kind": kind,
        "kind_label": MessageKind(kind).label,
        "digest": kind != MessageKind.IMMEDIATE,
        "count": count,
        "sections": sections,
        "single_name": names.get(carried[0], "") if len(carried) == 1 else "",
        "subscriptions": [
            {"name": names.get(pk, ""), "unsubscribe_url": stop_url(pk)} for pk in carried
        ],
        "unsubscribe_url": unsubscribe_url,
        "manage_url": _absolute(reverse("subscriptions:list")),
        "recipient": owner,
        "time_zone": str(zone),
    }


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``mail/email/<template>`` in the active language
    (the approach of :mod:`infoharbor.accounts.emails`)."""
    context = {
        "site_url": settings.SITE_URL,
        "html_lang": content_language(translation.get_language() or settings.LANGUAGE_CODE),
        **context,
    }
    subject = render_to_string(f"mail/email/{template}_subject.txt", context)
    text = render_to_string(f"mail/email/{template}.txt", context)
    html = render_to_string(f"mail/email/{template}.html", context)
    return " ".join(subject.split())[:400], text, html


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
