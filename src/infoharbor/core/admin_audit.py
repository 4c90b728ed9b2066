"""Operators' changes in the operator site go into the same audit trail as everyone else's.

Django's admin keeps its own LogEntry with a free-text message; the harbor's trail needs the
fields that changed, their old and new values, and where the change came from.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from infoharbor.core import audit
from infoharbor.core.models import Organization

# Never copy these into the trail, only note that they changed.
SECRET_FIELDS = frozenset({"password", "token_hash", "secret"})


def _organization_of(obj: models.Model) -> Organization | None:
    if isinstance(obj, Organization):
        return obj
    organization = getattr(obj, "organization", None)
    return organization if isinstance(organization, Organization) else None


def form_changes(form: forms.BaseForm) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for what the operator changed in ``form``."""
    changes: dict[str, list[Any]] = {}
    for name in form.changed_data:
        if name in SECRET_FIELDS:
            changes[name] = ["…", "…"]
            continue
        old = form.initial.get(name)
        new = form.cleaned_data.get(name)
        changes[name] = [audit.plain(old), audit.plain(new)]
    return changes


def _record(request: HttpRequest, action: str, obj: models.Model, **extra: Any) -> None:
    origin = audit.Origin.from_request(request, via="admin")
    audit.record(origin, action, obj, organization=_organization_of(obj), **extra)


def _action(obj: models.Model, verb: str) -> str:
    return f"{obj._meta.model_name}.{verb}"


class AuditedAdmin(admin.ModelAdmin[Any]):
    """A ModelAdmin whose saves, deletions and inline edits are audited."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> None:
        changes = form_changes(form)
        super().save_model(request, obj, form, change)
        if changes or not change:
            _record(request, _action(obj, "change" if change else "create"), obj, changes=changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record(request, _action(obj, "delete"), obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _record(request, _action(obj, "delete"), obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Deleted rows lose their primary key when deleted: record them first (the admin
        # saves in one transaction, so a failure takes the record back too).
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                _record(request, _action(deleted.instance, "delete"), deleted.instance)
        super().save_formset(request, form, formset, change)
        # formset.save() leaves what it created and changed on the formset.
        for obj in formset.new_objects:
            _record(request, _action(obj, "create"), obj)
        for obj, fields in formset.changed_objects:
            _record(request, _action(obj, "change"), obj, note=", ".join(fields))


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """For records that change only through the services (which check and audit): the
    operator site shows them and nothing more."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
