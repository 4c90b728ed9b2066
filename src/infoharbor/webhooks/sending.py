"""Sending the deliveries that are due, and recording what happened.

One call of :func:`send_due` loops: claim a batch of due deliveries (rows whose
``next_attempt_at`` has come, of active endpoints), send them all at once
(:mod:`infoharbor.webhooks.wire`), record every outcome with two bulk writes, and claim the
next batch, until nothing is due or its time is up.

A claim sets ``next_attempt_at`` to the time the batch may take at worst, so a worker killed
while sending leaves its batch due again a little later: the sweep or the restarted task
sends it again, with the same event ids (exactly once for a receiver that keeps them,
at least once on the wire). Two workers never send the same row at the same time: the claim
is a conditional UPDATE, and each worker then reads back only the rows with its own token.

Outcomes (docs/user/webhooks.md):

- any 2xx within the time bound: delivered;
- 410 Gone: the receiver says it is gone for good; the endpoint is paused at once (its
  deliveries stay pending, for a resume) and its owner told;
- anything else (other 4xx and 3xx included: redirects are not followed, a timeout, a
  refused or dropped connection, a refused address): a failed attempt, retried with
  exponential backoff and full jitter (at least what a ``Retry-After`` asks, at most
  :data:`MAX_BACKOFF`), until ``WEBHOOK_MAX_AGE_SECONDS`` after the event: then given up.
  ``WEBHOOK_MAX_FAILURES`` failed attempts in a row pause the endpoint and tell its owner.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from infoharbor import __version__
from infoharbor.core.choices import EntryStatus
from infoharbor.webhooks import payloads, signing, wire
from infoharbor.webhooks.choices import DeliveryState, PauseReason
from infoharbor.webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

BATCH = 1000
MAX_BACKOFF = 6 * 3600.0
MIN_BACKOFF = 1.0
# A send_due call stops claiming after this long; the sweep goes on from there.
TIME_BUDGET = 120.0
EXCERPT_CHARS = 500

_RECORDED = [
    "state",
    "next_attempt_at",
    "claim",
    "attempts",
    "last_attempt_at",
    "delivered_at",
    "status_code",
    "duration_ms",
    "error",
    "response_excerpt",
]


def retry_delay(
    attempt: int,
    *,
    base: float,
    retry_after: float | None = None,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds before attempt ``attempt + 1`` (``attempt`` >= 1 failed): full jitter over an
    exponentially growing window, never less than ``retry_after`` asks."""
    window = min(MAX_BACKOFF, base * 2 ** min(attempt - 1, 30))
    delay = max(MIN_BACKOFF, uniform(0.0, window))
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_BACKOFF))
    return delay


def claim_seconds(count: int) -> float:
    """How long a batch of ``count`` may take to send at worst (the claim on its rows)."""
    rounds = math.ceil(count / max(1, settings.WEBHOOK_CONCURRENCY))
    return settings.WEBHOOK_TIMEOUT_SECONDS * (rounds + 1) + 10.0


@dataclass(slots=True)
class Due:
    """A claimed delivery: what sending it needs, and what its attempt changes. (Plain
    rows, not model instances: a batch of thousands is read several times faster.)"""

    pk: int
    endpoint_id: int
    url: str
    secret: str
    owner_active: bool
    event_id: uuid.UUID
    event_type: str
    created_at: dt.datetime
    retrying_since: dt.datetime
    attempts: int
    subscription_id: int | None
    entry_id: int | None
    state: str = DeliveryState.PENDING
    next_attempt_at: dt.datetime | None = None
    claim: str = ""
    last_attempt_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    status_code: int | None = None
    duration_ms: int | None = None
    error: str = ""
    response_excerpt: str = ""


_DUE_FIELDS = (
    "pk", "endpoint_id", "endpoint__url", "endpoint__secret", "endpoint__owner__is_active",
    "event_id", "event_type", "created_at", "retrying_since", "attempts", "subscription_id",
    "entry_id", "last_attempt_at", "delivered_at", "status_code", "duration_ms",
)  # fmt: skip


