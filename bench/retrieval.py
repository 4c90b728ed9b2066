"""Question -> paragraph retrieval: the harbor's search against engines' stock tokenizers.

Run from the repository root::

    .venv/bin/python bench/retrieval.py                  # every question of every set
    .venv/bin/python bench/retrieval.py --quick          # 300 questions per set
    .venv/bin/python bench/retrieval.py --postgres       # also the harbor's PostgreSQL backend
    .venv/bin/python bench/retrieval.py --sets zh,th --systems harbor,fts5-trigram --out /tmp/r

The QA tuning splits become retrieval sets (``bench/_qa.py``): CMRC 2018 dev (zh), iapp-wiki-qa
valid (th), FacQA valid (id). Each question is searched in the corpus of distinct paragraphs
of its set and counts as answered where its own paragraph is returned; MRR@10, Recall@1 and
Recall@10 over all questions. Every set is run twice: on its paragraphs ("plain") and padded with
about three times as many distractor paragraphs of the same language from the other shared
texts ("padded"). The held-out splits (CMRC trial, iapp test, FacQA test) are never read.

Systems (every baseline indexes the raw text and ranks the question's terms OR-ed):

- ``harbor``: ``EmbeddedBackend`` over documents built from ``analyze(paragraph, lang)`` as the
  indexer builds an entry's body (``documents.add_text``), queried through
  ``query.parse(question)`` as the search page does.
- ``harbor-pg``: the harbor's PostgreSQL backend (``--postgres``, when importable and the
  database is migrated).
- ``fts5``: SQLite FTS5, default tokenizer (unicode61); the question cut into tokens as unicode61
  does (letters and digits; combining marks separate), each token quoted, OR-ed; ``bm25``.
- ``fts5-trigram``: FTS5 ``tokenize='trigram'``; the question as every distinct 3-character
  substring of it as typed (lower-cased; spaces and punctuation included), each quoted, OR-ed;
  ``bm25``. This was the best of the variants tried on the tuning sets (MRR@10 zh 0.923,
  th 0.966, id 0.896): trigrams of letter-and-digit runs only score zh 0.921, th 0.917 (Python
  cuts Thai runs at vowel marks), id 0.884; quoted phrase chunks cannot match unsegmented
  Chinese or Thai at all.
- ``pg-simple``: PostgreSQL ``to_tsvector('simple', text)`` in a GIN-indexed column of a scratch
  schema (in the database ``BENCH_PG_DATABASE`` names, by default ``infoharbor``);
  ``plainto_tsquery('simple', question)`` with its ``&`` turned into ``|``; ranked by
  ``ts_rank``.
- ``tantivy``: tantivy-py with its ``default`` tokenizer; the question cut by that same
  tokenizer, each token quoted and escaped, through ``index.parse_query`` (OR by default).
  Passing the raw question (syntax escaped) instead turns every run without spaces into a
  phrase of its pieces: MRR@10 zh 0.049, th 0.573, id 0.895 on the plain sets.

The FTS5 tables are contentless (``content=''``) and tantivy stores nothing, like the harbor's
index, so sizes compare index structures, not copies of the text. Index time includes the
harbor's analysis. Query time is per question, end to end (parsing and analysis included).

Prints markdown tables and the machine, and writes ``bench/results/retrieval.json`` and
``bench/results/retrieval.md`` (``--out`` elsewhere, for partial runs).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infoharbor.settings")

from bench import _measure  # noqa: E402
from bench import _qa as qa  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUICK_QUESTIONS = 300
TOP = 10
# The PostgreSQL server: the baseline uses a scratch schema in database BENCH_PG_DATABASE,
# infoharbor or postgres, the harbor's backend a scratch database of its own.
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
# The database the baseline's scratch schema goes in (default: infoharbor, else postgres).
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "")
# One publication time for every bench document, and "now" a day later: freshness is equal.
PUBLISHED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NOW = PUBLISHED + dt.timedelta(days=1)


# --- Systems ----------------------------------------------------------------------------------


class System:
    """A search engine under test: index a list of paragraphs, return top paragraph indexes."""

    name = ""
    label = ""

    def build(self, paragraphs: Sequence[str], lang: str, workdir: Path) -> None:
        raise NotImplementedError

    def search(self, question: str) -> list[int]:
        raise NotImplementedError

    def size_bytes(self) -> int:
        raise NotImplementedError

    def warm(self, paragraphs: Sequence[str], questions: Sequence[qa.Question], lang: str) -> None:
        """Load models and dictionaries before anything is timed."""

    def text_bytes(self) -> int | None:
        """Size of the same index when it also stores the text, where that is an option."""
        return None

    def close(self) -> None:
        """Release connections and files."""


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class Harbor(System):
    name = "harbor"
    label = "harbor (embedded)"

    def __init__(self) -> None:
        import django

        django.setup()
        from infoharbor.search.backends import base
        from infoharbor.search.backends.embedded import EmbeddedBackend
        from infoharbor.search.documents import IndexDocument, add_text
        from infoharbor.search.query import parse
        from infoharbor.text.analyze import analyze

        self._base = base
        self._backend_class: Callable[[Path], Any] = EmbeddedBackend
        self._document = IndexDocument
        self._add_text = add_text
        self._parse = parse
        self._analyze = analyze
        self.backend: Any = None

    def documents(self, paragraphs: Sequence[str], lang: str) -> list[Any]:
        # Entry ids in a fixed shuffled order: every document has the same publication time,
        # and a backend that breaks ties by id must not find the distractors (appended last)
        # systematically "newer" than the corpus.
        ids = list(range(1, len(paragraphs) + 1))
        random.Random(len(paragraphs)).shuffle(ids)
        self.paragraph_of = {entry_id: number for number, entry_id in enumerate(ids)}
        documents = []
        for number, paragraph in enumerate(paragraphs):
            document = self._document(
                entry_id=ids[number],
                kind="bench",
                platform="bench",
                country="xx",
                language=lang,
                organization_id=1,
                visibility="public",
                sectors=[],
                published_at=PUBLISHED,
                expires_at=None,
            )
            self._add_text(document, "body", self._analyze(paragraph, lang))
            documents.append(document)
        return documents

    def warm(self, paragraphs: Sequence[str], questions: Sequence[qa.Question], lang: str) -> None:
        self.documents(paragraphs[:5], lang)
        for question in questions[:5]:
            self._parse(question.text)

    def build(self, paragraphs: Sequence[str], lang: str, workdir: Path) -> None:
        self.path = workdir / "harbor"
        self.backend = self._backend_class(self.path)
        self.backend.index(self.documents(paragraphs, lang), [])
        with contextlib.suppress(AttributeError):
            self.backend.optimize()

    def request(self, question: str) -> Any:
        base = self._base
        return base.SearchRequest(
            query=self._parse(question),
            filters=base.Filters(include_expired=True),
            viewer=base.Viewer(is_operator=True),
            limit=TOP,
            facets=False,
            now=NOW,
        )

    def search(self, question: str) -> list[int]:
        request = self.request(question)
        result = self.backend.search(request)
        if result.total == 0 and request.query.relaxed is not request.query:
            # As infoharbor.search.service.search does: nothing has every word, so ask for
            # the documents that have some of them.
            result = self.backend.search(replace(request, query=request.query.relaxed))
        return [self.paragraph_of[hit.entry_id] for hit in result.hits]

    def size_bytes(self) -> int:
        return int(self.backend.size_bytes())


class HarborPostgres(Harbor):
    """The harbor's PostgreSQL backend, in a scratch database of its own (created, migrated
    and dropped by :func:`scratch_database`), so no real index is touched."""

    name = "harbor-pg"
    label = "harbor (PostgreSQL)"

    def __init__(self) -> None:
        super().__init__()
        from django.db import connection

        from infoharbor.search.backends.postgres import PostgresBackend

        if connection.vendor != "postgresql":
            raise RuntimeError("the Django database is not PostgreSQL")
        self._pg_class = PostgresBackend
        self._connection = connection

    def build(self, paragraphs: Sequence[str], lang: str, workdir: Path) -> None:
        self.backend = self._pg_class()
        self.backend.clear()
        self.backend.index(self.documents(paragraphs, lang), [])
        with self._connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_document")

    def close(self) -> None:
        if self.backend is not None:
            self.backend.clear()


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for the harbor's backend, migrated, and Django pointed at it
    (before Django starts); dropped afterwards."""
    from psycopg import sql

    name = f"infoharbor_bench_retrieval_{os.getpid()}"
    admin = _pg_connect()
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        os.environ["INFOHARBOR_DATABASE_URL"] = f"{PG_SERVER}/{name}"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.close()


