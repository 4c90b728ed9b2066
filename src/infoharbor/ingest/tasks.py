"""Ingest on the worker: each due source is harvested by a task of its own.

The scheduler (:mod:`infoharbor.worker.scheduler`) calls :func:`enqueue_due_sources` every
minute; a source whose harvest is already queued or running is not enqueued again, and the
task itself harvests only a source that is still on and still due, so two deliveries of the
same task harvest it once. A harvest cut short by a killed worker is started again by the
next worker, and the harvest resumes (see :mod:`infoharbor.ingest.harvest`).
"""

from __future__ import annotations

from typing import Any

from infoharbor.core.tasks import Queue, task, waiting_ids
from infoharbor.ingest import harvest


@task(queue=Queue.DEFAULT)
def harvest_source(source_id: int) -> dict[str, Any]:
    """Harvest one source if it is on and due; what happened, for the task list."""
    source = harvest.due_sources().filter(pk=source_id).first()
    if source is None:
        # Harvested meanwhile (by `infoharbor ingest`, or a first delivery), switched off,
        # or deleted: nothing to do, and that is not an error.
        return {"source": source_id, "outcome": "not due"}
    (attempt,) = harvest.harvest([source])
    return {
        "source": source_id,
        "outcome": attempt.outcome,
        "new": attempt.items_new,
        "updated": attempt.items_updated,
        "failed": attempt.items_failed,
        "error": attempt.error_code,
    }


def enqueue_due_sources() -> int:
    """Enqueue a harvest of every due source that has none waiting; how many were."""
    # What waits is read before what is due: a harvest that ends in between has made its
    # source not due (it commits that before the task is marked done), so it is not doubled.
    waiting = {arguments[0] for arguments in waiting_ids(harvest_source) if arguments}
    due = harvest.due_sources().exclude(pk__in=waiting).values_list("pk", flat=True)
    count = 0
    for pk in due:
        harvest_source.enqueue(pk)
        count += 1
    return count