def claim(limit: int = BATCH, *, endpoint_id: int | None = None) -> list[Due]:
    """Take up to ``limit`` due deliveries for this worker (oldest due first)."""
    now = timezone.now()
    due = Delivery.objects.filter(
        next_attempt_at__lte=now, state=DeliveryState.PENDING, endpoint__active=True
    )
    if endpoint_id is not None:
        due = due.filter(endpoint_id=endpoint_id)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    token = secrets.token_hex(8)
    Delivery.objects.filter(
        pk__in=ids, next_attempt_at__lte=now, state=DeliveryState.PENDING
    ).update(claim=token, next_attempt_at=now + dt.timedelta(seconds=claim_seconds(len(ids))))
    rows = Delivery.objects.filter(claim=token).order_by("pk").values_list(*_DUE_FIELDS)
    return [
        Due(
            pk=row[0], endpoint_id=row[1], url=row[2], secret=row[3], owner_active=row[4],
            event_id=row[5], event_type=row[6], created_at=row[7], retrying_since=row[8],
            attempts=row[9], subscription_id=row[10], entry_id=row[11],
            last_attempt_at=row[12], delivered_at=row[13], status_code=row[14],
            duration_ms=row[15],
        )
        for row in rows
    ]  # fmt: skip


def user_agent() -> str:
    return f"InformationHarbor-Webhooks/{__version__} (+{settings.SITE_URL})"


def request_for(delivery: Due, event_body: bytes, timestamp: int, agent: str) -> wire.Request:
    return wire.Request(
        key=delivery.pk,
        url=delivery.url,
        headers=(
            ("Content-Type", "application/json"),
            ("User-Agent", agent),
            (signing.EVENT_HEADER, str(delivery.event_id)),
            (signing.TYPE_HEADER, delivery.event_type),
            (signing.HEADER, signing.header_value(delivery.secret, timestamp, event_body)),
        ),
        body=event_body,
    )


@dataclass
class BatchResult:
    sent: int = 0
    delivered: int = 0
    skipped: int = 0


def send_batch(batch: list[Due]) -> BatchResult:
    """Send the claimed ``batch`` and record every outcome."""
    entries = payloads.entry_data(sorted({d.entry_id for d in batch if d.entry_id}))
    subscriptions = payloads.subscription_data(
        sorted({d.subscription_id for d in batch if d.subscription_id})
    )
    timestamp, agent = int(time.time()), user_agent()
    requests: list[wire.Request] = []
    skipped: dict[int, str] = {}
    for delivery in batch:
        reason = _skip_reason(delivery, entries)
        if reason:
            skipped[delivery.pk] = reason
            continue
        event = payloads.EventFacts(
            str(delivery.event_id), delivery.event_type, delivery.created_at
        )
        if delivery.entry_id is not None:
            event_body = payloads.body(
                event,
                entry=entries[delivery.entry_id],
                subscription=subscriptions.get(delivery.subscription_id or 0),
            )
        else:
            event_body = payloads.body(event, endpoint_id=delivery.endpoint_id)
        requests.append(request_for(delivery, event_body, timestamp, agent))
    sender = wire.Sender(
        allowed=tuple(settings.WEBHOOK_ALLOWED_NETWORKS),
        concurrency=settings.WEBHOOK_CONCURRENCY,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    outcomes = {outcome.key: outcome for outcome in sender.send_all(requests)} if requests else {}
    return record(batch, outcomes, skipped)


def _skip_reason(delivery: Due, entries: dict[int, dict[str, object]]) -> str:
    if not delivery.owner_active:
        return "The endpoint's owner account is closed."
    if delivery.entry_id is None:
        return ""
    entry = entries.get(delivery.entry_id)
    if entry is None or entry["status"] != EntryStatus.PUBLISHED:
        return "The entry was withdrawn before it could be sent."
    return ""


def record(
    batch: list[Due], outcomes: dict[int, wire.Outcome], skipped: dict[int, str]
) -> BatchResult:
    now = timezone.now()
    max_age = dt.timedelta(seconds=settings.WEBHOOK_MAX_AGE_SECONDS)
    result = BatchResult(sent=len(outcomes), skipped=len(skipped))
    succeeded: set[int] = set()
    failures: Counter[int] = Counter()
    gone: set[int] = set()
    for delivery in batch:
        delivery.claim = ""
        if delivery.pk in skipped:
            delivery.state, delivery.next_attempt_at = DeliveryState.SKIPPED, None
            delivery.error = skipped[delivery.pk]
            continue
        outcome = outcomes[delivery.pk]
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.status_code = outcome.status
        delivery.duration_ms = round(outcome.duration * 1000)
        delivery.response_excerpt = outcome.excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS]
        if outcome.ok:
            delivery.state, delivery.next_attempt_at = DeliveryState.DELIVERED, None
            delivery.delivered_at, delivery.error = now, ""
            succeeded.add(delivery.endpoint_id)
            result.delivered += 1
            continue
        delivery.error = _error_text(outcome)[:500]
        failures[delivery.endpoint_id] += 1
        if outcome.status == 410:
            gone.add(delivery.endpoint_id)
            delivery.next_attempt_at = now  # pending, for when the endpoint is resumed
            continue
        delay = retry_delay(
            delivery.attempts,
            base=settings.WEBHOOK_RETRY_BASE_SECONDS,
            retry_after=outcome.retry_after,
        )
        next_at = now + dt.timedelta(seconds=delay)
        if next_at - delivery.retrying_since > max_age:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        else:
            delivery.next_attempt_at = next_at
    write_outcomes(batch)
    _update_endpoints(succeeded, failures, gone, now)
    return result


