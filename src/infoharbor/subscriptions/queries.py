"""Reads of subscriptions."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from infoharbor.subscriptions.models import Match, Subscription


def of_owner(user: object) -> QuerySet[Subscription]:
    """A person's subscriptions, with how many entries each has matched."""
    return (
        Subscription.objects.filter(owner_id=getattr(user, "pk", None))
        .annotate(match_count=Count("matches"))
        .order_by("name", "pk")
    )


def get_owned(user: object, pk: int) -> Subscription | None:
    return Subscription.objects.filter(owner_id=getattr(user, "pk", None), pk=pk).first()


def following(user: object, target_type: str, target: str) -> Subscription | None:
    """The person's follow of this target, if they follow it."""
    return Subscription.objects.filter(
        owner_id=getattr(user, "pk", None), target_type=target_type, target=target
    ).first()


def undelivered(limit: int = 500) -> QuerySet[Match]:
    """Matches waiting for delivery, oldest first (what the delivery stage reads)."""
    return (
        Match.objects.filter(delivered_at__isnull=True)
        .select_related("subscription", "entry")
        .order_by("matched_at", "pk")[:limit]
    )
