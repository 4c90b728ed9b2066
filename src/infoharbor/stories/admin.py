"""Story clusters in the operator site, to read: they change only through
:mod:`infoharbor.stories.services` (``infoharbor stories``)."""

from __future__ import annotations

from django.contrib import admin

from infoharbor.core.admin_audit import ReadOnlyAdmin
from infoharbor.stories.models import StoryCluster, StoryMember


class MemberInline(admin.TabularInline[StoryMember, StoryCluster]):
    model = StoryMember
    fields = ["entry", "language", "country", "published_at", "matched", "matched_by", "similarity"]
    readonly_fields = [
        "entry", "language", "country", "published_at", "matched", "matched_by", "similarity",
    ]  # fmt: skip
    raw_id_fields = ["entry", "matched"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(StoryCluster)
class StoryClusterAdmin(ReadOnlyAdmin):
    list_display = ["pk", "representative", "size", "first_seen", "last_seen", "trending"]
    list_filter = ["trending"]
    search_fields = ["representative__title"]
    list_select_related = ["representative"]
    raw_id_fields = ["representative"]
    date_hierarchy = "last_seen"
    inlines = [MemberInline]
