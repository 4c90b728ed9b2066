from __future__ import annotations

from django.contrib import admin

from infoharbor.subscriptions.models import Match, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    """Read-only for operators: owners change their subscriptions through the services, which
    keep the match index in step."""

    list_display = ("name", "owner", "kind", "target_type", "frequency", "paused", "updated_at")
    list_filter = ("kind", "target_type", "frequency", "paused")
    search_fields = ("name", "owner__email", "params")
    raw_id_fields = ("owner",)
    # The feed token is the owner's secret (it reads members-only entries): not shown here.
    exclude = ("feed_token",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin[Match]):
    list_display = ("subscription", "entry", "matched_at", "delivered_at")
    list_filter = ("delivered_at",)
    raw_id_fields = ("subscription", "entry")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
