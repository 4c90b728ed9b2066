"""Sources in the operator site: changes go through the services (checked and audited);
harvest attempts and ingested items are there to read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoharbor.core import audit
from infoharbor.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from infoharbor.core.permissions import Actor
from infoharbor.ingest import queries, services
from infoharbor.ingest.choices import Freshness
from infoharbor.ingest.forms import AdminSourceForm
from infoharbor.ingest.models import FetchAttempt, IngestedItem, PageVisit, SectorRule, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    form = AdminSourceForm
    list_display = ["name", "organization", "kind", "enabled", "freshness", "last_success"]
    list_filter = ["kind", "enabled", "country"]
    search_fields = ["name", "url", "organization__name"]
    list_select_related = ["organization", "state"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["harvest_state"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A source stays with the organization it was made for (its entries are theirs).
        return ["organization", "harvest_state"] if obj is not None else ["harvest_state"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a source off instead: its entries keep saying where they came from

    @admin.display(description=_("freshness"))
    def freshness(self, obj: Source) -> str:
        return str(
            Freshness(queries.freshness(obj, getattr(obj, "state", None), timezone.now())).label
        )

    @admin.display(description=_("last success"))
    def last_success(self, obj: Source) -> Any:
        state = getattr(obj, "state", None)
        return state.last_success_at if state else None

    @admin.display(description=_("harvest state"))
    def harvest_state(self, obj: Source) -> str:
        state = getattr(obj, "state", None)
        if state is None:
            return "—"
        parts = [
            f"last success: {state.last_success_at or '—'}",
            f"next due: {state.next_due_at or 'now'}",
        ]
        if state.last_error:
            parts.append(f"last error ({state.last_error_at}): {state.last_error}")
        return "; ".join(parts)

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        actor = Actor.for_user(request.user)
        origin = audit.Origin.from_request(request, via="admin")
        data = form.source_data()
        if change:
            saved = services.update_source(actor=actor, origin=origin, source=obj, data=data)
        else:
            saved = services.create_source(
                actor=actor,
                origin=origin,
                organization=form.cleaned_data["organization"],
                data=data,
            )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return  # the services set the sectors, in the same audited change


@admin.register(FetchAttempt)
class FetchAttemptAdmin(ReadOnlyAdmin):
    list_display = ["source", "started_at", "outcome", "http_status", "error_code", "items_new"]
    list_filter = ["outcome", "error_code"]
    list_select_related = ["source"]
    raw_id_fields = ["source"]


@admin.register(IngestedItem)
class IngestedItemAdmin(ReadOnlyAdmin):
    list_display = ["entry", "source", "first_seen_at", "published_at", "canonical_url"]
    list_select_related = ["entry", "source"]
    raw_id_fields = ["entry", "source"]
    search_fields = ["guid", "canonical_url"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[IngestedItem]:
        return super().get_queryset(request).select_related("entry", "source")


@admin.register(SectorRule)
class SectorRuleAdmin(AuditedAdmin):
    """Operators keep the keyword rules; each change is audited and applies from the next
    harvest on (entries already stored keep their sectors until their item changes)."""

    list_display = ["sector", "keywords_shown", "enabled", "updated_at"]
    list_filter = ["enabled", "sector"]
    list_select_related = ["sector"]
    search_fields = ["keywords", "note"]
    fields = ["sector", "keywords", "enabled", "note"]

    @admin.display(description=_("keywords"))
    def keywords_shown(self, obj: SectorRule) -> str:
        words = obj.keyword_list
        shown = ", ".join(words[:6])
        return f"{shown} …" if len(words) > 6 else shown

    def save_model(self, request: HttpRequest, obj: SectorRule, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(PageVisit)
class PageVisitAdmin(ReadOnlyAdmin):
    list_display = ["url", "source", "outcome", "failures", "fetched_at", "lastmod"]
    list_filter = ["outcome"]
    list_select_related = ["source"]
    raw_id_fields = ["source"]
    search_fields = ["url"]
