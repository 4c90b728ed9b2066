"""Stories on the worker: the entries published since the last run put into their stories.

The scheduler (:mod:`infoharbor.worker.scheduler`) calls :func:`enqueue_story_assignment`
every tick; it enqueues :func:`assign_stories` when entries wait and no assignment is queued
or running. Entries harvested by the worker (``ingest/tasks.py``) or published by hand join
their stories within a tick; ``infoharbor ingest`` still assigns at the end of its run.
"""

from __future__ import annotations

from infoharbor.core.tasks import Queue, enqueue_unless_waiting, task
from infoharbor.stories import services

# Entries per task at most, so one task never holds a worker thread for long; the next tick
# enqueues the rest.
TASK_LIMIT = 5000


@task(queue=Queue.BULK)
def assign_stories() -> dict[str, int | bool]:
    """Assign up to :data:`TASK_LIMIT` pending entries; what happened, for the task list."""
    result = services.assign_pending(limit=TASK_LIMIT)
    return {
        "entries": result.entries,
        "joined": result.joined,
        "linked": result.linked,
        "started": result.started,
        "trending": len(result.trending_on),
        "cooled": len(result.trending_off),
        "busy": result.busy,
    }


def enqueue_story_assignment() -> int:
    if not services.pending_entries().exists():
        return 0
    return int(enqueue_unless_waiting(assign_stories))
