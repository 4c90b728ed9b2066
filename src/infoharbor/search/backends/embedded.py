"""The embedded backend: a tantivy index in a directory beside the database.

Chosen over SQLite FTS5 by measurement (docs/benchmarks.md): BM25 with block-max pruning keeps
frequent-term queries fast at a million entries, where FTS5 scores every match, and the index
is a fraction of the size. The index is derived data: entries are the record, the outbox in
the database says what is stale, and a tantivy commit is atomic, so a crash at any moment
costs at most re-indexing the entries whose outbox rows were not yet cleared.

Text fields hold the terms of :func:`infoharbor.text.analyze.analyze` joined by spaces, so the
index tokenizes on whitespace only and never second-guesses the segmentation (tantivy's
default tokenizer would strip Thai and Burmese vowel marks). Only the words' fields keep
positions (for phrases); the parts of compounds, the accent-free forms and the filter values
are matched as terms. (Grapheme-cluster grams are not indexed: on the QA tuning sets words and
parts rank as well without them, in a third of the space, docs/benchmarks.md.)
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from infoharbor.search.backends.base import (
    BOOST_BODY,
    BOOST_CONCEPT,
    BOOST_FOLDED,
    BOOST_ORGANIZATION,
    BOOST_PARTS,
    BOOST_TITLE,
    FRESHNESS_HALF_LIFE,
    FRESHNESS_WEIGHT,
    RERANK_WINDOW,
    Filters,
    Hit,
    SearchRequest,
    SearchResult,
    Viewer,
)
from infoharbor.search.documents import IndexDocument
from infoharbor.search.query import All, Any_, Concept, Node, Not, Phrase, Prefix, Word

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = "2"
# Text fields and what tantivy records of their terms: positions where phrases need them,
# documents and frequencies for the accent-free forms, documents alone for the parts.
_TEXT_FIELDS = {
    "title": "position",
    "body": "position",
    "organization": "freq",
    "parts": "basic",
    "folded": "freq",
}
_FACET_FIELDS = {
    "platform": "platform",
    "kind": "kind",
    "country": "country",
    "language": "language",
    "sector": "sectors",
    "organization": "org",
}
_NEVER = dt.datetime(2262, 1, 1, tzinfo=dt.UTC)  # the last year tantivy dates reach
_ALWAYS = dt.datetime(1678, 1, 1, tzinfo=dt.UTC)  # the first
_WRITER_HEAP = 64 * 1024 * 1024
_LOCK_WAIT_SECONDS = 30.0
# Compiled word queries kept (a few kB each); all forgotten at once when full.
_WORD_QUERIES = 16384


class IndexBusy(RuntimeError):
    """Another process holds the index's writer lock."""


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name, recorded in _TEXT_FIELDS.items():
        builder.add_text_field(name, tokenizer_name="terms", index_option=recorded)
    builder.add_text_field("concepts", tokenizer_name="raw", index_option="basic")
    for name in ("platform", "kind", "country", "language", "visibility", "sectors", "org"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    # Dates are filtered on by range, which tantivy answers from the fast field: no terms.
    builder.add_date_field("published", fast=True)
    builder.add_date_field("expires", fast=True)
    # Until when an entry is public (its expiry; the first date if it is not public): what
    # an anonymous reader may see is one range instead of a visibility term and an expiry
    # range, which every match of a frequent word would be checked against.
    builder.add_date_field("public_until", fast=True)
    builder.add_integer_field("published_s", fast=True)
    return builder.build()


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.schema = _schema()
        self._write_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._index = self._open()
        self._loaded_at = 0.0
        self._facet_pool: ThreadPoolExecutor | None = None
        self._facet_pool_pid = 0
        self._word_queries: dict[Word, Query] = {}

    # --- the index directory -----------------------------------------------------------

    def _open(self) -> tantivy.Index:
        version_file = self.path / "schema-version"
        if version_file.exists():
            stale = version_file.read_text().strip() != SCHEMA_VERSION
        else:
            # An index without a version is older than versions; a directory without an index
            # is new (perhaps being made by another process at this moment): leave it.
            stale = (self.path / "meta.json").exists()
        if stale:
            # An index from another version of the harbor: start again (reindex fills it).
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        index.register_tokenizer(
            "terms", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        version_file.write_text(SCHEMA_VERSION)
        return index

    def _writer(self) -> tantivy.IndexWriter:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                return self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
            except ValueError as error:
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise IndexBusy(str(error)) from error
                time.sleep(0.2)

    def _searcher(self) -> tantivy.Searcher:
        # Other processes commit too; look for their changes at most every half second.
        now = time.monotonic()
        if now - self._loaded_at > 0.5:
            with self._reload_lock:
                self._index.reload()
                self._loaded_at = now
        return self._index.searcher()

    # --- writes -------------------------------------------------------------------------

    def index(self, documents: list[IndexDocument], deleted: list[int]) -> None:
        if not documents and not deleted:
            return
        with self._write_lock:
            writer = self._writer()
            try:
                stale = [*deleted, *(d.entry_id for d in documents)]
                # By query: tantivy-py's delete by term does not match unsigned fields.
                writer.delete_documents_by_query(Query.term_set_query(self.schema, "id", stale))
                for document in documents:
                    writer.add_document(self._document(document))
                writer.commit()
            except BaseException:
                writer.rollback()
                del writer
                raise
            # Let the merges the commit started finish and be published: a writer dropped
            # at once leaves their work orphaned (at 1M entries: 40 segments and a gigabyte
            # of dead files) and searches slow down.
            writer.wait_merging_threads()
        self._loaded_at = 0.0

    def clear(self) -> None:
        with self._write_lock:
            writer = self._writer()
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
        self._loaded_at = 0.0

    def optimize(self) -> None:
        """Merge segments and drop deleted files (after a full rebuild)."""
        with self._write_lock:
            writer = self._writer()
            writer.garbage_collect_files()
            writer.commit()
            writer.wait_merging_threads()
        self._loaded_at = 0.0

    def _document(self, source: IndexDocument) -> tantivy.Document:
        document = tantivy.Document()
        document.add_unsigned("id", source.entry_id)
        for name in _TEXT_FIELDS:
            terms = getattr(source, name)
            if terms:
                document.add_text(name, " ".join(terms))
        expires = source.expires_at or _NEVER
        for concept in source.concepts:
            document.add_text("concepts", concept)
        for name in ("platform", "kind", "country", "language", "visibility"):
            document.add_text(name, getattr(source, name))
        for sector in source.sectors:
            document.add_text("sectors", sector)
        document.add_text("org", str(source.organization_id))
        document.add_date("published", source.published_at)
        document.add_date("expires", expires)
        document.add_date("public_until", expires if source.visibility == "public" else _ALWAYS)
        document.add_integer("published_s", int(source.published_at.timestamp()))
        return document

    # --- reads --------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._searcher().num_docs)

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self._searcher()
        now = request.now or dt.datetime.now(tz=dt.UTC)
        scope = self._scope(request.filters, request.viewer, now)
        return self._run(searcher, request, request.query.root, scope, now)

    def _run(
        self,
        searcher: tantivy.Searcher,
        request: SearchRequest,
        root: Node | None,
        scope: list[Query],
        now: dt.datetime,
    ) -> SearchResult:
        clauses: list[tuple[Occur, Query]] = [(Occur.Must, q) for q in scope]
        if root is not None:
            clauses.append((Occur.Must, self._compile(root)))
        query = Query.boolean_query(clauses) if clauses else Query.all_query()
        wanted = request.offset + request.limit
        counting = None
        # A field that the filters hold to one value has that value for every match.
        known = _single_values(request.filters)
        if request.facets:
            # Facets are counted over every match while the same query ranks the top hits:
            # tantivy releases the GIL, so the two run side by side.
            counted = [name for name in _FACET_FIELDS if name not in known]
            counting = self._facet_threads().submit(self._facets, searcher, query, counted)
        if request.sort == "date" or root is None:
            found = searcher.search(
                query, request.limit, offset=request.offset, order_by_field="published_s"
            )
            addresses = [address for _key, address in found.hits]
            hits = self._hits(searcher, addresses, [0.0] * len(addresses))
        elif wanted <= RERANK_WINDOW:
            found = searcher.search(query, RERANK_WINDOW)
            hits = self._fresh_first(searcher, found.hits, now, request.offset, wanted)
        else:
            found = searcher.search(query, request.limit, offset=request.offset)
            addresses = [address for _score, address in found.hits]
            hits = self._hits(searcher, addresses, [score for score, _a in found.hits])
        # The stubs lack it, but search(count=True) answers the number of matches.
        total = int(getattr(found, "count", None) or 0)
        facets: dict[str, list[tuple[str, int]]] = {}
        if counting is not None:
            answer = counting.result()
            for name in _FACET_FIELDS:
                if name in known:
                    facets[name] = [(known[name], total)] if total else []
                else:
                    facets[name] = answer[name]
        return SearchResult(hits, total, facets)

    def _facet_threads(self) -> ThreadPoolExecutor:
        # Made in the process that searches: a pool's threads do not survive a fork.
        if self._facet_pool is None or self._facet_pool_pid != os.getpid():
            with self._reload_lock:
                if self._facet_pool is None or self._facet_pool_pid != os.getpid():
                    self._facet_pool = ThreadPoolExecutor(
                        max_workers=os.cpu_count() or 2, thread_name_prefix="search-facets"
                    )
                    self._facet_pool_pid = os.getpid()
        return self._facet_pool

    def _hits(
        self,
        searcher: tantivy.Searcher,
        addresses: list[Any],
        scores: list[float],
        published: list[Any] | None = None,
    ) -> list[Hit]:
        """The hits at ``addresses``; ``published``: their dates, when read already."""
        if not addresses:
            return []
        ids = searcher.fast_field_values("id", addresses)
        if published is None:
            published = searcher.fast_field_values("published_s", addresses)
        return [
            Hit(
                int(pk or 0),
                float(score),
                dt.datetime.fromtimestamp(int(ts), tz=dt.UTC) if ts else None,
            )
            for pk, score, ts in zip(ids, scores, published, strict=True)
        ]

    def _fresh_first(
        self,
        searcher: tantivy.Searcher,
        found: list[tuple[Any, Any]],
        now: dt.datetime,
        start: int,
        end: int,
    ) -> list[Hit]:
        """Hits ``start:end`` by score times freshness (ties in tantivy's order). The dates
        are read for every hit of the window, the ids for the hits kept."""
        if not found:
            return []
        addresses = [address for _score, address in found]
        published = searcher.fast_field_values("published_s", addresses)
        now_s = now.timestamp()
        # freshness_at_age, inlined: this runs for every hit of the window of every search.
        weight, half_life = FRESHNESS_WEIGHT, FRESHNESS_HALF_LIFE.total_seconds()
        keys = [
            score * (1.0 + weight * 0.5 ** ((now_s - ts if ts < now_s else 0.0) / half_life))
            if ts is not None
            else score
            for (score, _address), ts in zip(found, published, strict=True)
        ]
        kept = sorted(range(len(found)), key=keys.__getitem__, reverse=True)[start:end]
        return self._hits(
            searcher,
            [addresses[i] for i in kept],
            [found[i][0] for i in kept],
            [published[i] for i in kept],
        )

    def _facets(
        self, searcher: tantivy.Searcher, query: Query, names: list[str]
    ) -> dict[str, list[tuple[str, int]]]:
        spec = {name: {"terms": {"field": _FACET_FIELDS[name], "size": 100}} for name in names}
        answer = searcher.aggregate(query, spec) if spec else {}
        return {
            name: [
                (str(bucket["key"]), int(bucket["doc_count"])) for bucket in answer[name]["buckets"]
            ]
            for name in names
        }

    # --- compiling queries --------------------------------------------------------------

    def _scope(self, filters: Filters, viewer: Viewer, now: dt.datetime) -> list[Query]:
        """What the viewer may see and asked for, as required clauses."""
        scope: list[Query] = []
        live = not filters.include_expired
        if not viewer.is_operator:
            more: list[Query] = []
            if viewer.is_authenticated:
                more.append(Query.term_query(self.schema, "visibility", "members"))
            if viewer.organization_ids:
                organizations = [str(pk) for pk in sorted(viewer.organization_ids)]
                more.append(self._one_of("org", organizations))
            if live:
                readable = [self._after("public_until", now)]
                if more:
                    readable.append(_all([_any(more), self._after("expires", now)]))
                live = False  # checked here already
            else:
                readable = [Query.term_query(self.schema, "visibility", "public"), *more]
            scope.append(_any(readable))
        for name, values in (
            ("platform", filters.platform),
            ("kind", filters.kind),
            ("country", filters.country),
            ("language", filters.language),
            ("sectors", filters.sector),
            ("org", tuple(str(v) for v in filters.organization)),
        ):
            if values:
                scope.append(self._one_of(name, values))
        if live:
            scope.append(self._after("expires", now))
        if filters.published_from or filters.published_to:
            scope.append(
                Query.range_query(
                    self.schema,
                    "published",
                    tantivy.FieldType.Date,
                    filters.published_from or _ALWAYS,
                    filters.published_to or _NEVER,
                    include_upper=False,
                )
            )
        return scope

    def _one_of(self, field: str, values: tuple[str, ...] | list[str]) -> Query:
        if len(values) == 1:  # a term's postings: cheaper to check a match against than a set
            return Query.term_query(self.schema, field, values[0])
        return Query.term_set_query(self.schema, field, list(values))

    def _after(self, field: str, moment: dt.datetime) -> Query:
        return Query.range_query(
            self.schema, field, tantivy.FieldType.Date, moment, _NEVER, include_lower=False
        )

    def _compile(self, node: Node) -> Query:
        if isinstance(node, Word):
            return self._word(node)
        if isinstance(node, Phrase):
            return _any(
                [
                    _boost(self._phrase("title", node.tokens), BOOST_TITLE),
                    self._phrase("body", node.tokens),
                ]
            )
        if isinstance(node, Prefix):
            pattern = re.escape(node.text) + ".*"
            return _any(
                [
                    _boost(Query.regex_query(self.schema, "title", pattern), BOOST_TITLE),
                    Query.regex_query(self.schema, "body", pattern),
                    _boost(
                        Query.regex_query(self.schema, "organization", pattern),
                        BOOST_ORGANIZATION,
                    ),
                ]
            )
        if isinstance(node, Concept):
            words = Query.boolean_query([(Occur.Must, self._word(w)) for w in node.words])
            concepts = [
                _boost(Query.term_query(self.schema, "concepts", key), BOOST_CONCEPT)
                for key in node.keys
            ]
            return _any([words, *concepts])
        if isinstance(node, All):
            clauses = [
                (Occur.MustNot, self._compile(c.child))
                if isinstance(c, Not)
                else (Occur.Must, self._compile(c))
                for c in node.children
            ]
            if all(occur == Occur.MustNot for occur, _q in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(node, Any_):
            return _any([self._compile(c) for c in node.children])
        if isinstance(node, Not):
            return Query.boolean_query(
                [(Occur.Must, Query.all_query()), (Occur.MustNot, self._compile(node.child))]
            )
        raise TypeError(f"unknown query node {node!r}")

    def _word(self, word: Word) -> Query:
        # A word's query is the same in every search (a tantivy query is an immutable value
        # that searches share): made once. It costs up to a dozen calls into tantivy, the most
        # of compiling a query of many words (a question).
        query = self._word_queries.get(word)
        if query is None:
            if len(self._word_queries) >= _WORD_QUERIES:
                self._word_queries.clear()
            query = self._word_queries[word] = self._make_word(word)
        return query

    def _make_word(self, word: Word) -> Query:
        alternatives = [
            _boost(Query.term_query(self.schema, "title", word.text), BOOST_TITLE),
            _boost(Query.term_query(self.schema, "body", word.text), BOOST_BODY),
            _boost(Query.term_query(self.schema, "organization", word.text), BOOST_ORGANIZATION),
        ]
        if word.parts:
            # The word's pieces as words in a row (the document's dictionary cut it finer).
            alternatives.append(_boost(self._phrase("title", word.parts), BOOST_TITLE))
            alternatives.append(self._phrase("body", word.parts))
        # The word as a part of a compound of the body (大学 in 北京大学; a title has the
        # parts of its compounds among its words).
        alternatives.append(_boost(Query.term_query(self.schema, "parts", word.text), BOOST_PARTS))
        if word.folded:
            alternatives.append(
                _boost(Query.term_query(self.schema, "folded", word.folded), BOOST_FOLDED)
            )
        return _any(alternatives)

    def _phrase(self, field: str, tokens: tuple[str, ...]) -> Query:
        if len(tokens) == 1:
            return Query.term_query(self.schema, field, tokens[0])
        return Query.phrase_query(self.schema, field, list(tokens))


def _single_values(filters: Filters) -> dict[str, str]:
    """Facet fields of one value per entry that the filters hold to a single value."""
    chosen = {
        "platform": filters.platform,
        "kind": filters.kind,
        "country": filters.country,
        "language": filters.language,
        "organization": tuple(str(pk) for pk in filters.organization),
    }
    return {name: values[0] for name, values in chosen.items() if len(values) == 1}


def _boost(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _all(queries: list[Query]) -> Query:
    return Query.boolean_query([(Occur.Must, q) for q in queries])


def _any(queries: list[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])
