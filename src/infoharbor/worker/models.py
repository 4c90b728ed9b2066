"""What the worker keeps beside the task library's own table (``django_tasks_db``).

The queue itself is :class:`django_tasks_db.models.DBTaskResult`: one row per task, with its
queue, state, the workers that started it and the last error. These two tables let the
harbor tell a worker that died from one that is busy, and let one worker at a time be the
scheduler.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerProcess(models.Model):
    """A running ``infoharbor worker`` process, alive while it keeps ``seen_at`` fresh."""

    token = models.CharField(_("token"), max_length=16, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    queues = models.CharField(_("queues"), max_length=200)
    threads = models.PositiveSmallIntegerField(_("threads"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        ordering = ["hostname", "started_at"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.token})"


class Lease(models.Model):
    """A role that one process holds at a time, until it renews it no more (the scheduler)."""

    name = models.CharField(_("name"), max_length=32, primary_key=True)
    holder = models.CharField(_("holder"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
