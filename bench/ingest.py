"""Ingest throughput: feed items per second end to end, with the time split by stage.

A mixed-language corpus of feed items (real sentences of the shared data sets in the region's
language mix, via ``bench/_corpus.py``'s sentence pools) is written as RSS 2.0 feeds of 100
items, served by a local HTTP server, and harvested into a fresh SQLite harbor (a file in a
temporary directory, WAL, as in production) through the real path: ``harvest.harvest`` ->
fetch -> raw items split and known ones skipped -> XML check -> feedparser -> language ->
dedup -> the batched write (``create_entries``, ``INGEST_BATCH_SIZE``; ``--batch-size 1``:
``create_entry`` + ``publish_entry`` per item) -> search index. Half the feeds declare their
language, half leave it to detection.

Three passes over the same corpus, in one run:

1. **fresh**: every item is new;
2. **re-run**: the same items in regenerated documents (a new ``lastBuildDate`` in every
   response, no validators, as many feeds do), so every document is read again and every
   item recognised as unchanged (by the bytes of its element, before parsing): the issue's
   "full re-run of the same corpus (all duplicates)";
3. **same bytes**: the very same documents without validators (recognised by their hash);
4. **conditional**: the documents with ETags, after one harvest that stored them: 304s.

Beside them, **feedparser alone** parses the same feed documents, the reference for the
parsing stage. Time is CPU seconds of this process (the local server's threads included; it
is a small share) and wall seconds; stages are measured by wrapping the functions that do
them, so nested stages are reported once, at the innermost level.

    .venv/bin/python bench/ingest.py                 # 2,000 items
    .venv/bin/python bench/ingest.py --items 10000
    .venv/bin/python bench/ingest.py --quick         # 300 items
    .venv/bin/python bench/ingest.py --batch-size 1  # the one-by-one path, as a baseline

Writes ``bench/results/ingest.json`` and ``bench/results/ingest.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import html
import io
import ipaddress
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
import _corpus  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FEED_SIZE = 100
SEED = 20261203
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# The targets, on one core with SQLite.
TARGET_FRESH = 1000.0
TARGET_RERUN = 5000.0


# --- The corpus ------------------------------------------------------------------------------


def _title(sentence: str, lang: str, rng: random.Random) -> str:
    if lang in _corpus.UNSPACED:
        return sentence[: rng.randint(12, 40)]
    words = sentence.split()
    return " ".join(words[: rng.randint(4, 12)])


def corpus(items: int) -> list[list[dict[str, Any]]]:
    """Feeds (lists of items), each in one language, in the region's mix."""
    pools = _corpus.load_pools()
    rng = random.Random(SEED)
    languages = list(_corpus.LANGUAGE_MIX)
    weights = [_corpus.LANGUAGE_MIX[lang] for lang in languages]
    feeds: list[list[dict[str, Any]]] = []
    number = 0
    while number < items:
        lang = rng.choices(languages, weights=weights)[0]
        pool = pools[lang]
        feed = []
        for _ in range(min(FEED_SIZE, items - number)):
            joiner = "" if lang in {"zh-Hans", "zh-Hant"} else " "
            body = joiner.join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
            feed.append(
                {
                    "lang": lang,
                    "guid": f"bench-{number}",
                    "title": _title(rng.choice(pool), lang, rng) or f"Item {number}",
                    "body": body,
                    "published": NOW - dt.timedelta(minutes=rng.randrange(60 * 24 * 365)),
                    "link": f"https://news{len(feeds)}.example.org/item/{number}?utm_source=rss",
                }
            )
            number += 1
        feeds.append(feed)
    return feeds


