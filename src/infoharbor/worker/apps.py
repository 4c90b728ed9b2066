from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class WorkerConfig(AppConfig):
    name = "infoharbor.worker"
    label = "worker"
    verbose_name = _("Background work")


class TaskQueueConfig(TasksAppConfig):
    """The task library's app (its queue table), under a name operators understand."""

    default = False
    # The library declares a plain str; Django takes a lazy translation here as everywhere.
    verbose_name = _("Background tasks")  # type: ignore[assignment]
