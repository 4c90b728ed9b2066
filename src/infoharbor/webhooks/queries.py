"""Reads of webhook endpoints and deliveries, always within one owner's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from infoharbor.accounts.models import User
from infoharbor.webhooks.choices import DeliveryState
from infoharbor.webhooks.models import Delivery, Endpoint


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
