from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from infoharbor.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from infoharbor.core.models import (
    AuditEvent,
    Country,
    Currency,
    Entry,
    EntryTranslation,
    Language,
    Organization,
    Sector,
)


@admin.register(Country)
class CountryAdmin(AuditedAdmin):
    list_display = ["iso2", "flag", "name", "region_member", "currency"]
    list_filter = ["region_member"]
    search_fields = ["iso2", "iso3", "names"]


@admin.register(Language)
class LanguageAdmin(AuditedAdmin):
    list_display = ["code", "native_name", "script", "spaced"]


@admin.register(Currency)
class CurrencyAdmin(AuditedAdmin):
    list_display = ["code", "name", "minor_units"]
    search_fields = ["code"]


@admin.register(Sector)
class SectorAdmin(AuditedAdmin):
    list_display = ["slug", "name", "parent", "order"]


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "country", "verified", "is_active", "is_demo"]
    list_filter = ["kind", "verified", "is_active", "country__region_member", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sectors"]
    readonly_fields = ["created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # suspend instead (is_active): an organization's history stays


class TranslationInline(admin.StackedInline[EntryTranslation, Entry]):
    model = EntryTranslation
    extra = 0
    readonly_fields = ["language", "title", "summary", "body_html", "is_machine", "updated_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """Entries change through the portal or the API, whose services check and audit them;
    operators withdraw them there too (never delete: the record and its trail stay)."""

    list_display = [
        "title",
        "kind",
        "organization",
        "country",
        "language",
        "status",
        "visibility",
        "published_at",
    ]
    list_filter = ["status", "kind", "visibility", "provenance", "country", "language"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_at"
    list_select_related = ["organization", "country", "language"]
    inlines = [TranslationInline]
    readonly_fields = [field.name for field in Entry._meta.fields]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = [
        "at",
        "actor_label",
        "action",
        "target_type",
        "target_label",
        "ip_address",
        "via",
    ]
    list_filter = ["action", "target_type", "via"]
    search_fields = ["actor_label", "target_label", "target_id", "note"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
