"""The worker: claims tasks from the queue table, most urgent queue first, and runs them.

The library's table (:class:`~django_tasks_db.models.DBTaskResult`) is the queue, and its
own code claims a task (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive
transaction on SQLite) and records its end. What the library does not do yet is notice a
worker that died (its task stays "running" for ever: django-tasks-db issue #5), so each
worker process here keeps a :class:`~infoharbor.worker.models.WorkerProcess` row fresh from
a thread of its own, and :func:`recover` gives the tasks of a worker that stopped reporting
(or whose process is gone) back to the queue, or fails them after too many attempts.
A task is therefore run at least once, and, being idempotent, has its effect once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from infoharbor.core.tasks import BY_URGENCY
from infoharbor.worker import scheduler
from infoharbor.worker.models import WorkerProcess

logger = logging.getLogger(__name__)

# Worker ids written into the library's table: "ih-<process token>-<thread>", so that the
# process a task was running in can be found again (ids of other workers are left alone).
ID_PREFIX = "ih-"
ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class WorkerLost(Exception):
    """The worker running the task stopped before the task ended (killed, machine lost)."""


class QueueBusy(Exception):
    """The queue is locked by another worker for a moment (SQLite)."""


def worker_id(token: str, thread: int) -> str:
    return f"{ID_PREFIX}{token}-{thread}"


def token_of(worker: str) -> str | None:
    if not worker.startswith(ID_PREFIX):
        return None
    return worker[len(ID_PREFIX) :].split("-", 1)[0]


def claim_next(worker: str, queues: Sequence[str]) -> DBTaskResult[..., Any] | None:
    """Claim the most urgent ready task of ``queues`` for ``worker``; None when there is
    none; :class:`QueueBusy` when another worker holds the lock (try again)."""
    urgency = Case(
        *(When(queue_name=name, then=Value(rank)) for rank, name in enumerate(queues)),
        default=Value(len(queues)),
        output_field=IntegerField(),
    )
    tasks = (
        DBTaskResult.objects.ready()
        .filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS, queue_name__in=list(queues))
        .order_by(urgency, F("priority").desc(), F("run_after").asc(), F("enqueued_at").asc())
    )
    try:
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(worker)
    except OperationalError as error:
        # SQLite: another worker holds the write lock for a moment.
        if is_locked_database_exception(error):
            raise QueueBusy from error
        raise
    return result


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def live_tokens(now: dt.datetime | None = None) -> set[str]:
    """Tokens of the worker processes that are alive; forgets the rows of dead ones."""
    now = now or timezone.now()
    horizon = now - dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)
    # On this machine the process table is the truth: a worker whose process is gone is dead
    # at once, and one whose process is there is alive even when its heartbeat is late (a
    # task in C code can hold the interpreter for seconds). Only a heartbeat silent for ten
    # leases (a process id reused after a restart of the machine) overrules it.
    long_horizon = now - dt.timedelta(seconds=10 * settings.WORKER_LEASE_SECONDS)
    here = socket.gethostname()
    live: set[str] = set()
    for process in WorkerProcess.objects.all():
        if process.hostname == here:
            dead = process.seen_at < long_horizon or not _process_alive(process.pid)
        else:
            dead = process.seen_at < horizon
        if dead:
            WorkerProcess.objects.filter(token=process.token, seen_at=process.seen_at).delete()
        else:
            live.add(process.token)
    return live


def recover(now: dt.datetime | None = None) -> int:
    """Give the tasks of dead workers back to the queue (or fail them after too many
    attempts); returns how many were handled. Safe to run from several processes at once."""
    now = now or timezone.now()
    live = live_tokens(now)
    handled = 0
    running = DBTaskResult.objects.running().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
    for result in running.only("id", "worker_ids", "started_at"):
        last = result.worker_ids[-1] if result.worker_ids else ""
        token = token_of(last)
        if token is None or token in live:
            continue
        attempts = len(result.worker_ids)
        # Only if nobody changed it meanwhile: a new claim sets a new started_at.
        same = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        if attempts >= settings.WORKER_MAX_ATTEMPTS:
            error = WorkerLost(
                f"The worker ({last}) stopped while running this task, {attempts} times; "
                "it is not started again."
            )
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{type(error).__name__}: {error}\n",
            )
            if changed:
                logger.error("task %s failed for good: %s", result.pk, error)
        else:
            changed = same.update(status=TaskResultStatus.READY)
            if changed:
                logger.warning(
                    "task %s given back to the queue: its worker %s stopped (attempt %d)",
                    result.pk,
                    last,
                    attempts,
                )
        handled += changed
    return handled


def release(results: Sequence[DBTaskResult[..., Any]]) -> int:
    """Give tasks this process is running back to the queue (a forced stop)."""
    released = 0
    for result in results:
        released += DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(status=TaskResultStatus.READY)
    return released


@dataclass
class Worker:
    """One ``infoharbor worker`` process: task threads, and a heartbeat thread that is also
    the scheduler when this process holds the scheduler lease."""

    queues: Sequence[str] = BY_URGENCY
    concurrency: int = 1
    with_scheduler: bool = True
    batch: bool = False
    handle_signals: bool = True
    parent: int | None = None  # stop (gently) when this process is no longer our parent
    token: str = field(default_factory=lambda: get_random_string(12, ID_ALPHABET))
    stopping: threading.Event = field(default_factory=threading.Event)
    _running: dict[int, DBTaskResult[..., Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _signals: int = 0

    @property
    def holder(self) -> str:
        return worker_id(self.token, 0)

    # --- the process ------------------------------------------------------------------

    def run(self) -> None:
        """Run until SIGTERM or SIGINT (or, with ``batch``, until no task is ready)."""
        self.heartbeat()
        recover()
        threads = [
            threading.Thread(target=self._work, args=(n,), name=f"worker-{n}", daemon=True)
            for n in range(1, self.concurrency + 1)
        ]
        housekeeping = threading.Thread(
            target=self._housekeeping, name="worker-heartbeat", daemon=True
        )
        if self.handle_signals and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        logger.info(
            "worker %s started: queues %s, %d threads%s",
            self.token,
            ",".join(self.queues),
            self.concurrency,
            ", scheduler" if self.with_scheduler else "",
        )
        housekeeping.start()
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                # A timeout keeps the main thread responsive to signals.
                while thread.is_alive():
                    thread.join(timeout=0.5)
        finally:
            self.stopping.set()
            housekeeping.join(timeout=10)
            scheduler.release_lease(self.holder)
            WorkerProcess.objects.filter(token=self.token).delete()
            close_old_connections()
            logger.info("worker %s stopped", self.token)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals == 1:
            logger.warning(
                "%s: finishing the tasks at hand, then stopping (again to stop at once)",
                signal.strsignal(signum),
            )
            self.stopping.set()
            return
        # Second signal: give the tasks back to the queue, untouched by this worker, and go.
        with self._lock:
            running = list(self._running.values())
        released = release(running)
        logger.warning("stopping at once; %d tasks given back to the queue", released)
        WorkerProcess.objects.filter(token=self.token).delete()
        os._exit(1)

    def heartbeat(self) -> None:
        now = timezone.now()
        WorkerProcess.objects.update_or_create(
            token=self.token,
            defaults={"seen_at": now},
            create_defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": ",".join(self.queues)[:200],
                "threads": self.concurrency,
                "started_at": now,
                "seen_at": now,
            },
        )

    def _housekeeping(self) -> None:
        every = max(0.2, min(5.0, settings.WORKER_LEASE_SECONDS / 3))
        try:
            while not self.stopping.is_set():
                if self.parent is not None and os.getppid() != self.parent:
                    logger.warning("the process that started this worker is gone; stopping")
                    self.stopping.set()
                    break
                try:
                    self.heartbeat()
                    if self.with_scheduler:
                        scheduler.run_if_due(self.holder)
                except Exception:
                    # The database may be away for a moment; keep trying, the tasks go on.
                    logger.exception("worker housekeeping failed")
                finally:
                    close_old_connections()
                self.stopping.wait(every)
        finally:
            connection.close()

    # --- the task threads -------------------------------------------------------------

    def _work(self, thread: int) -> None:
        me = worker_id(self.token, thread)
        library = LibraryWorker(
            queue_names=list(self.queues),
            interval=settings.WORKER_POLL_SECONDS,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=me,
            excluded_queue_names=[],
        )
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    result = claim_next(me, self.queues)
                except QueueBusy:
                    self.stopping.wait(0.05)
                    continue
                except Exception:
                    # The database may be away for a moment; the tasks wait in it.
                    logger.exception("could not claim a task")
                    if self.batch:
                        raise
                    self.stopping.wait(settings.WORKER_POLL_SECONDS)
                    continue
                if result is None:
                    if self.batch:
                        return
                    self.stopping.wait(settings.WORKER_POLL_SECONDS)
                    continue
                with self._lock:
                    self._running[thread] = result
                try:
                    # The library runs it: signals sent, result or error recorded.
                    library.run_task(result)
                finally:
                    with self._lock:
                        self._running.pop(thread, None)
        finally:
            connection.close()
