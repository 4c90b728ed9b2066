"""The PostgreSQL backend: BM25F ranking over impact-ordered postings, beside the entries.

It mirrors :mod:`infoharbor.search.backends.embedded`: the same fields, boosts and scoring
(:mod:`.scoring`), the same matching of the parsed query (:mod:`.tsquery`), the same relaxed
fallback (in the service), visibility scope, facets and freshness re-rank.

Tables (migration ``search.0003``; all derived data, filled by ``infoharbor reindex``)
    ``search_document``  one row per entry: filter columns, field lengths, and one tsvector of
                         every field (:mod:`.terms`), which decides what matches;
    ``search_lexicon``   (lexeme, field) -> document frequency, and (lexeme, -1) -> documents
                         with the lexeme anywhere (its postings): the IDF of BM25;
    ``search_stats``     documents and terms per field: the average field lengths;
    ``search_posting``   (lexeme, impact, entry): the lexeme's BM25 weight in the document
                         without the IDF, with a btree on (lexeme, impact DESC), so a word's
                         best documents are read first however many have it.

    Writes change all four in one transaction: the old rows of an entry are read back (its
    tsvector says which fields had which lexeme) and subtracted, the new ones added by COPY,
    and the lexicon and statistics updated by batched upserts, so they stay exact. The
    statistics rows are locked before any lexicon row: writers queue there and never
    deadlock on the lexicon.

Searching by relevance
    1. The lexicon rows of the query's lexemes (and a prefix's most frequent expansions).
    2. Candidates: the first :data:`CANDIDATES` postings of each of the query's lists, summed
       by IDF x impact, joined to their documents, kept if they are in scope and match the
       tsquery. If that holds every match (:func:`.candidates.complete`), the count and the
       facets are exact; otherwise there are more matches than were read, the total is the
       planner's estimate (``total_is_estimate``) and facets are counted over the candidates
       and scaled to it. Too few candidates for the page: read 8 times more, up to
       :data:`MAX_CANDIDATES`, then fall back to the newest matches (3).
    3. The best :data:`RESCORE` candidates are scored exactly (:mod:`.scoring`, from their
       stored lexemes), and the top :data:`~infoharbor.search.backends.base.RERANK_WINDOW`
       re-ranked with freshness, as the embedded backend does.

Listing by date, queries without positive words, and the fallback
    The newest :data:`MATCH_WINDOW` matches (through GIN's bitmap, or walking the published
    index backwards when matches are dense), counted and faceted; by relevance, the newest
    :data:`RANK_CANDIDATES` of them are scored exactly and the rest follow newest first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from infoharbor.search.backends.base import (
    FACETS,
    RERANK_WINDOW,
    Filters,
    Hit,
    SearchRequest,
    SearchResult,
    Viewer,
    freshness,
)
from infoharbor.search.backends.postgres import candidates as lists
from infoharbor.search.backends.postgres.scoring import (
    Candidate,
    Scorer,
    Statistics,
    lexemes,
    prefixes,
)
from infoharbor.search.backends.postgres.terms import (
    ANY_FIELD,
    FIELD_NAMES,
    MAX_LEXEME_BYTES,
    MAX_POSITION,
    Analysed,
    fields_of,
    lexeme,
    quote,
    tsvector_literal,
)
from infoharbor.search.backends.postgres.tsquery import compile_query
from infoharbor.search.documents import IndexDocument
from infoharbor.search.query import Node

__all__ = [
    "MAX_LEXEME_BYTES",
    "MAX_POSITION",
    "PostgresBackend",
    "compile_query",
    "lexeme",
    "quote",
    "tsvector_literal",
]

TABLE = "search_document"
# Postings read per list at first, and at most (x 8 each time too few candidates survive).
CANDIDATES = 500
MAX_CANDIDATES = 64_000
# Candidates scored exactly (the best by IDF x impact), at least the page.
RESCORE = 100
# A prefix is expanded into at most this many of its lexemes, the most frequent first.
PREFIX_EXPANSIONS = 32
# The newest-first path: matches read at most, and ranked at most.
MATCH_WINDOW = 2000
RANK_CANDIDATES = 1000
# Cost of testing a row against a tsquery while walking the published index, over the cost of
# a match through GIN's bitmap (see _walk_published).
WALK_FACTOR = 4
FACET_SIZE = 100
_NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
_FACET_COLUMNS = {
    "platform": "platform",
    "kind": "kind",
    "country": "country",
    "language": "language",
    "sector": "unnest(sectors)",
    "organization": "org::text",
}
if tuple(_FACET_COLUMNS) != FACETS:
    raise ImportError("the facet columns must follow base.FACETS")
_STAT_NAMES = ["documents", *(f"terms:{name}" for name in FIELD_NAMES)]
# Dropped by defer_indexes() for a bulk load, made again by optimize().
DEFERRED_INDEXES = {
    "search_document_terms": "ON search_document USING gin (terms)",
    "search_document_published": "ON search_document (published DESC, entry_id DESC)",
    "search_document_sectors": "ON search_document USING gin (sectors)",
    "search_posting_best": "ON search_posting (lexeme, impact DESC) INCLUDE (entry_id)",
}
_DOCUMENT_COLUMNS = (
    "entry_id, platform, kind, country, language, visibility, sectors, org, published,"
    " expires, lengths, terms"
)
# What a scored candidate brings back: its lengths and the query's lexemes in its terms.
_TERMS_OF = (
    "CROSS JOIN LATERAL (SELECT array_agg(u.lexeme) AS lx,"
    " array_agg(array_to_string(u.positions, ',')) AS pos,"
    " array_agg(array_to_string(u.weights, '')) AS wts"
    " FROM unnest(d.terms) u WHERE u.lexeme = ANY(%s::text[]){prefixes}) x"
)


class PostgresBackend:
    name = "postgres"

    # --- writes ---------------------------------------------------------------------------

    def index(self, documents: list[IndexDocument], deleted: list[int]) -> None:
        if not documents and not deleted:
            return
        latest = {document.entry_id: document for document in documents}
        stale = sorted(set(deleted) | latest.keys())
        analysed = [Analysed(document) for document in latest.values()]
        lexicon: Counter[tuple[str, int]] = Counter()
        stats = [0] * len(_STAT_NAMES)
        with transaction.atomic(), connection.cursor() as cursor:
            if stale:
                self._subtract(cursor, stale, lexicon, stats)
            for item in analysed:
                stats[0] += 1
                for number, length in enumerate(item.lengths, start=1):
                    stats[number] += length
                for key in item.fields():
                    lexicon[key] += 1
                for text in item.lexemes:
                    lexicon[(text, ANY_FIELD)] += 1
            # The statistics before the lexicon: concurrent writers queue on these rows
            # (locked by the upsert until commit) before touching any lexicon row.
            cursor.execute(
                "INSERT INTO search_stats AS s (name, value)"
                " SELECT * FROM unnest(%s::text[], %s::bigint[]) ON CONFLICT (name)"
                " DO UPDATE SET value = s.value + EXCLUDED.value RETURNING name, value",
                [_STAT_NAMES, stats],
            )
            current = dict(cursor.fetchall())
            totals = [int(current.get(name, 0)) for name in _STAT_NAMES]
            averages = [t / totals[0] if totals[0] else 0.0 for t in totals[1:]]
            if analysed:
                self._copy(cursor, analysed, list(latest.values()), averages)
            self._update_lexicon(cursor, lexicon)

    def _subtract(
        self,
        cursor: Any,
        stale: list[int],
        lexicon: Counter[tuple[str, int]],
        stats: list[int],
    ) -> None:
        """Take the stored documents of ``stale`` out of the lexicon and statistics, and
        delete them and their postings."""
        cursor.execute("SELECT lengths FROM search_document WHERE entry_id = ANY(%s)", [stale])
        found = cursor.fetchall()
        if not found:
            return
        for (row_lengths,) in found:
            stats[0] -= 1
            for number, length in enumerate(row_lengths, start=1):
                stats[number] -= length
        cursor.execute(
            "SELECT t.lexeme, t.weights FROM search_document d, unnest(d.terms) t"
            " WHERE d.entry_id = ANY(%s)",
            [stale],
        )
        for text, weights in cursor.fetchall():
            for field_number in fields_of(text, weights or ()):
                lexicon[(text, field_number)] -= 1
            lexicon[(text, ANY_FIELD)] -= 1
        cursor.execute("DELETE FROM search_posting WHERE entry_id = ANY(%s)", [stale])
        cursor.execute("DELETE FROM search_document WHERE entry_id = ANY(%s)", [stale])

    def _copy(
        self,
        cursor: Any,
        analysed: list[Analysed],
        documents: list[IndexDocument],
        averages: list[float],
    ) -> None:
        raw = cursor.cursor  # psycopg's own cursor: COPY
        with raw.copy(f"COPY search_document ({_DOCUMENT_COLUMNS}) FROM STDIN") as copy:
            for item, document in zip(analysed, documents, strict=True):
                copy.write_row(
                    (
                        document.entry_id,
                        document.platform,
                        document.kind,
                        document.country,
                        document.language,
                        document.visibility,
                        list(document.sectors),
                        document.organization_id,
                        document.published_at,
                        document.expires_at or _NEVER,
                        item.lengths,
                        item.tsvector(),
                    )
                )
        with raw.copy("COPY search_posting (lexeme, impact, entry_id) FROM STDIN") as copy:
            for item, document in zip(analysed, documents, strict=True):
                entry_id = document.entry_id
                for text, impact in item.impacts(averages):
                    copy.write_row((text, impact, entry_id))

    def _update_lexicon(self, cursor: Any, lexicon: Counter[tuple[str, int]]) -> None:
        changed = sorted((key, n) for key, n in lexicon.items() if n)
        for start in range(0, len(changed), 50_000):
            batch = changed[start : start + 50_000]
            cursor.execute(
                "INSERT INTO search_lexicon AS l (lexeme, field, df)"
                " SELECT * FROM unnest(%s::text[], %s::smallint[], %s::integer[])"
                " ON CONFLICT (lexeme, field) DO UPDATE SET df = l.df + EXCLUDED.df",
                [[k[0] for k, _n in batch], [k[1] for k, _n in batch], [n for _k, n in batch]],
            )
        fallen = [key for key, n in changed if n < 0]
        if fallen:
            cursor.execute(
                "DELETE FROM search_lexicon l USING unnest(%s::text[], %s::smallint[]) k(x, f)"
                " WHERE l.lexeme = k.x AND l.field = k.f AND l.df <= 0",
                [[k[0] for k in fallen], [k[1] for k in fallen]],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_document, search_posting, search_lexicon, search_stats")

    def defer_indexes(self) -> None:
        """Before a bulk load into an empty index: drop the indexes that are cheaper to
        build once afterwards; :meth:`optimize` makes them again (searches work meanwhile,
        slowly)."""
        with connection.cursor() as cursor:
            for name in DEFERRED_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")

    def optimize(self) -> None:
        """After a rebuild: make any deferred index, merge GIN's pending list, and refresh
        the planner's statistics (and, outside a transaction, the visibility map that lets
        postings be read from their index alone)."""
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in DEFERRED_INDEXES.items():
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("SELECT gin_clean_pending_list('search_document_terms'::regclass)")
            tables = ("search_document", "search_posting", "search_lexicon")
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for table in tables:
                cursor.execute(f"{verb} {table}")

    # --- reads ----------------------------------------------------------------------------

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) t",
                [[TABLE, "search_lexicon", "search_posting", "search_stats"]],
            )
            return int(cursor.fetchone()[0] or 0)

    def search(self, request: SearchRequest) -> SearchResult:
        now = request.now or dt.datetime.now(tz=dt.UTC)
        scope, params = _scope(request.filters, request.viewer, now)
        root = request.query.root
        with transaction.atomic(), connection.cursor() as cursor:
            if root is None or request.sort == "date":
                return self._newest(cursor, request, root, scope, params, now, None)
            statistics, expansions = self._statistics(cursor, root)
            if not lists.limits(root, statistics, expansions, CANDIDATES):
                if lists.complete(root, statistics, expansions, {}):
                    return SearchResult([], 0, {n: [] for n in FACETS} if request.facets else {})
                return self._newest(cursor, request, root, scope, params, now, statistics)
            limit = CANDIDATES
            wanted = request.offset + request.limit
            while True:
                limits = lists.limits(root, statistics, expansions, limit)
                whole = lists.complete(root, statistics, expansions, limits)
                found = self._best(cursor, request, root, scope, params, statistics, limits)
                if whole or found[0] >= wanted or limit >= MAX_CANDIDATES:
                    break
                limit *= 8
            if not whole and found[0] < wanted:
                return self._newest(cursor, request, root, scope, params, now, statistics)
            return self._ranked(cursor, request, root, scope, params, now, statistics, found, whole)

    def _statistics(self, cursor: Any, root: Node) -> tuple[Statistics, lists.Expansions]:
        """The lexicon rows the query needs, the average lengths, and its prefixes'
        expansions (one statement)."""
        wanted = sorted(lexemes(root))
        sql = [
            "SELECT 0, lexeme::text, field, df::bigint FROM search_lexicon"
            " WHERE lexeme = ANY(%s::text[])",
            "UNION ALL SELECT 1, name, 0, value FROM search_stats",
        ]
        params: list[Any] = [wanted]
        found_prefixes = list(dict.fromkeys(prefixes(root)))
        for number, prefix in enumerate(found_prefixes):
            # Lexemes in title, organization or body (those have a -1 row and no marker:
            # markers are upper case, prefixes of case-folded words are not).
            sql.append(
                f"UNION ALL (SELECT {2 + number}, lexeme::text, -1, df FROM search_lexicon"  # noqa: S608 (constants)
                " WHERE lexeme >= %s AND lexeme < %s AND field = -1"
                " AND left(lexeme, 2) NOT IN ('P:', 'F:', 'C:')"
                " ORDER BY df DESC, lexeme LIMIT %s)"
            )
            params += [prefix, prefix + "\U0010ffff", PREFIX_EXPANSIONS + 1]
        cursor.execute("\n".join(sql), params)
        df: dict[tuple[str, int], int] = {}
        stats: dict[str, int] = {}
        expanded: dict[int, list[str]] = {}
        for part, text, field_number, n in cursor.fetchall():
            if part == 0:
                df[(text, int(field_number))] = int(n)
            elif part == 1:
                stats[text] = int(n)
            else:
                df[(text, ANY_FIELD)] = int(n)
                expanded.setdefault(part - 2, []).append(text)
        documents = stats.get("documents", 0)
        averages = [
            stats.get(f"terms:{name}", 0) / documents if documents else 0.0 for name in FIELD_NAMES
        ]
        expansions: lists.Expansions = {}
        for number, prefix in enumerate(found_prefixes):
            texts = expanded.get(number, [])
            expansions[prefix] = (texts[:PREFIX_EXPANSIONS], len(texts) <= PREFIX_EXPANSIONS)
        return Statistics(documents, averages, df), expansions

    def _best(
        self,
        cursor: Any,
        request: SearchRequest,
        root: Node,
        scope: list[str],
        scope_params: list[Any],
        statistics: Statistics,
        limits: dict[str, int],
    ) -> tuple[int, list[tuple[Any, ...]], dict[str, list[tuple[str, int]]]]:
        """The candidates of the first postings of each list (``limits``) that match: their
        number, the best :data:`RESCORE` with their terms, and the facets over all."""
        # _SAFE_SQL: assembled from constants, the conditions of _scope (constants and
        # placeholders) and placeholders; every value is a parameter.
        postings = " UNION ALL ".join(
            [
                "(SELECT entry_id, impact * %s AS s FROM search_posting WHERE lexeme = %s"
                " ORDER BY impact DESC LIMIT %s)"
            ]
            * len(limits)
        )
        params: list[Any] = []
        for text, limit in limits.items():
            params += [statistics.list_weight(text), text, limit]
        where = " AND ".join([*scope, "d.terms @@ %s::tsquery"])
        params += [*scope_params, compile_query(root)]
        wanted = request.offset + request.limit
        prefix_sql, prefix_params = _prefix_condition(prefixes(root))
        sql = [
            f"WITH p AS (SELECT entry_id, sum(s) AS approx FROM ({postings}) u GROUP BY entry_id),"  # noqa: S608 (_SAFE_SQL)
            " c AS MATERIALIZED (SELECT d.entry_id, d.published, d.platform, d.kind,"
            " d.country, d.language, d.org, d.sectors, p.approx"
            f" FROM p JOIN {TABLE} d ON d.entry_id = p.entry_id WHERE {where})",
            "SELECT 0 AS part, NULL::text AS key, count(*) AS n, NULL::bigint AS id,"
            " NULL::timestamptz AS published, NULL::integer[] AS lengths, NULL::text[] AS lx,"
            " NULL::text[] AS pos, NULL::text[] AS wts FROM c",
            "UNION ALL (SELECT 1, NULL, NULL, b.entry_id, b.published, d.lengths, x.lx, x.pos,"  # noqa: S608 (_SAFE_SQL)
            " x.wts FROM (SELECT entry_id, published FROM c"
            " ORDER BY approx DESC, published DESC, entry_id DESC LIMIT %s) b"
            f" JOIN {TABLE} d ON d.entry_id = b.entry_id "
            + _TERMS_OF.format(prefixes=prefix_sql)
            + ")",
        ]
        params += [max(RESCORE, wanted), sorted(lexemes(root)), *prefix_params]
        if request.facets:
            sql += _facet_sql("c")
            params += [FACET_SIZE] * len(_FACET_COLUMNS)
        cursor.execute("\n".join(sql), params)
        total = 0
        best: list[tuple[Any, ...]] = []
        facets: dict[str, list[tuple[str, int]]] = {n: [] for n in FACETS} if request.facets else {}
        names = list(_FACET_COLUMNS)
        for part, key, n, entry_id, published, row_lengths, lx, pos, wts in cursor.fetchall():
            if part == 0:
                total = int(n)
            elif part == 1:
                best.append((entry_id, published, row_lengths, lx, pos, wts))
            elif key is not None:
                facets[names[part - 10]].append((str(key), int(n)))
        return total, best, facets

    def _ranked(
        self,
        cursor: Any,
        request: SearchRequest,
        root: Node,
        scope: list[str],
        scope_params: list[Any],
        now: dt.datetime,
        statistics: Statistics,
        found: tuple[int, list[tuple[Any, ...]], dict[str, list[tuple[str, int]]]],
        whole: bool,
    ) -> SearchResult:
        count, best, facets = found
        scorer = Scorer(statistics)
        hits = [
            Hit(int(entry_id), scorer.score(Candidate(row_lengths, lx, pos, wts), root), published)
            for entry_id, published, row_lengths, lx, pos, wts in best
        ]
        hits = _order(hits, request, now)
        if whole:
            return SearchResult(hits, count, facets)
        total = max(count, _estimate(cursor, scope, scope_params, compile_query(root)))
        if count:
            ratio = total / count
            facets = {
                name: [(key, max(1, round(n * ratio))) for key, n in values]
                for name, values in facets.items()
            }
        return SearchResult(hits, total, facets, total_is_estimate=True)

    def _newest(
        self,
        cursor: Any,
        request: SearchRequest,
        root: Node | None,
        scope: list[str],
        scope_params: list[Any],
        now: dt.datetime,
        statistics: Statistics | None,
    ) -> SearchResult:
        """The newest matches (at most a window of them, ``m``), then their number, the page
        and the facet counts, in one statement; by relevance when ``statistics`` is given:
        the newest :data:`RANK_CANDIDATES` scored exactly, the rest after them newest first."""
        conditions = list(scope)
        where_params: list[Any] = list(scope_params)
        tsquery = compile_query(root) if root is not None else None
        if tsquery is not None:
            conditions.append("terms @@ %s::tsquery")
            where_params.append(tsquery)
        where = " AND ".join(conditions) or "true"
        wanted = request.offset + request.limit
        window = max(MATCH_WINDOW, wanted + 1)
        sql = [
            "WITH m AS MATERIALIZED (SELECT entry_id, published, platform, kind, country,"  # noqa: S608 (_SAFE_SQL)
            f" language, org, sectors FROM {TABLE} WHERE {where}"
            " ORDER BY published DESC, entry_id DESC LIMIT %s)",
            "SELECT 0 AS part, NULL::text AS key, count(*) AS n, NULL::bigint AS id,"
            " NULL::timestamptz AS published, NULL::integer[] AS lengths, NULL::text[] AS lx,"
            " NULL::text[] AS pos, NULL::text[] AS wts FROM m",
        ]
        params: list[Any] = [*where_params, window]
        by_rank = False
        candidates = RANK_CANDIDATES
        if statistics is None or root is None:
            sql.append(
                "UNION ALL (SELECT 1, NULL, NULL, entry_id, published, NULL, NULL, NULL, NULL"
                " FROM m ORDER BY published DESC, entry_id DESC OFFSET %s LIMIT %s)"
            )
            params += [request.offset, request.limit]
        else:
            by_rank = True
            prefix_sql, prefix_params = _prefix_condition(prefixes(root))
            sql.append(
                "UNION ALL (SELECT 1, NULL, NULL, b.entry_id, b.published, d.lengths, x.lx,"  # noqa: S608 (_SAFE_SQL)
                " x.pos, x.wts FROM (SELECT entry_id, published FROM m"
                " ORDER BY published DESC, entry_id DESC LIMIT %s) b"
                f" JOIN {TABLE} d ON d.entry_id = b.entry_id "
                + _TERMS_OF.format(prefixes=prefix_sql)
                + ")"
            )
            params += [candidates, sorted(lexemes(root)), *prefix_params]
            if wanted > candidates:
                sql.append(
                    "UNION ALL (SELECT 2, NULL, NULL, entry_id, published, NULL, NULL, NULL,"
                    " NULL FROM m ORDER BY published DESC, entry_id DESC OFFSET %s LIMIT %s)"
                )
                params += [candidates, wanted - candidates]
        if request.facets:
            sql += _facet_sql("m")
            params += [FACET_SIZE] * len(_FACET_COLUMNS)

        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {where}",  # noqa: S608
            where_params,
        )
        estimate = _plan_rows(cursor.fetchone()[0])
        bitmap = tsquery is not None and not _walk_published(estimate, window, cursor)
        if bitmap:
            # Through GIN's bitmap, whatever the planner thinks: it counts testing a row
            # against the tsquery as nearly free, so it walks the published index past
            # many non-matching rows far more often than pays.
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute("\n".join(sql), params)
            rows = cursor.fetchall()
        finally:
            if bitmap:  # SET LOCAL lasts to the end of an enclosing transaction
                cursor.execute("RESET enable_indexscan")
                cursor.execute("RESET enable_seqscan")
        total = 0
        ranked: list[Hit] = []
        rest: list[Hit] = []
        names = list(_FACET_COLUMNS)
        facets: dict[str, list[tuple[str, int]]] = {n: [] for n in FACETS} if request.facets else {}
        scorer = Scorer(statistics) if statistics is not None else None
        for part, key, n, entry_id, published, row_lengths, lx, pos, wts in rows:
            if part == 0:
                total = int(n)
            elif part == 1:
                score = 0.0
                if scorer is not None and root is not None:
                    score = scorer.score(Candidate(row_lengths, lx, pos, wts), root)
                ranked.append(Hit(int(entry_id), score, published))
            elif part == 2:
                rest.append(Hit(int(entry_id), 0.0, published))
            elif key is not None:
                facets[names[part - 10]].append((str(key), int(n)))
        estimated = total >= window
        if estimated:
            # More matches than the window: their number as the planner estimates it.
            total = max(total, estimate)
        hits = _order(ranked, request, now, rest) if by_rank else ranked
        return SearchResult(hits, total, facets, total_is_estimate=estimated)


def _order(
    hits: list[Hit], request: SearchRequest, now: dt.datetime, rest: Sequence[Hit] = ()
) -> list[Hit]:
    """The page of scored hits: by score (ties newest first, as the candidates came), the top
    of them re-ranked with freshness as the embedded backend does; ``rest`` after them."""
    wanted = request.offset + request.limit
    ranked = sorted(hits, key=lambda hit: -hit.score)
    if wanted <= RERANK_WINDOW:
        top = sorted(
            ranked[:RERANK_WINDOW],
            key=lambda hit: -hit.score * freshness(hit.published_at, now),
        )
        ranked = [*top, *ranked[RERANK_WINDOW:]]
    return [*ranked, *rest][request.offset : wanted]


def _facet_sql(source: str) -> list[str]:
    return [
        f"UNION ALL (SELECT {number}, key, count(*), NULL, NULL, NULL, NULL, NULL, NULL"  # noqa: S608 (constants)
        f" FROM (SELECT {column} AS key FROM {source}) f GROUP BY key"
        " ORDER BY count(*) DESC, key LIMIT %s)"
        for number, column in enumerate(_FACET_COLUMNS.values(), start=10)
    ]


def _prefix_condition(found: list[str]) -> tuple[str, list[Any]]:
    """The condition on a candidate's lexemes that brings back those a prefix scores."""
    if not found:
        return "", []
    return " OR u.lexeme ^@ ANY(%s::text[])", [found]


