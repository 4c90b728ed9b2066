"""Search on the worker: the outbox drained as a safety net.

Web processes drain the outbox in a thread after each change (:mod:`.indexer`); a change
whose process stopped before that leaves its :class:`~.models.PendingIndex` row, and the
scheduler enqueues :func:`drain_index_outbox` for it.
"""

from __future__ import annotations

from infoharbor.core.tasks import Queue, enqueue_unless_waiting, task
from infoharbor.search import indexer
from infoharbor.search.models import PendingIndex


@task(queue=Queue.DEFAULT)
def drain_index_outbox() -> int:
    """Index every entry still waiting in the outbox; how many were."""
    return indexer.drain()


def enqueue_index_drain() -> int:
    if not PendingIndex.objects.exists():
        return 0
    return int(enqueue_unless_waiting(drain_index_outbox))