def rss(feed: list[dict[str, Any]], declare: bool) -> bytes:
    lang = feed[0]["lang"]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Bench feed</title><link>https://example.org/</link>"
        + (f"<language>{lang}</language>" if declare else "")
    ]
    for item in feed:
        parts.append(
            "<item>"
            f"<title>{html.escape(item['title'])}</title>"
            f"<link>{html.escape(item['link'])}</link>"
            f'<guid isPermaLink="false">{item["guid"]}</guid>'
            f"<pubDate>{format_datetime(item['published'], usegmt=True)}</pubDate>"
            f"<description>{html.escape('<p>' + html.escape(item['body']) + '</p>')}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


# --- A local server ----------------------------------------------------------------------------


class Server:
    def __init__(self, documents: dict[str, bytes]) -> None:
        self.documents = documents
        # "stamped": a new lastBuildDate in every response, as many feeds do; "same": the
        # same bytes each time, no validators; "validators": ETags and 304s.
        self.mode = "stamped"
        self.served = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                body = server.documents.get(self.path)
                if self.path == "/robots.txt":
                    body = b"User-agent: *\nAllow: /\n"
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if server.mode == "stamped":
                    server.served += 1
                    stamp = f"<lastBuildDate>build {server.served}</lastBuildDate>".encode()
                    body = body.replace(b"<channel>", b"<channel>" + stamp, 1)
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                validators = server.mode == "validators"
                if validators and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if validators:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


# --- Stage timing ----------------------------------------------------------------------------


class Stages:
    """CPU and wall seconds per stage; a stage's time excludes the stages nested in it."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[float]] = []

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([0.0, 0.0])
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent_cpu = time.process_time() - cpu
                spent_wall = time.perf_counter() - wall
                nested_cpu, nested_wall = self._stack.pop()
                self.cpu[name] += spent_cpu - nested_cpu
                self.wall[name] += spent_wall - nested_wall
                self.calls[name] += 1
                if self._stack:
                    self._stack[-1][0] += spent_cpu
                    self._stack[-1][1] += spent_wall

        return timed


@contextlib.contextmanager
def instrumented(stages: Stages) -> Iterator[None]:
    from infoharbor.ingest import feeds, fetch, harvest, items
    from infoharbor.search import indexer

    patches = [
        (fetch.Fetcher, "fetch", "fetch"),
        (harvest, "raw_items", "raw items: split and hash"),
        (harvest, "_seen_before", "raw items: lookup (a query per document)"),
        (harvest, "parse_feed", "parse (feedparser and mapping)"),
        (feeds, "check_xml", "XML check (defusedxml)"),
        (items.Known, "__init__", "dedup lookups (a query per document)"),
        (items, "entry_data", "entry fields (text, summary, sector rules)"),
        (items, "_language", "language"),
        (items, "_create_batch", "store: batch transaction and item rows"),
        (items.services, "create_entries", "store: create_entries (batch)"),
        (items, "_ingest", "dedup lookups (in the item's transaction)"),
        (items, "_create", "store: item row (one by one)"),
        (items.services, "create_entry", "store: create_entry (one by one)"),
        (items.services, "publish_entry", "store: publish_entry (one by one)"),
        (items, "_update", "store: update_entry"),
        (indexer, "drain", "index (search)"),
    ]
    saved = []
    for owner, attribute, name in patches:
        original = getattr(owner, attribute)
        saved.append((owner, attribute, original))
        setattr(owner, attribute, stages.wrap(name, original))
    # Index once after the harvest, as `infoharbor ingest` ends, not after each commit.
    kick = indexer.kick
    indexer.kick = lambda: None
    try:
        yield
    finally:
        indexer.kick = kick
        for owner, attribute, original in saved:
            setattr(owner, attribute, original)


# --- The run ------------------------------------------------------------------------------------


def setup_django(var: Path) -> None:
    os.environ["INFOHARBOR_VAR_DIR"] = str(var)
    os.environ["INFOHARBOR_DATABASE_URL"] = f"sqlite:///{var / 'harbor.sqlite3'}"
    os.environ["INFOHARBOR_SEARCH_INDEX_IN_BACKGROUND"] = "false"
    os.environ["INFOHARBOR_INGEST_HOST_DELAY_SECONDS"] = "0"
    os.environ["INFOHARBOR_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "infoharbor.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.INGEST_ALLOWED_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"),)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_sources(server: Server, paths: list[str]) -> list[Any]:
    from infoharbor.core import audit
    from infoharbor.core.models import Language, Organization
    from infoharbor.core.permissions import Actor
    from infoharbor.ingest import services

    org = Organization.objects.create(slug="bench", name="Bench", kind="media", country_id="TH")
    english = Language.objects.get(code="en")
    return [
        services.create_source(
            actor=Actor(is_operator=True),
            origin=audit.Origin(via="bench"),
            organization=org,
            data=services.SourceData(
                name=f"Bench {n}", url=server.url(path), country=org.country, language=english
            ),
        )
        for n, path in enumerate(paths)
    ]


def harvest_pass(sources: list[Any], count: int) -> dict[str, Any]:
    from infoharbor.ingest import harvest
    from infoharbor.search import indexer

    stages = Stages()
    with instrumented(stages):
        cpu, wall = time.process_time(), time.perf_counter()
        attempts = harvest.harvest(sources)
        indexer.drain()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    totals = defaultdict(int)
    for attempt in attempts:
        for name in ("items_new", "items_updated", "items_unchanged", "items_duplicate"):
            totals[name] += getattr(attempt, name)
        totals[attempt.outcome] += 1
    other_cpu = cpu - sum(stages.cpu.values())
    return {
        "items": count,
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "items_per_cpu_second": round(count / cpu, 1),
        "items_per_wall_second": round(count / wall, 1),
        "outcomes": dict(totals),
        "stages_cpu_seconds": {
            **{name: round(value, 3) for name, value in stages.cpu.items()},
            "other (harvest loop, state, attempts)": round(other_cpu, 3),
        },
    }


def feedparser_alone(documents: list[bytes], count: int) -> dict[str, Any]:
    import feedparser

    cpu, wall = time.process_time(), time.perf_counter()
    parsed = sum(len(feedparser.parse(io.BytesIO(d)).entries) for d in documents)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert parsed == count, (parsed, count)
    return {
        "items": count,
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "items_per_cpu_second": round(count / cpu, 1),
    }


def table(result: dict[str, Any]) -> str:
    rows = [
        "| pass | items | CPU s | wall s | items/CPU s | target | outcome |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    labels = {
        "fresh": ("fresh (all new)", TARGET_FRESH),
        "rerun": ("re-run, regenerated documents (all items unchanged)", TARGET_RERUN),
        "same_bytes": ("re-run, the same bytes, no validators", None),
        "conditional": ("re-run, conditional (304)", None),
    }
    for key, (label, target) in labels.items():
        run = result[key]
        outcome = ", ".join(
            f"{k.removeprefix('items_')} {v}" for k, v in sorted(run["outcomes"].items()) if v
        )
        shown = f"{target:,.0f}" if target else "—"
        rows.append(
            f"| {label} | {run['items']:,} | {run['cpu_seconds']} | {run['wall_seconds']} | "
            f"{run['items_per_cpu_second']:,.1f} | {shown} | {outcome} |"
        )
    reference = result["feedparser_alone"]
    rows.append(
        f"| feedparser.parse alone (reference) | {reference['items']:,} | "
        f"{reference['cpu_seconds']} | {reference['wall_seconds']} | "
        f"{reference['items_per_cpu_second']:,.1f} | — | — |"
    )
    rows += ["", "| stage | fresh: CPU s | per item, ms | re-run: CPU s |", "|---|---:|---:|---:|"]
    fresh, rerun = result["fresh"], result["rerun"]
    for name, seconds in sorted(fresh["stages_cpu_seconds"].items(), key=lambda kv: -kv[1]):
        again = rerun["stages_cpu_seconds"].get(name, 0.0)
        rows.append(f"| {name} | {seconds} | {1000 * seconds / fresh['items']:.2f} | {again} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="300 items")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="INGEST_BATCH_SIZE for the run (default: the setting's, 200); 1: one by one",
    )
    args = parser.parse_args()
    count = 300 if args.quick else args.items
    if not _corpus.DATA.is_dir():
        sys.exit(f"The shared data is not at {_corpus.DATA}; see bench/README.md.")
    load_start = os.getloadavg()
    feeds = corpus(count)
    documents = {f"/feed-{n}.xml": rss(feed, declare=n % 2 == 0) for n, feed in enumerate(feeds)}
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as var:
        setup_django(Path(var))
        server = Server(documents)
        sources = make_sources(server, list(documents))
        from infoharbor.text.analyze import warm_up

        warm_up()  # the text models load once per process, not per item: not timed
        from infoharbor.search import concepts

        concepts.lexicon()  # likewise the search concepts' lexicon, built once per process
        from infoharbor.text import langid

        langid.detect("中文")  # and language detection's Chinese character tables
        from django.conf import settings

        if args.batch_size is not None:
            settings.INGEST_BATCH_SIZE = args.batch_size
        reference = feedparser_alone(list(documents.values()), count)
        fresh = harvest_pass(sources, count)
        rerun = harvest_pass(sources, count)  # regenerated documents: every item read again
        server.mode = "same"
        harvest_pass(sources, count)  # stores the documents' hashes
        same = harvest_pass(sources, count)
        server.mode = "validators"
        harvest_pass(sources, count)  # stores the ETags
        conditional = harvest_pass(sources, count)
        server.httpd.shutdown()
    result = {
        "command": " ".join(["bench/ingest.py", *sys.argv[1:]]),
        "batch_size": settings.INGEST_BATCH_SIZE,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": load_start,
            "load_average_at_end": os.getloadavg(),
        },
        "feeds": len(feeds),
        "languages": sorted({feed[0]["lang"] for feed in feeds}),
        "fresh": fresh,
        "rerun": rerun,
        "same_bytes": same,
        "conditional": conditional,
        "feedparser_alone": reference,
        "targets_items_per_second": {"fresh": TARGET_FRESH, "rerun": TARGET_RERUN},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    text = table(result)
    (RESULTS / "ingest.md").write_text(
        f"# Ingest throughput\n\n`{result['command']}` (batches of {result['batch_size']}), "
        f"{result['date']}, load average "
        f"{load_start[0]:.1f} -> {result['machine']['load_average_at_end'][0]:.1f}\n\n{text}\n"
    )
    print(text)


if __name__ == "__main__":
    main()
