"""Keeping the index in step with the entries.

1. Inside the transaction of every entry change, a :class:`PendingIndex` row is written
   (``on_entry_write``): the change and the note that the index is stale commit together.
2. After the commit, :func:`kick` drains the outbox: in a background thread in a running
   harbor, at once in tests and commands. Draining builds the documents, writes them to the
   backend (durable when it returns), then deletes the outbox rows it handled, so a crash
   between the two only means indexing the same entries again.
3. ``infoharbor reindex`` rebuilds everything, resumably (:func:`reindex`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from infoharbor.core import services
from infoharbor.core.models import Entry, Organization
from infoharbor.search import documents
from infoharbor.search.backends import get_backend
from infoharbor.search.models import PendingIndex, ReindexRun

logger = logging.getLogger(__name__)

# Entries per batch: built, written and committed together. A tantivy commit costs about
# 25 ms whatever it holds (a new segment, fsync, merges): 0.12 ms per entry in batches of
# 200, 0.03 in batches of 1,000 (bench/index_cost.py).
BATCH_SIZE = 1000


def connect() -> None:
    """Wire the indexer to entry and organization changes (called once, from the app)."""
    # The batch forms: a batch of ingested entries writes one outbox insert and kicks once.
    services.on_entries_write(_queue_entries)
    services.on_entries_change(lambda _event, _entry_ids: kick())
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid="search-org")


def _queue_entries(_event: str, entry_ids: list[int]) -> None:
    queue(entry_ids)


def queue(entry_ids: list[int]) -> None:
    """Mark entries as stale in the index (inside the caller's transaction)."""
    now = timezone.now()
    PendingIndex.objects.bulk_create(
        [PendingIndex(entry_id=pk, queued_at=now) for pk in entry_ids],
        update_conflicts=True,
        unique_fields=["entry_id"],
        update_fields=["queued_at"],
    )


def _organization_saved(
    sender: type[Organization], instance: Organization, **kwargs: object
) -> None:
    # A renamed or suspended organization changes the documents of all its entries.
    if kwargs.get("raw"):
        return
    ids = list(Entry.objects.filter(organization=instance).values_list("pk", flat=True))
    if ids:
        queue(ids)
        transaction.on_commit(kick)


def drain(limit: int | None = None) -> int:
    """Index what the outbox holds; returns how many entries were handled."""
    backend = get_backend()
    handled = 0
    while limit is None or handled < limit:
        batch = list(
            PendingIndex.objects.order_by("queued_at", "pk").values_list(
                "pk", "entry_id", "queued_at"
            )[:BATCH_SIZE]
        )
        if not batch:
            break
        built, removed = documents.build([entry_id for _pk, entry_id, _at in batch])
        backend.index(built, removed)
        # Only rows not queued again meanwhile: a change during indexing is indexed next round.
        # A batch of ingested entries was queued at one time: one delete per distinct time.
        by_time: dict[dt.datetime, list[int]] = {}
        for pk, _entry_id, queued_at in batch:
            by_time.setdefault(queued_at, []).append(pk)
        for at, pks in by_time.items():
            PendingIndex.objects.filter(pk__in=pks, queued_at=at).delete()
        handled += len(batch)
    return handled


class _Background:
    """One daemon thread per process that drains the outbox when kicked."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def kick(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="search-indexer", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                drain()
            except Exception:
                # The rows stay in the outbox; the next change or `infoharbor reindex --pending`
                # picks them up.
                logger.exception("search indexing failed")
            finally:
                close_old_connections()


_background = _Background()


def kick() -> None:
    """Drain the outbox: in the background in a running harbor, at once otherwise."""
    if settings.SEARCH_INDEX_IN_BACKGROUND:
        _background.kick()
    else:
        drain()


def _ids_after(last_id: int, batch_size: int) -> Iterator[list[int]]:
    while True:
        ids = list(
            Entry.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        yield ids
        last_id = ids[-1]


def reindex(
    *,
    fresh: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexRun:
    """Rebuild the index from every entry, resuming an unfinished run unless ``fresh``.

    The outbox keeps collecting changes meanwhile; they are drained at the end.
    """
    backend = get_backend()
    run = ReindexRun.objects.filter(backend=backend.name, finished_at__isnull=True).first()
    if run is None or fresh:
        ReindexRun.objects.filter(backend=backend.name, finished_at__isnull=True).delete()
        backend.clear()
        run = ReindexRun.objects.create(backend=backend.name)
    run.total = Entry.objects.count()
    run.save(update_fields=["total"])
    for ids in _ids_after(run.last_entry_id, batch_size):
        built, removed = documents.build(ids)
        backend.index(built, removed)
        run.last_entry_id = ids[-1]
        run.indexed += len(built)
        run.save(update_fields=["last_entry_id", "indexed"])
        if progress is not None:
            progress(Entry.objects.filter(pk__lte=run.last_entry_id).count(), run.total)
    drain()
    optimize = getattr(backend, "optimize", None)
    if optimize is not None:
        optimize()
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run


def start() -> None:
    """At process start: load the text models and drain the outbox, in the background."""
    if not settings.SEARCH_INDEX_IN_BACKGROUND:
        return

    def prepare() -> None:
        from infoharbor.text.analyze import warm_up

        try:
            warm_up()
        finally:
            _background.kick()

    threading.Thread(target=prepare, name="search-warm-up", daemon=True).start()
