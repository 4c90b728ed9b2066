"""The last deliveries of subscriptions, from every channel, for "My subscriptions".

Each channel (email, webhooks) registers a source: a function that returns the
deliveries of the given subscriptions, at most ``limit`` per subscription, newest first.
:func:`last_deliveries` asks every source in one query each, whatever the number of
subscriptions, and keeps the newest per subscription.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Delivery:
    subscription_id: int
    at: dt.datetime  # sent, or composed when not sent yet
    channel: str | Promise  # shown as is ("Email")
    entries: int
    state: str  # sent, pending, retrying, failed (a channel may add its own)
    state_label: str | Promise
    error: str = ""
    next_attempt_at: dt.datetime | None = None


DeliverySource = Callable[[Sequence[int], int], Iterable[Delivery]]
_sources: list[DeliverySource] = []


def register(source: DeliverySource) -> None:
    if source not in _sources:
        _sources.append(source)


def last_deliveries(
    subscription_ids: Sequence[int], per_subscription: int = 3
) -> dict[int, list[Delivery]]:
    """Newest deliveries first, at most ``per_subscription`` of each subscription."""
    found: dict[int, list[Delivery]] = {pk: [] for pk in subscription_ids}
    if not subscription_ids:
        return found
    for source in _sources:
        for delivery in source(subscription_ids, per_subscription):
            found.setdefault(delivery.subscription_id, []).append(delivery)
    for pk, rows in found.items():
        rows.sort(key=lambda row: row.at, reverse=True)
        found[pk] = rows[:per_subscription]
    return found
