"""Tasks for bench/worker.py (a module of their own, so a worker can import them by path)."""

from __future__ import annotations

from infoharbor.core.tasks import Queue, task


@task(queue=Queue.DEFAULT)
def noop(n: int) -> int:
    return n


@task(queue=Queue.ALERTS)
def urgent(n: int) -> int:
    return n