# FTS5's unicode61 keeps letters, digits and private-use characters (categories L*, N*, Co);
# everything else, combining marks included, separates tokens.
def _unicode61_tokens(text: str) -> list[str]:
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co" else " "
        for ch in text.lower()
    )
    return list(dict.fromkeys(kept.split()))


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Fts5(System):
    name = "fts5"
    label = "FTS5 unicode61"
    tokenizer = "unicode61"

    def build(self, paragraphs: Sequence[str], lang: str, workdir: Path) -> None:
        self.path = workdir / f"{self.name}.sqlite3"
        self.db = sqlite3.connect(self.path)
        self.db.execute(
            f"CREATE VIRTUAL TABLE p USING fts5(body, content='', tokenize='{self.tokenizer}')"
        )
        with self.db:
            self.db.executemany(
                "INSERT INTO p(rowid, body) VALUES (?, ?)",
                ((number, text) for number, text in enumerate(paragraphs)),
            )
            self.db.execute("INSERT INTO p(p) VALUES ('optimize')")
        self.db.execute("VACUUM")
        self.paragraphs = paragraphs
        self.workdir = workdir

    def text_bytes(self) -> int | None:
        path = self.workdir / f"{self.name}-text.sqlite3"
        db = sqlite3.connect(path)
        db.execute(f"CREATE VIRTUAL TABLE p USING fts5(body, tokenize='{self.tokenizer}')")
        with db:
            db.executemany("INSERT INTO p(body) VALUES (?)", ((t,) for t in self.paragraphs))
            db.execute("INSERT INTO p(p) VALUES ('optimize')")
        db.execute("VACUUM")
        db.close()
        return path.stat().st_size

    def terms(self, question: str) -> list[str]:
        return _unicode61_tokens(question)

    def search(self, question: str) -> list[int]:
        terms = self.terms(question)
        if not terms:
            return []
        match = " OR ".join(_fts_quote(t) for t in terms)
        rows = self.db.execute(
            "SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?", (match, TOP)
        ).fetchall()
        return [row[0] for row in rows]

    def size_bytes(self) -> int:
        return self.path.stat().st_size

    def close(self) -> None:
        self.db.close()


