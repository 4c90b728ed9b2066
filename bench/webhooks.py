"""Webhook fan-out: from publishing one entry to every endpoint having received it.

Per database (SQLite in WAL mode in a temporary file; PostgreSQL when a URL is given), in one
child process: N people each follow one organization and have one webhook endpoint on a
local receiver (loopback, allow-listed). One entry of that organization is published through
the services (matching writes N Match rows and the fan-out N deliveries, in the
publication's transaction), then the send task runs in the same process, as a worker runs
it (``infoharbor.webhooks.sending.send_due``, default settings: 64 requests in flight).

The receiver is a separate process (asyncio, HTTP/1.1 keep-alive) that checks every
request's signature as docs/user/webhooks.md says (HMAC-SHA256 over ``t.body``, constant-time
compare) and notes when each event arrived. Latency is from the start of the publication
to the arrival of each event (wall clock, both processes on this machine): p50, p99, max.
CPU is process time of the harbor's process (publication + fan-out + sending) and of the
receiver. The machine is shared: wall times include other people's load.

    .venv/bin/python bench/webhooks.py                    # 1,000 and 10,000 endpoints, SQLite
    .venv/bin/python bench/webhooks.py --sizes 1000
    .venv/bin/python bench/webhooks.py --postgres postgres://postgres@127.0.0.1:5432/ih_hooks_bench

Writes ``bench/results/webhooks.json`` and ``bench/results/webhooks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))

from _measure import percentile  # noqa: E402

# --- the receiver (a process of its own) -----------------------------------------------------


def receiver(secrets_file: str) -> None:
    """Serve on a free port (printed on stdout) until killed; GET /results answers what
    arrived so far and forgets it."""
    secrets: dict[str, bytes] = {}
    arrived: list[tuple[str, float]] = []
    bad = [0]
    started_cpu = time.process_time()

    def secret_of(path: str) -> bytes | None:
        if path not in secrets:
            secrets.update(
                {k: v.encode() for k, v in json.loads(Path(secrets_file).read_text()).items()}
            )
        return secrets.get(path)

    def verified(path: str, header: str, body: bytes) -> bool:
        secret = secret_of(path)
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if secret is None or abs(time.time() - int(fields.get("t", "0"))) > 300:
            return False
        expected = hmac.new(secret, fields["t"].encode() + b"." + body, hashlib.sha256)
        return hmac.compare_digest(expected.hexdigest(), fields.get("v1", ""))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                when = time.time()
                lines = head.decode("latin-1").split("\r\n")
                method, path, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _sep, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if method == "GET":
                    answer = json.dumps({
                        "arrived": arrived, "bad": bad[0],
                        "cpu": time.process_time() - started_cpu,
                    }).encode()  # fmt: skip
                    arrived.clear()
                    bad[0] = 0
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer
                    )
                    continue
                if verified(path, headers.get("x-harbor-signature", ""), body):
                    arrived.append((headers["x-harbor-event-id"], when))
                    writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                else:
                    bad[0] += 1
                    writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(serve())


# --- the harbor (a child process per database) --------------------------------------------------


def child(database: str, sizes: list[int]) -> dict[str, Any]:
    os.environ["INFOHARBOR_DATABASE_URL"] = database
    os.environ["INFOHARBOR_LOG_LEVEL"] = "WARNING"
    os.environ["INFOHARBOR_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.1"
    os.environ["INFOHARBOR_TASKS_BACKEND"] = "database"
    # The search index is written in this thread: no second writer beside the measured one.
    os.environ["INFOHARBOR_SEARCH_INDEX_IN_BACKGROUND"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "infoharbor.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from tests import factories

    from infoharbor.accounts.models import User
    from infoharbor.core import audit, services
    from infoharbor.core.permissions import Actor
    from infoharbor.subscriptions import outbox
    from infoharbor.subscriptions.conditions import follow_params
    from infoharbor.subscriptions.models import Subscription
    from infoharbor.webhooks import sending
    from infoharbor.webhooks.models import Delivery, Endpoint, new_secret

    call_command("migrate", verbosity=0)
    secrets_file = Path(settings.VAR_DIR) / "webhook-secrets.json"
    secrets_file.write_text("{}")
    process = subprocess.Popen(  # noqa: S603 - this script, with its own arguments
        [sys.executable, __file__, "--receiver", str(secrets_file)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    port = int(process.stdout.readline())

    def results() -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/results", timeout=30) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    org = factories.make_org("bench-ministry", country="TH", name="Bench Ministry")
    quiet = factories.make_org("bench-quiet", country="TH", name="Nobody follows")
    author = factories.make_user("author@bench.example")
    factories.add_member(author, org, "admin")
    factories.add_member(author, quiet, "admin")
    actor, origin = Actor.for_user(author), audit.Origin(user=author, via="bench")
    password = make_password(None)
    rows = []
    try:
        for size in sizes:
            Delivery.objects.all().delete()
            Endpoint.objects.all().delete()
            Subscription.objects.all().delete()
            User.objects.filter(email__startswith="reader-").delete()
            users = User.objects.bulk_create(
                [User(email=f"reader-{n}@bench.example", password=password) for n in range(size)],
                batch_size=2000,
            )
            users = list(User.objects.filter(email__startswith="reader-").order_by("pk"))
            params = follow_params("organization", str(org.pk))
            Subscription.objects.bulk_create(
                [
                    Subscription(owner=user, name="Bench Ministry", kind="follow",
                                 target_type="organization", target=str(org.pk), params=params,
                                 frequency="immediately")
                    for user in users
                ],
                batch_size=2000,
            )  # fmt: skip
            endpoints = [
                Endpoint(
                    owner=user, url=f"http://127.0.0.1:{port}/e/{size}/{n}", secret=new_secret()
                )
                for n, user in enumerate(users)
            ]
            Endpoint.objects.bulk_create(endpoints, batch_size=2000)
            secrets_file.write_text(
                json.dumps({f"/e/{size}/{n}": e.secret for n, e in enumerate(endpoints)})
            )
            outbox.process_index.reset()
            # Warm up: the match index is built, the search analysers loaded.
            factories.make_entry(quiet, author, title="Warm-up entry nobody follows")
            reverse("portal:entry", args=[1])  # a worker has built its URL resolver before
            results()

            cpu0, start = time.process_time(), time.time()
            entry = services.create_entry(
                actor=actor, origin=origin, organization=org, kind="information.news",
                data=factories.entry_data(title="Bench: rice export rises"),
                details={"notice_type": "news"},
            )  # fmt: skip
            published_at = time.time()
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(services.publish_entry, actor=actor, origin=origin, entry=entry)
                pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            else:
                services.publish_entry(actor=actor, origin=origin, entry=entry)
            committed, publish_cpu = time.time(), time.process_time() - cpu0
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profile = cProfile.Profile()
                sent = profile.runcall(sending.send_due)
                pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(35)
            else:
                sent = sending.send_due()
            done, cpu = time.time(), time.process_time() - cpu0
            got = results()
            times = [when - published_at for _event, when in got["arrived"]]
            distinct = len({event for event, _when in got["arrived"]})
            assert distinct == size == sent.delivered, (distinct, size, sent)
            assert got["bad"] == 0, got["bad"]
            rows.append({
                "endpoints": size,
                "publish_s": committed - published_at,
                "p50_s": percentile(times, 50),
                "p99_s": percentile(times, 99),
                "max_s": max(times),
                "per_second": size / (max(times)),
                "harbor_cpu_s": cpu,
                "publish_cpu_s": publish_cpu,
                "receiver_cpu_s": got["cpu"],
                "wall_s": done - start,
            })  # fmt: skip
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        process.kill()
        process.wait()
    return {"vendor": connection.vendor, "rows": rows}


def render(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Machine: {meta['machine']}; load average at start {meta['load']}. Publication to "
        "arrival at a local receiver, one worker task in process, 64 requests in flight.",
        "",
        "| database | endpoints | publish + fan-out s | p50 s | p99 s | max s | deliveries/s |"
        " harbor CPU s | receiver CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for row in result["rows"]:
            lines.append(
                f"| {result['vendor']} | {row['endpoints']:,} | {row['publish_s']:.2f} |"
                f" {row['p50_s']:.2f} | {row['p99_s']:.2f} | {row['max_s']:.2f} |"
                f" {row['per_second']:,.0f} | {row['harbor_cpu_s']:.2f} |"
                f" {row['receiver_cpu_s']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def _create_postgres_database(url: str) -> None:
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
        # A fresh database each run: the figures are for empty tables.
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL to measure too")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--receiver", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        receiver(args.receiver)
        return
    if args.child:
        print(json.dumps(child(args.child, args.sizes)))
        return
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    results = []
    with tempfile.TemporaryDirectory() as var:
        databases = [f"sqlite:///{Path(var) / 'bench.sqlite3'}"]
        if args.postgres:
            _create_postgres_database(args.postgres)
            databases.append(args.postgres)
        for database in databases:
            env = {**os.environ, "INFOHARBOR_VAR_DIR": var, "PYTHONPATH": str(ROOT)}
            done = subprocess.run(  # noqa: S603 - this script, with its own arguments
                [sys.executable, __file__, "--child", database, "--sizes",
                 *[str(size) for size in args.sizes]],
                env=env, stdout=subprocess.PIPE, text=True, check=True,
            )  # fmt: skip
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    meta = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load": load,
        "python": platform.python_version(),
    }
    table = render(results, meta)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "webhooks.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    (RESULTS / "webhooks.md").write_text(table)


if __name__ == "__main__":
    main()