def write_outcomes(batch: list[Due]) -> None:
    """Save the recorded fields of ``batch``: one UPDATE per row, sent with executemany.

    Not ``bulk_update``: its CASE WHEN expressions cost about 9 ms of CPU per row here
    (10,000 endpoints: 90 s); a prepared UPDATE run for every row costs microseconds."""
    meta = Delivery._meta
    quote = connection.ops.quote_name
    # Plain fields, so each column is named as its field.
    columns = ", ".join(f"{quote(name)} = %s" for name in _RECORDED)
    table = quote(meta.db_table)
    pk = quote(str(meta.pk.column))
    sql = f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608 - names from the model
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            delivery.state,
            adapt(delivery.next_attempt_at),
            delivery.claim,
            delivery.attempts,
            adapt(delivery.last_attempt_at),
            adapt(delivery.delivered_at),
            delivery.status_code,
            delivery.duration_ms,
            delivery.error,
            delivery.response_excerpt,
            delivery.pk,
        )
        for delivery in batch
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _error_text(outcome: wire.Outcome) -> str:
    if outcome.status is not None:
        return f"The receiver answered {outcome.status}."
    return outcome.error


def _update_endpoints(
    succeeded: set[int], failures: Counter[int], gone: set[int], now: dt.datetime
) -> None:
    from infoharbor.webhooks import services

    if succeeded:
        Endpoint.objects.filter(pk__in=succeeded).update(
            consecutive_failures=0, last_success_at=now
        )
    by_count: dict[int, list[int]] = {}
    for endpoint, count in failures.items():
        if endpoint not in succeeded:
            by_count.setdefault(count, []).append(endpoint)
    for count, endpoints in by_count.items():
        Endpoint.objects.filter(pk__in=endpoints).update(
            consecutive_failures=F("consecutive_failures") + count
        )
    for endpoint in gone:
        services.pause_automatically(endpoint, PauseReason.GONE)
    if failures:
        tired = Endpoint.objects.filter(
            pk__in=list(failures),
            active=True,
            consecutive_failures__gte=settings.WEBHOOK_MAX_FAILURES,
        ).values_list("pk", flat=True)
        for endpoint in list(tired):
            services.pause_automatically(endpoint, PauseReason.FAILURES)


def send_due(*, endpoint_id: int | None = None, budget: float = TIME_BUDGET) -> BatchResult:
    """Send every due delivery (of one endpoint, or all), batch after batch."""
    total = BatchResult()
    started = time.monotonic()
    while time.monotonic() - started < budget:
        batch = claim(endpoint_id=endpoint_id)
        if not batch:
            break
        done = send_batch(batch)
        total.sent += done.sent
        total.delivered += done.delivered
        total.skipped += done.skipped
    if total.sent:
        logger.info("webhooks: %s sent, %s delivered", total.sent, total.delivered)
    return total
