"""The search app's bookkeeping in the database of record.

The index itself is derived data: it can always be rebuilt from the entries. What must not be
lost is the knowledge that an entry changed and its index document is stale; that is a row of
:class:`PendingIndex`, written in the same transaction as the change.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PendingIndex(models.Model):
    """Outbox: the index document of ``entry_id`` must be rewritten or removed."""

    # Not a foreign key: the row must outlive the entry so that its document gets removed.
    entry_id = models.BigIntegerField(unique=True)
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pending index update"

    def __str__(self) -> str:
        return f"entry {self.entry_id}"


class ReindexRun(models.Model):
    """A rebuild of the whole index; ``last_entry_id`` lets an interrupted one resume."""

    backend = models.CharField(max_length=16)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_entry_id = models.BigIntegerField(default=0)
    indexed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else f"at entry {self.last_entry_id}"
        return f"reindex {self.backend} {self.started_at:%Y-%m-%d %H:%M} ({state})"