def trigrams(question: str) -> list[str]:
    """Distinct 3-character substrings of the question as typed (lower-cased, spaces and
    punctuation included: they are in the indexed text's trigrams too)."""
    text = question.strip().lower()
    return list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))


class Fts5Trigram(Fts5):
    name = "fts5-trigram"
    label = "FTS5 trigram"
    tokenizer = "trigram"

    def terms(self, question: str) -> list[str]:
        return trigrams(question)


class Tantivy(System):
    name = "tantivy"
    label = "tantivy default"

    def build(self, paragraphs: Sequence[str], lang: str, workdir: Path) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", stored=False, indexed=False, fast=True)
        builder.add_text_field("body", stored=False, tokenizer_name="default")
        self.schema = builder.build()
        self.path = workdir / "tantivy"
        self.path.mkdir()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        writer = self.index.writer(heap_size=64 * 1024 * 1024, num_threads=1)
        for number, text in enumerate(paragraphs):
            document = tantivy.Document()
            document.add_unsigned("id", number)
            document.add_text("body", text)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        # The default analyzer, rebuilt to cut questions the way the index cut the text.
        self.analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .build()
        )

    def search(self, question: str) -> list[int]:
        tokens = list(dict.fromkeys(self.analyzer.analyze(question)))
        if not tokens:
            return []
        text = " ".join('"' + re.sub(r'(["\\])', r"\\\1", t) + '"' for t in tokens)
        query = self.index.parse_query(text, ["body"])
        found = self.searcher.search(query, TOP)
        addresses = [address for _score, address in found.hits]
        return (
            [int(v) for v in self.searcher.fast_field_values("id", addresses)] if addresses else []
        )

    def size_bytes(self) -> int:
        return _dir_size(self.path)


