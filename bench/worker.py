"""The worker's own cost: CPU time to enqueue, claim and run a task that does nothing.

Per database (SQLite in WAL mode in a temporary file; PostgreSQL when a URL is given), in one
child process each: N tasks that return at once are enqueued, then run to the end

1. by the harbor's worker (``infoharbor.worker.runner.Worker``: claim most urgent queue first,
   heartbeat thread, the library's ``run_task``), one thread;
2. the same with two threads;
3. by the task library's own ``db_worker`` loop (``django_tasks_db``), the baseline: what the
   harbor's wrapper adds is the ratio to it.

Time is CPU seconds of the process (all its threads; time.process_time) per task, and wall
seconds. The database server's own CPU (PostgreSQL) is not counted.

    .venv/bin/python bench/worker.py                       # 1,000 tasks, SQLite
    .venv/bin/python bench/worker.py --quick               # 100 tasks
    .venv/bin/python bench/worker.py --tasks 5000 --postgres postgres://postgres@127.0.0.1:5432/ih_work_bench

Writes ``bench/results/worker.json`` and ``bench/results/worker.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _measure(function: Any) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    function()
    return time.process_time() - cpu, time.perf_counter() - wall


def child(database: str, tasks: int) -> dict[str, Any]:
    os.environ["INFOHARBOR_DATABASE_URL"] = database
    os.environ["INFOHARBOR_LOG_LEVEL"] = "WARNING"
    os.environ["INFOHARBOR_WORKER_POLL_SECONDS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "infoharbor.settings"
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    import _tasks
    from django.core.management import call_command
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
    from django_tasks_db.models import DBTaskResult

    from infoharbor.worker.runner import Worker

    call_command("migrate", verbosity=0)
    DBTaskResult.objects.all().delete()

    def enqueue() -> None:
        for n in range(tasks):
            (_tasks.urgent if n % 10 == 0 else _tasks.noop).enqueue(n)

    def check() -> None:
        done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count()
        assert done == tasks, f"{done} of {tasks} tasks done"
        DBTaskResult.objects.all().delete()

    def harbor(threads: int) -> Any:
        return lambda: Worker(
            concurrency=threads, batch=True, with_scheduler=False, handle_signals=False
        ).run()

    def library() -> None:
        LibraryWorker(
            queue_names=["*"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id="bench", excluded_queue_names=[],
        ).run()  # fmt: skip

    rows: dict[str, Any] = {}
    for name, run in (
        ("harbor worker, 1 thread", harbor(1)),
        ("harbor worker, 2 threads", harbor(2)),
        ("library db_worker (baseline)", library),
    ):
        cpu, wall = _measure(enqueue)
        rows.setdefault("enqueue", []).append({"cpu": cpu, "wall": wall})
        cpu, wall = _measure(run)
        check()
        rows[name] = {"cpu": cpu, "wall": wall}
    # Enqueueing was measured before each pass; keep the median of the three.
    enqueues = sorted(rows.pop("enqueue"), key=lambda row: row["cpu"])
    rows = {"enqueue (Task.enqueue)": enqueues[1], **rows}
    from django.db import connection

    return {"vendor": connection.vendor, "tasks": tasks, "rows": rows}


def render(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Tasks: {meta['tasks']} no-op tasks (one in ten on `alerts`); machine: {meta['machine']};"
        f" load average at start {meta['load']}.",
        "",
        "| database | step | CPU ms / task | wall ms / task | CPU vs library |",
        "|---|---|---:|---:|---:|",
    ]
    for result in results:
        tasks = result["tasks"]
        base = result["rows"]["library db_worker (baseline)"]["cpu"]
        for step, row in result["rows"].items():
            ratio = "" if step.startswith("enqueue") else f"{row['cpu'] / base:.2f}x"
            lines.append(
                f"| {result['vendor']} | {step} | {1000 * row['cpu'] / tasks:.2f} |"
                f" {1000 * row['wall'] / tasks:.2f} | {ratio} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="100 tasks")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL to measure too")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.tasks = 100
    if args.child:
        print(json.dumps(child(args.child, args.tasks)))
        return
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    results = []
    with tempfile.TemporaryDirectory() as var:
        databases = [f"sqlite:///{Path(var) / 'bench.sqlite3'}"]
        if args.postgres:
            databases.append(args.postgres)
        for database in databases:
            env = {**os.environ, "INFOHARBOR_VAR_DIR": var}
            done = subprocess.run(  # noqa: S603 - this script, with its own arguments
                [sys.executable, __file__, "--child", database, "--tasks", str(args.tasks)],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    meta = {
        "tasks": args.tasks,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load": load,
    }
    table = render(results, meta)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "worker.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    (RESULTS / "worker.md").write_text(table)


if __name__ == "__main__":
    main()
