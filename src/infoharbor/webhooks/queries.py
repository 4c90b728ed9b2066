"""Reads of webhook endpoints and deliveries, always within one owner's."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from infoharbor.accounts.models import User
from infoharbor.subscriptions import deliveries as shown
from infoharbor.webhooks.choices import DeliveryState
from infoharbor.webhooks.models import Delivery, Endpoint

CHANNEL = _("Webhook")


def of_owner(user: User) -> QuerySet[Endpoint]:
    return (
        Endpoint.objects.filter(owner=user)
        .annotate(pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)))
        .order_by("pk")
    )


def get_owned(user: User, pk: int) -> Endpoint | None:
    return Endpoint.objects.filter(owner=user, pk=pk).first()


def deliveries_of(endpoint: Endpoint) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("subscription", "entry")
        .order_by("-created_at", "-pk")
    )


def get_delivery(user: User, endpoint_pk: int, pk: int) -> Delivery | None:
    return (
        Delivery.objects.filter(endpoint__owner=user, endpoint_id=endpoint_pk, pk=pk)
        .select_related("endpoint")
        .first()
    )


def subscription_deliveries(subscription_ids: Sequence[int], limit: int) -> list[shown.Delivery]:
    """The last ``limit`` webhook deliveries of each subscription, for "My subscriptions"
    (a source of :mod:`infoharbor.subscriptions.deliveries`; one query)."""
    newest = (
        Delivery.objects.filter(subscription_id=OuterRef("subscription_id"))
        .order_by("-pk")
        .values("pk")[:limit]
    )
    rows = Delivery.objects.filter(
        subscription_id__in=list(subscription_ids), pk__in=Subquery(newest)
    ).values(
        "subscription_id", "state", "attempts", "created_at", "delivered_at", "error",
        "next_attempt_at",
    )  # fmt: skip
    found = []
    for row in rows:
        state = DeliveryState(row["state"])
        retrying = state == DeliveryState.PENDING and row["attempts"] > 0
        if state == DeliveryState.DELIVERED:
            shown_state = "sent"
        elif state == DeliveryState.PENDING:
            shown_state = "retrying" if retrying else "pending"
        else:
            shown_state = "failed"
        found.append(
            shown.Delivery(
                subscription_id=row["subscription_id"],
                at=row["delivered_at"] or row["created_at"],
                channel=CHANNEL,
                entries=1,
                state=shown_state,
                state_label=state.label,
                error=row["error"] if state != DeliveryState.DELIVERED else "",
                next_attempt_at=row["next_attempt_at"] if retrying else None,
            )
        )
    return found
