"""The scheduler: every so often, enqueue the work that is due.

It runs in the heartbeat thread of every ``infoharbor worker``, but only the process that
holds the ``scheduler`` :class:`~infoharbor.worker.models.Lease` acts, so several workers on
several machines still enqueue each due source once. The lease lasts
``INFOHARBOR_WORKER_LEASE_SECONDS`` and is renewed at every heartbeat; when its holder
dies, another worker takes it over once it has run out.

What is scheduled is declared in :data:`PERIODIC`: functions that enqueue tasks and return
how many they enqueued. Each must enqueue nothing that is already waiting (see
:func:`infoharbor.core.tasks.enqueue_unless_waiting`), so a second tick, or a tick of a new
scheduler after a takeover, never doubles work. (Housekeeping, :mod:`.housekeeping`, does
its few deletes itself and returns how many rows it deleted.)
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from infoharbor.worker.models import Lease

logger = logging.getLogger(__name__)

LEASE = "scheduler"
# Dotted paths, so that the worker app does not import the apps it schedules for.
PERIODIC: tuple[str, ...] = (
    "infoharbor.ingest.tasks.enqueue_due_sources",
    "infoharbor.search.tasks.enqueue_index_drain",
    "infoharbor.stories.tasks.enqueue_story_assignment",
    "infoharbor.worker.housekeeping.prune",
    "infoharbor.mail.tasks.enqueue_mail",
    "infoharbor.webhooks.tasks.enqueue_due_deliveries",
)

_last_tick: dict[str, float] = {}
_tick_lock = threading.Lock()


def hold_lease(holder: str, now: dt.datetime | None = None, name: str = LEASE) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while another holds it."""
    now = now or timezone.now()
    expires = now + dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)
    free_or_ours = Q(holder=holder) | Q(expires_at__lt=now)
    with transaction.atomic():
        if Lease.objects.filter(free_or_ours, name=name).update(holder=holder, expires_at=expires):
            return True
        if Lease.objects.filter(name=name).exists():
            return False
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, holder=holder, expires_at=expires)
        except IntegrityError:  # another process made it first
            return False
    return True


def release_lease(holder: str, name: str = LEASE) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def tick(holder: str, now: dt.datetime | None = None) -> dict[str, int] | None:
    """One round of the scheduler, if ``holder`` holds the lease: recover the tasks of dead
    workers, then run every periodic function. None when another process is the scheduler."""
    from infoharbor.worker.runner import recover

    if not hold_lease(holder, now):
        return None
    counts = {"recovered": recover(now)}
    for path in PERIODIC:
        function: Callable[[], int] = import_string(path)
        try:
            counts[path] = function()
        except Exception:
            # One failing schedule must not stop the others; it is tried again next tick.
            logger.exception("scheduled %s failed", path)
            counts[path] = 0
    return counts


def run_if_due(holder: str) -> dict[str, int] | None:
    """Renew the lease, and tick when the scheduler interval has passed since the last."""
    import time

    if not hold_lease(holder):
        return None
    with _tick_lock:
        now = time.monotonic()
        last = _last_tick.get(holder)
        if last is not None and now - last < settings.SCHEDULER_INTERVAL_SECONDS:
            return None
        _last_tick[holder] = now
    counts = tick(holder)
    if counts and any(counts.values()):
        logger.info("scheduler: %s", counts)
    return counts
