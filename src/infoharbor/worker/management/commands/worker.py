"""``infoharbor worker``: run background tasks, and the scheduler, until stopped.

Serves every queue, most urgent first (``--queue`` to serve only some), with
``INFOHARBOR_WORKER_CONCURRENCY`` threads. Run as many as you like, on one machine or (with
PostgreSQL) several: they share the queue, and one of them at a time is the scheduler.
SIGTERM or Ctrl+C stops it after the tasks at hand; a second one stops it at once and gives
those tasks back to the queue. See docs/operator/worker.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from infoharbor.core.tasks import BY_URGENCY, Queue


class Command(BaseCommand):
    help = (
        "Run background tasks from the queue (most urgent first) and the scheduler that "
        "enqueues due sources, until SIGTERM or Ctrl+C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            default=[],
            metavar="NAME",
            help="Serve only this queue (repeat for several): "
            + ", ".join(queue.value for queue in BY_URGENCY)
            + ". Default: all, most urgent first.",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="Tasks run at the same time (default: INFOHARBOR_WORKER_CONCURRENCY).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks; never act as the scheduler.",
        )
        parser.add_argument(
            "--parent",
            type=int,
            default=None,
            help=argparse.SUPPRESS,  # `infoharbor up`: stop when that process is gone
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks that are ready, then exit (no scheduler unless --schedule).",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="With --batch: run one round of the scheduler first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from infoharbor.worker import runner, scheduler

        if settings.TASKS_BACKEND != "database":
            raise CommandError(
                "INFOHARBOR_TASKS_BACKEND is "
                f"{settings.TASKS_BACKEND!r}: tasks run where they are enqueued and there is "
                "no queue for a worker. Unset it (or set it to 'database') to use the worker."
            )
        known = [queue.value for queue in BY_URGENCY]
        wanted = [name for value in options["queue"] for name in value.split(",") if name]
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise CommandError(
                f"No queue named {', '.join(unknown)}; the queues are {', '.join(known)}."
            )
        # Most urgent first, whatever order they were given in.
        queues = [name for name in known if name in wanted] if wanted else known
        concurrency = options["concurrency"] or settings.WORKER_CONCURRENCY
        if concurrency < 1:
            raise CommandError("--concurrency must be 1 or more.")
        self._log_to_stderr(options["verbosity"])

        worker = runner.Worker(
            queues=[Queue(name) for name in queues],
            concurrency=concurrency,
            with_scheduler=not options["no_scheduler"] and not options["batch"],
            batch=options["batch"],
            parent=options["parent"],
        )
        if options["batch"] and options["schedule"]:
            counts = scheduler.tick(worker.holder)
            if counts is None:
                self.stdout.write("Another worker is the scheduler; no round run.")
            else:
                self.stdout.write(f"Scheduler round: {counts}")
        self.stdout.write(
            f"Worker {worker.token}: queues {', '.join(queues)}; {concurrency} at a time"
            + ("" if worker.with_scheduler else "; no scheduler")
            + (" (batch)." if options["batch"] else " (SIGTERM or Ctrl+C to stop).")
        )
        self.stdout.flush()
        worker.run()

    @staticmethod
    def _log_to_stderr(verbosity: int) -> None:
        # The harbor's own messages go to standard error through the "infoharbor" logger
        # (settings.LOGGING); the task library's are sent there too, at the same level.
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        logging.getLogger("infoharbor.worker").setLevel(level)
        for name in ("django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(max(level, logging.WARNING))
            if not logger.handlers:
                logger.addHandler(logging.StreamHandler(sys.stderr))
