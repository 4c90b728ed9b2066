"""The operator site's view of background work: every task with its queue, state, attempts
and last error; the workers that are running; who is the scheduler."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from infoharbor.core import audit
from infoharbor.core.admin_audit import ReadOnlyAdmin
from infoharbor.core.tasks import enqueue_durably
from infoharbor.worker.models import Lease, WorkerProcess

# The library registers a bare admin of its own; the harbor's replaces it.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(ReadOnlyAdmin):
    list_display = [
        "task_name",
        "arguments",
        "queue_name",
        "status",
        "attempts",
        "enqueued_at",
        "started_at",
        "finished_at",
        "last_error",
    ]
    list_filter = ["status", "queue_name", "task_path"]
    ordering = ["-enqueued_at"]
    date_hierarchy = "enqueued_at"
    actions = ["run_again"]
    readonly_fields = (
        "id",
        "task_path",
        "arguments",
        "queue_name",
        "priority",
        "status",
        "attempts",
        "worker_ids",
        "enqueued_at",
        "started_at",
        "finished_at",
        "return_value",
        "exception_class_path",
        "error_details",
    )

    @admin.display(description=_("task"))
    def task_name(self, obj: DBTaskResult[..., Any]) -> str:
        path: str = obj.task_path
        return ".".join(path.rsplit(".", 2)[-2:])

    @admin.display(description=_("arguments"))
    def arguments(self, obj: DBTaskResult[..., Any]) -> str:
        return ", ".join(str(value) for value in obj.args_kwargs.get("args", []))

    @admin.display(description=_("attempts"))
    def attempts(self, obj: DBTaskResult[..., Any]) -> int:
        return len(obj.worker_ids)

    @admin.display(description=_("last error"))
    def last_error(self, obj: DBTaskResult[..., Any]) -> str:
        if obj.status != TaskResultStatus.FAILED:
            return ""
        traceback: str = obj.traceback
        last_line = traceback.strip().rsplit("\n", 1)[-1]
        return last_line[:200]

    @admin.display(description=_("error"))
    def error_details(self, obj: DBTaskResult[..., Any]) -> str:
        if not obj.traceback:
            return "-"
        return format_html("<pre>{}</pre>", obj.traceback)

    @admin.action(description=_("Run the selected failed tasks again"))
    def run_again(self, request: HttpRequest, queryset: QuerySet[DBTaskResult[..., Any]]) -> None:
        count = 0
        origin = audit.Origin.from_request(request, via="admin")
        for result in queryset.filter(status=TaskResultStatus.FAILED):
            try:
                task = result.task
            except (ImportError, SuspiciousOperation):
                self.message_user(
                    request,
                    _("%(path)s is not a task of this harbor any more; not run again.")
                    % {"path": result.task_path},
                    messages.WARNING,
                )
                continue
            # A new task with the same arguments; the failed one stays as the record.
            with transaction.atomic():
                retry = enqueue_durably(task, *result.args_kwargs["args"])
                audit.record(
                    origin,
                    "task.run_again",
                    result,
                    note=f"{result.task_path} again" + (f" as {retry.id}" if retry else ""),
                )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d failed task enqueued again.",
                "%(count)d failed tasks enqueued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WorkerProcess)
class WorkerProcessAdmin(ReadOnlyAdmin):
    list_display = ["hostname", "pid", "token", "queues", "threads", "started_at", "seen_at"]


@admin.register(Lease)
class LeaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "holder", "expires_at"]
