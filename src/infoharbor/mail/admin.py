"""Operators see every outgoing message with its state, attempts and last error, and the
addresses that refuse mail. Messages are not edited here (what was composed is what is
sent); "send again now" and "clear the failing mark" go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from infoharbor.mail import services
from infoharbor.mail.models import AddressHealth, Message, MessageItem


class MessageItemInline(admin.TabularInline[MessageItem, Message]):
    model = MessageItem
    fields = ("subscription", "match")
    raw_id_fields = ("subscription", "match")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = (
        "created_at",
        "address",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("state", "kind", "language")
    search_fields = ("address", "message_id", "subject")
    date_hierarchy = "created_at"
    raw_id_fields = ("recipient",)
    readonly_fields = [field.name for field in Message._meta.fields]
    inlines = [MessageItemInline]
    actions = ["send_again"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: Message) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Send again now (failed, held or retrying messages)"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.send_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request, _("%(count)d messages will be sent again.") % {"count": count}, messages.INFO
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change page is where operators read a message; nothing on it can be saved.
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)


@admin.register(AddressHealth)
class AddressHealthAdmin(admin.ModelAdmin[AddressHealth]):
    list_display = ("address", "consecutive_failures", "failing_since", "updated_at")
    list_filter = (("failing_since", admin.EmptyFieldListFilter),)
    search_fields = ("address",)
    readonly_fields = [field.name for field in AddressHealth._meta.fields]
    actions = ["clear_failing"]

    @admin.action(description=_("Clear the failing mark"))
    def clear_failing(self, request: HttpRequest, queryset: QuerySet[AddressHealth]) -> None:
        addresses = list(queryset.values_list("address", flat=True))
        services.clear_failing(addresses)
        self.message_user(
            request,
            _("%(count)d addresses will get mail again.") % {"count": len(addresses)},
            messages.INFO,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)
