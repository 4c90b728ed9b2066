from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from infoharbor.accounts import memberships, tokens
from infoharbor.accounts.choices import Role
from infoharbor.accounts.models import ApiToken, CountryModerator, Membership, User
from infoharbor.core import audit
from infoharbor.core.admin_audit import AuditedAdmin


class MembershipFormSet(BaseInlineFormSet[Membership, User, Any]):
    """The operator site keeps the portal's rule: an organization keeps an administrator."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            membership = form.instance
            if membership.pk is None or not hasattr(form, "cleaned_data"):
                continue
            deleted = self.can_delete and bool(form.cleaned_data.get("DELETE"))
            was_admin = form.initial.get("role") == Role.ADMIN
            stays_admin = not deleted and form.cleaned_data.get("role") == Role.ADMIN
            if was_admin and not stays_admin and not memberships.other_admins(membership):
                raise ValidationError(memberships.last_admin_message())


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    raw_id_fields = ["organization"]
    readonly_fields = ["created_at"]


class ModeratorInline(admin.TabularInline[CountryModerator, User]):
    model = CountryModerator
    extra = 0
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):  # type: ignore[type-arg]  # stubs: AbstractUser
    ordering = ["email"]
    list_display = ["email", "display_name", "email_verified", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "email_verified"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {"fields": ("display_name", "preferred_language", "time_zone", "email_verified")},
        ),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                # Tick "email verified" for an address you know; otherwise the person
                # confirms it (or resets their password) before signing in.
                "fields": ("email", "password1", "password2", "email_verified"),
            },
        ),
    )
    inlines = [MembershipInline, ModeratorInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "secret_hash",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]

    list_filter = ["scope", "revoked_at"]
    search_fields = ["user__email", "prefix", "name"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        origin = audit.Origin.from_request(request, via="admin")
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.revoke_token(token=token, origin=origin)
