"""The kinds' details in the operator site: to read; they change with their entry."""

from django.contrib import admin

from infoharbor.core.admin_audit import ReadOnlyAdmin
from infoharbor.information.models import Dataset, News, PolicyDocument


@admin.register(News)
class NewsAdmin(ReadOnlyAdmin):
    list_display = ["entry", "notice_type"]
    list_filter = ["notice_type"]
    raw_id_fields = ["entry"]


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ReadOnlyAdmin):
    list_display = ["entry", "policy_type", "document_number", "in_force"]
    list_filter = ["policy_type", "in_force"]
    raw_id_fields = ["entry"]


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["entry", "publisher", "identifier", "update_frequency", "row_count"]
    list_filter = ["update_frequency"]
    search_fields = ["identifier", "publisher"]
    raw_id_fields = ["entry"]
