"""From matches to deliveries, inside the publication's transaction.

:func:`on_matched` is registered with :func:`infoharbor.subscriptions.outbox.on_matched`:
for every (subscription, entry) pair just matched it writes one :class:`Delivery` per
endpoint of the subscription's owner that wants it (all their subscriptions, or this one
chosen), in the same transaction as the Match rows, so a crash loses neither or both. A pair
seen again (a republished entry) writes nothing: the rows are unique per endpoint and match.
Then, once the transaction has committed, a send task is enqueued; the periodic sweep
(:func:`infoharbor.webhooks.tasks.enqueue_due_deliveries`) sends what that task never got to
(a worker killed in between).

Webhooks are sent at once, whatever the subscription's email frequency (daily and weekly
digests are an email matter).
"""

from __future__ import annotations

from django.utils import timezone

from infoharbor.core.tasks import enqueue_on_commit
from infoharbor.subscriptions.models import Subscription
from infoharbor.webhooks.models import Delivery, Endpoint


def on_matched(pairs: list[tuple[int, int]]) -> None:
    deliveries = deliveries_for(pairs)
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=2000)
        from infoharbor.webhooks import tasks

        enqueue_on_commit(tasks.deliver_due)


def deliveries_for(pairs: list[tuple[int, int]]) -> list[Delivery]:
    """The deliveries the matched ``pairs`` call for (not yet written)."""
    subscription_ids = {subscription for subscription, _entry in pairs}
    owner_of = dict(
        Subscription.objects.filter(pk__in=subscription_ids).values_list("pk", "owner_id")
    )
    # Endpoints that take every match of their owner, and those that chose subscriptions.
    every: dict[int, list[int]] = {}
    for pk, owner in Endpoint.objects.filter(
        owner_id__in=set(owner_of.values()), all_subscriptions=True, owner__is_active=True
    ).values_list("pk", "owner_id"):
        every.setdefault(owner, []).append(pk)
    chosen: dict[int, list[int]] = {}
    through = Endpoint.subscriptions.through.objects.filter(
        subscription_id__in=subscription_ids,
        endpoint__all_subscriptions=False,
        endpoint__owner__is_active=True,
    ).values_list("subscription_id", "endpoint_id")
    for chosen_subscription, chosen_endpoint in through:
        chosen.setdefault(chosen_subscription, []).append(chosen_endpoint)
    now = timezone.now()
    rows: list[Delivery] = []
    for subscription, entry in pairs:
        owner_id = owner_of.get(subscription)
        if owner_id is None:
            continue
        for endpoint in every.get(owner_id, []) + chosen.get(subscription, []):
            rows.append(
                Delivery(
                    endpoint_id=endpoint,
                    subscription_id=subscription,
                    entry_id=entry,
                    created_at=now,
                    retrying_since=now,
                    next_attempt_at=now,
                )
            )
    return rows