def _pg_connect() -> Any:
    import psycopg

    for database in (PG_DATABASE, "infoharbor", "postgres"):
        if not database:
            continue
        try:
            return psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True, connect_timeout=3)
        except psycopg.OperationalError:
            if database == "postgres":
                raise
    raise AssertionError("unreachable")


class PgSimple(System):
    name = "pg-simple"
    label = "PostgreSQL simple"

    def build(self, paragraphs: Sequence[str], lang: str, workdir: Path) -> None:
        from psycopg import sql

        self.db = _pg_connect()
        schema = f"bench_retrieval_{os.getpid()}"
        self.schema = sql.Identifier(schema)
        self.table = sql.Identifier(schema, "p")
        self.db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(self.schema))
        self.db.execute(sql.SQL("CREATE SCHEMA {}").format(self.schema))
        self.db.execute(
            sql.SQL("CREATE TABLE {} (id integer PRIMARY KEY, tsv tsvector)").format(self.table)
        )
        insert = sql.SQL("INSERT INTO {} (id, tsv) VALUES (%s, to_tsvector('simple', %s))")
        with self.db.transaction(), self.db.cursor() as cursor:
            cursor.executemany(insert.format(self.table), list(enumerate(paragraphs)))
        self.db.execute(sql.SQL("CREATE INDEX ON {} USING gin (tsv)").format(self.table))
        self.db.execute(sql.SQL("VACUUM ANALYZE {}").format(self.table))
        self.query = sql.SQL(
            "SELECT id FROM {}, CAST(replace(CAST(plainto_tsquery('simple', %s) AS text), "
            "' & ', ' | ') AS tsquery) q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT %s"
        ).format(self.table)

    def search(self, question: str) -> list[int]:
        rows = self.db.execute(self.query, (question, TOP)).fetchall()
        return [row[0] for row in rows]

    def size_bytes(self) -> int:
        name = self.table.as_string(self.db)
        row = self.db.execute("SELECT pg_total_relation_size(%s)", (name,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        from psycopg import sql

        self.db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(self.schema))
        self.db.close()


SYSTEMS: dict[str, Callable[[], System]] = {
    "harbor": Harbor,
    "harbor-pg": HarborPostgres,
    "fts5": Fts5,
    "fts5-trigram": Fts5Trigram,
    "pg-simple": PgSimple,
    "tantivy": Tantivy,
}
DEFAULT_SYSTEMS = ("harbor", "fts5", "fts5-trigram", "pg-simple", "tantivy")


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Row:
    set: str
    corpus: str  # plain or padded
    system: str
    paragraphs: int
    questions: int
    index_s: float
    size_bytes: int
    size_with_text_bytes: int | None
    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float  # CPU time of this process (a PostgreSQL server's is not in it)
    mrr10: float
    r1: float
    r10: float
    ranks: list[int] = field(default_factory=list, repr=False)  # 0: not in the top 10


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def evaluate(
    systems: Sequence[System],
    paragraphs: Sequence[str],
    questions: Sequence[qa.Question],
    lang: str,
    label: tuple[str, str],
) -> list[Row]:
    """Index the paragraphs in every system, then ask each question of every system in turn
    (rotating the order), so that load from elsewhere on the machine falls on all alike."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    built: list[tuple[System, float, int, int | None]] = []
    times: dict[str, list[float]] = {system.name: [] for system in systems}
    cpu: dict[str, list[float]] = {system.name: [] for system in systems}
    ranks: dict[str, list[int]] = {system.name: [] for system in systems}
    try:
        for system in systems:
            system.warm(paragraphs, questions, lang)
            (workdir / system.name).mkdir()
            started = time.perf_counter()
            system.build(paragraphs, lang, workdir / system.name)
            index_s = time.perf_counter() - started
            built.append((system, index_s, system.size_bytes(), system.text_bytes()))
        for number, question in enumerate(questions):
            shift = number % len(systems)
            for system in [*systems[shift:], *systems[:shift]]:
                started_cpu = time.process_time()
                started = time.perf_counter()
                found = system.search(question.text)
                times[system.name].append(time.perf_counter() - started)
                cpu[system.name].append(time.process_time() - started_cpu)
                top = found[:TOP]
                ranks[system.name].append(
                    top.index(question.gold) + 1 if question.gold in top else 0
                )
    finally:
        for system, *_rest in built:
            system.close()
        shutil.rmtree(workdir, ignore_errors=True)
    n = len(questions)
    rows = []
    for system, index_s, size, with_text in built:
        got, took = ranks[system.name], times[system.name]
        rows.append(
            Row(
                set=label[0],
                corpus=label[1],
                system=system.name,
                paragraphs=len(paragraphs),
                questions=n,
                index_s=index_s,
                size_bytes=size,
                size_with_text_bytes=with_text,
                p50_ms=1000 * statistics.median(took),
                p99_ms=1000 * _percentile(took, 0.99),
                cpu_p50_ms=1000 * statistics.median(cpu[system.name]),
                mrr10=sum(1 / r for r in got if r) / n,
                r1=sum(1 for r in got if r == 1) / n,
                r10=sum(1 for r in got if r) / n,
                ranks=got,
            )
        )
    return rows


def _subsample(questions: Sequence[qa.Question], limit: int) -> list[qa.Question]:
    if len(questions) <= limit:
        return list(questions)
    step = len(questions) / limit
    return [questions[int(i * step)] for i in range(limit)]


# --- Reporting --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info = _measure.machine(
        "django", "tantivy", "psycopg", "rjieba", "pyicu-wheels", "opencc", "nltk"
    )
    with contextlib.suppress(Exception):
        db = _pg_connect()
        info["versions"]["postgresql"] = str(db.execute("SHOW server_version").fetchone()[0])
        db.close()
    return info


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} kB"


def tables(rows: Sequence[Row], sets: dict[str, qa.QASet], distractors: dict[str, Any]) -> str:
    out = []
    labels = {name: factory.label for name, factory in SYSTEMS.items()}  # type: ignore[attr-defined]
    out.append(
        "Index size: the index alone (FTS5 contentless, tantivy storing nothing, PostgreSQL the "
        "table of ids and tsvectors with its GIN index); in brackets FTS5 storing the text too. "
        "Query CPU: of the benchmark process, so a PostgreSQL server's work is not in it.\n"
    )
    for key, qaset in sets.items():
        extra = distractors[key]
        out.append(
            f"### {key}: {qaset.name} — {len(qaset.questions)} questions, "
            f"{len(qaset.paragraphs)} paragraphs (+{len(extra.paragraphs)} distractors when "
            "padded)\n"
        )
        out.append(
            "| system | corpus | MRR@10 | R@1 | R@10 | index s | index size | "
            "query p50 ms | query p99 ms | query CPU p50 ms |"
        )
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            if row.set != key:
                continue
            size = _size(row.size_bytes)
            if row.size_with_text_bytes:
                size += f" ({_size(row.size_with_text_bytes)} with text)"
            out.append(
                f"| {labels[row.system]} | {row.corpus} | {row.mrr10:.3f} | {row.r1:.3f} | "
                f"{row.r10:.3f} | {row.index_s:.2f} | {size} | "
                f"{row.p50_ms:.2f} | {row.p99_ms:.2f} | {row.cpu_p50_ms:.2f} |"
            )
        out.append("")
        sources = ", ".join(f"{label} {n}" for label, n in extra.sources.items())
        out.append(
            f"Distractors ({extra.sentences_per_paragraph} sentence(s) per paragraph): {sources}."
        )
        if qaset.note:
            out.append(f"Note: {qaset.note}.")
        out.append("")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_QUESTIONS} questions per set")
    parser.add_argument(
        "--postgres", action="store_true", help="also the harbor's PostgreSQL backend"
    )
    parser.add_argument("--sets", default="zh,th,id")
    parser.add_argument("--systems", default=",".join(DEFAULT_SYSTEMS))
    parser.add_argument("--no-padded", action="store_true", help="plain corpora only")
    parser.add_argument("--ranks", type=Path, help="also write every question's rank here (JSON)")
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS / "retrieval",
        help="write OUT.json and OUT.md (default bench/results/retrieval)",
    )
    args = parser.parse_args(argv)

    names = [s for s in args.systems.split(",") if s]
    if args.postgres and "harbor-pg" not in names:
        names.insert(1, "harbor-pg")
    notes: list[str] = []
    with contextlib.ExitStack() as stack:
        if "harbor-pg" in names:
            try:
                stack.enter_context(scratch_database())
            except Exception as error:
                notes.append(f"harbor-pg skipped: {type(error).__name__}: {error}")
                names.remove("harbor-pg")
        return _run(args, names, notes)


def _run(args: argparse.Namespace, names: list[str], notes: list[str]) -> int:
    systems: list[System] = []
    for name in names:
        try:
            systems.append(SYSTEMS[name]())
        except Exception as error:  # an optional row: say why it is missing and go on
            notes.append(f"{name} skipped: {type(error).__name__}: {error}")
    if any(s.name.startswith("pg") or s.name == "harbor-pg" for s in systems):
        try:
            _pg_connect().close()
        except Exception as error:
            notes.append(f"PostgreSQL rows skipped: {type(error).__name__}: {error}")
            systems = [s for s in systems if not (s.name.startswith("pg") or s.name == "harbor-pg")]

    sets = {key: qa.LOADERS[key]() for key in args.sets.split(",") if key}
    distractors = {key: qa.load_distractors(s.lang, len(s.paragraphs)) for key, s in sets.items()}
    rows: list[Row] = []
    for key, qaset in sets.items():
        questions = _subsample(qaset.questions, QUICK_QUESTIONS) if args.quick else qaset.questions
        corpora = [("plain", qaset.paragraphs)]
        if not args.no_padded:
            corpora.append(("padded", qaset.paragraphs + distractors[key].paragraphs))
        for corpus, paragraphs in corpora:
            for row in evaluate(systems, paragraphs, questions, qaset.lang, (key, corpus)):
                rows.append(row)
                print(
                    f"  {key} {corpus:6} {row.system:13} MRR@10 {row.mrr10:.3f} "
                    f"R@1 {row.r1:.3f} R@10 {row.r10:.3f}  index {row.index_s:.1f}s "
                    f"{_size(row.size_bytes)}  p50 {row.p50_ms:.2f} ms (CPU {row.cpu_p50_ms:.2f})",
                    file=sys.stderr,
                    flush=True,
                )

    info = machine()
    text = tables(rows, sets, distractors)
    footer = (
        f"{_measure.machine_line(info)} Load average at the end {info['load_average'][0]}. "
        "Questions go to every system in turn, "
        "so load from elsewhere falls on all alike; index times are single runs."
        + (f" Quick run: {QUICK_QUESTIONS} questions per set." if args.quick else "")
    )
    report = "\n".join([text, footer, *(f"Note: {n}" for n in notes)]) + "\n"
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": info,
        "quick": args.quick,
        "notes": notes,
        "sets": {
            key: {
                "name": s.name,
                "paragraphs": len(s.paragraphs),
                "questions": len(s.questions),
                "note": s.note,
                "distractors": {
                    "paragraphs": len(distractors[key].paragraphs),
                    "sources": distractors[key].sources,
                    "sentences_per_paragraph": distractors[key].sentences_per_paragraph,
                },
            }
            for key, s in sets.items()
        },
        "rows": [{k: v for k, v in asdict(row).items() if k != "ranks"} for row in rows],
    }
    args.out.with_suffix(".json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    )
    args.out.with_suffix(".md").write_text(report)
    if args.ranks:
        args.ranks.write_text(
            json.dumps(
                [
                    {"set": r.set, "corpus": r.corpus, "system": r.system, "ranks": r.ranks}
                    for r in rows
                ]
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