def _estimate(cursor: Any, scope: list[str], params: list[Any], tsquery: str) -> int:
    where = " AND ".join([*scope, "terms @@ %s::tsquery"])
    cursor.execute(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {where}",  # noqa: S608
        [*params, tsquery],
    )
    return _plan_rows(cursor.fetchone()[0])


def _walk_published(estimate: int, window: int, cursor: Any) -> bool:
    """Whether the newest ``window`` matches are cheaper to find by walking the published
    index backwards (testing every row it passes) than through GIN's bitmap (every match):
    walking tests about window x rows / matches rows, the bitmap visits every match."""
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
    rows = max(float(cursor.fetchone()[0]), 1.0)
    return float(estimate) ** 2 > WALK_FACTOR * window * rows


def _plan_rows(plan: Any) -> int:
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _scope(filters: Filters, viewer: Viewer, now: dt.datetime) -> tuple[list[str], list[Any]]:
    """What the viewer may see and asked for, as SQL conditions and their parameters."""
    conditions: list[str] = []
    params: list[Any] = []
    if not viewer.is_operator:
        readable = ["visibility = 'public'"]
        if viewer.is_authenticated:
            readable.append("visibility = 'members'")
        if viewer.organization_ids:
            readable.append("org = ANY(%s::bigint[])")
            params.append(sorted(viewer.organization_ids))
        conditions.append("(" + " OR ".join(readable) + ")")
    for column, values in (
        ("platform", filters.platform),
        ("kind", filters.kind),
        ("country", filters.country),
        ("language", filters.language),
    ):
        if values:
            conditions.append(f"{column} = ANY(%s::text[])")
            params.append(list(values))
    if filters.sector:
        conditions.append("sectors && %s::text[]")
        params.append(list(filters.sector))
    if filters.organization:
        conditions.append("org = ANY(%s::bigint[])")
        params.append([int(pk) for pk in filters.organization])
    if not filters.include_expired:
        conditions.append("expires > %s")
        params.append(now)
    if filters.published_from:
        conditions.append("published >= %s")
        params.append(filters.published_from)
    if filters.published_to:
        conditions.append("published < %s")
        params.append(filters.published_to)
    return conditions, params
