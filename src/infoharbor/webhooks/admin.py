"""Operators see endpoints and deliveries, their state and errors; owners change them on
their pages (the services audit it). Operators may replay deliveries and resume endpoints."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.core import audit
from infoharbor.webhooks.choices import DeliveryState
from infoharbor.webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin[Endpoint]):
    list_display = (
        "url", "owner", "active", "paused_reason", "paused_at", "consecutive_failures",
        "last_success_at",
    )  # fmt: skip
    list_filter = ("active", "paused_reason")
    search_fields = ("url", "owner__email", "description")
    raw_id_fields = ("owner",)
    # The signing secret is the owner's: not shown here.
    exclude = ("secret", "subscriptions")
    readonly_fields = ("consecutive_failures", "last_success_at", "paused_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = (
        "event_id", "endpoint", "event_type", "state", "attempts", "status_code", "error",
        "created_at", "next_attempt_at",
    )  # fmt: skip
    list_filter = ("state", "event_type")
    search_fields = ("=event_id", "endpoint__url", "error")
    raw_id_fields = ("endpoint", "subscription", "entry")
    date_hierarchy = "created_at"
    actions = ["replay"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return super().get_queryset(request).select_related("endpoint")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Send again (same event id)"))
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        from infoharbor.webhooks.services import _send_soon

        now = timezone.now()
        endpoints = set(queryset.values_list("endpoint_id", flat=True))
        count = queryset.update(
            state=DeliveryState.PENDING, next_attempt_at=now, claim="", retrying_since=now
        )
        origin = audit.Origin.from_request(request, via="admin")
        for endpoint in Endpoint.objects.filter(pk__in=endpoints):
            audit.record(origin, "webhook.replay", endpoint, note="admin")
            _send_soon(endpoint.pk)
        self.message_user(
            request,
            _("%(count)d deliveries will be sent again.") % {"count": count},
            messages.SUCCESS,
        )
