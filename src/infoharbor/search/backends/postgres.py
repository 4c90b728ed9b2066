"""The PostgreSQL backend: one table of documents beside the entries, searched with tsvector.

It mirrors :mod:`infoharbor.search.backends.embedded`: the same fields, the same compilation
of the parsed query, the same relaxed fallback, visibility scope, facets and freshness re-rank.

Documents (table ``search_document``, created by migration ``search.0002``)
    One row per indexed entry: the filter fields, and one ``terms`` tsvector built here from
    the analysed terms, never by PostgreSQL's parser (``to_tsvector`` would split our tokens
    again on hyphens, apostrophes and punctuation). Each field gets its own run of positions,
    a position apart from the next so no phrase crosses fields, and its weight:

    ====================  ======  =====================================================
    field                 weight  lexemes
    ====================  ======  =====================================================
    title                 A       the terms as analysed
    organization          B       the terms as analysed
    body                  C       the terms as analysed
    grams                 D       the grapheme-cluster pairs (1-2 clusters each)
    folded                D       ``F:`` + the accent-free form
    concepts              C       ``C:`` + the concept key
    ====================  ======  =====================================================

    Terms are case-folded by the analysis, so the upper-case ``F:`` and ``C:`` markers never
    meet a term: a word queried without a weight cannot hit an accent-free form or a concept
    by accident. PostgreSQL keeps positions up to 16383 and 256 positions per lexeme; a later
    position is stored as 16383, which only costs phrase matches past it. A lexeme is at most
    2047 bytes: longer terms are cut at a character boundary, in documents and queries alike.

Queries
    The parsed query becomes one tsquery, written here with every lexeme quoted (user text
    never reaches ``to_tsquery`` nor the SQL). A word is matched without a weight whenever
    that means exactly the embedded backend's title, body or organization fields; that keeps
    GIN from rechecking rows (a weight or a phrase makes the index lossy), which is what makes
    frequent words affordable. Phrases, prefixes of scripts that grams are made of, and words
    that could be a gram are restricted with weights.

Bounded work
    GIN cannot return matches in rank or date order, ``ts_rank`` has no IDF and must read
    (detoast) every row it scores, and a frequent word matches a large part of the table. So
    every query reads at most :data:`MATCH_WINDOW` matches, newest first (PostgreSQL picks
    between the GIN bitmap and walking the ``published`` index backwards), once, into a
    materialized CTE that the count, the page and the facets all read:

    - the total is exact below the window; above it, it is the planner's estimate of the
      matches (``EXPLAIN``; never below the window), like a search engine's "about N";
    - facets count the matches in the window (all of them below it, the newest above);
    - ranking: ``ts_rank_cd`` (cover density: frequency, proximity, and weights from the
      boosts in :mod:`~infoharbor.search.backends.base`) over the newest
      :data:`RANK_CANDIDATES` matches (fewer for a long query, :func:`rank_candidates`);
      matches beyond those follow, newest first. The top
      :data:`~infoharbor.search.backends.base.RERANK_WINDOW` are re-ranked with freshness in
      Python, as the embedded backend does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from infoharbor.search.backends.base import (
    BOOST_BODY,
    BOOST_CONCEPT,
    BOOST_FOLDED,
    BOOST_ORGANIZATION,
    BOOST_TITLE,
    FACETS,
    RERANK_WINDOW,
    Filters,
    Hit,
    SearchRequest,
    SearchResult,
    Viewer,
    freshness,
)
from infoharbor.search.documents import IndexDocument
from infoharbor.search.query import (
    All,
    Any_,
    Concept,
    Grams,
    Node,
    Not,
    Phrase,
    Prefix,
    Word,
)
from infoharbor.text.analyze import cluster_pairs, has_unspaced

TABLE = "search_document"
# PostgreSQL's limits on a tsvector.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_BYTES = 2047
# A tsvector holds at most 1 MiB of lexemes; stay clear of it (the rest of a huge document is
# dropped, in the order of the fields above: grams and accent-free forms first).
MAX_LEXEME_BYTES_PER_DOCUMENT = 1_000_000
# Markers of the accent-free forms and the concept keys (never in a case-folded term).
FOLDED_MARKER = "F:"
CONCEPT_MARKER = "C:"
# A lexeme no document has: what an empty term compiles to.
NOTHING = "N:"
# Weights {D, C, B, A} for ts_rank_cd, from the boosts (title = 1). Grams share D with the
# accent-free forms (BOOST_GRAMS is close to BOOST_FOLDED); concepts share C with the body.
RANK_WEIGHTS = [
    BOOST_FOLDED / BOOST_TITLE,
    BOOST_BODY / BOOST_TITLE,
    BOOST_ORGANIZATION / BOOST_TITLE,
    1.0,
]
if BOOST_CONCEPT != BOOST_BODY:
    raise ImportError("concepts are stored with the body's weight; give them their own")
# How many matches a query ranks at most (the newest); see the module's docstring.
RANK_CANDIDATES = 1000
# ... and fewer for bigger queries: ranking costs about (lexemes in the query) x (documents).
RANK_BUDGET = 8000
# A query reads at most this many of its matches, newest first; facets count them. With more
# matches than that, the total is PostgreSQL's estimate (see the module's docstring).
MATCH_WINDOW = 2000
# Cost of testing a row against a tsquery while walking the published index, over the cost of
# a match through GIN's bitmap (measured at 100k documents; see _walk_published).
WALK_FACTOR = 8
FACET_SIZE = 100
UPSERT_BATCH = 500
_NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
_WEIGHT_LETTERS = ("", "C", "B", "A")  # D is the default and is not written
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

_COLUMNS = (
    "entry_id",
    "platform",
    "kind",
    "country",
    "language",
    "visibility",
    "sectors",
    "org",
    "published",
    "expires",
    "terms",
)
_UPSERT = (
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) "  # noqa: S608 (constants only)
    f"VALUES ({', '.join(['%s'] * (len(_COLUMNS) - 1))}, %s::tsvector) "
    "ON CONFLICT (entry_id) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS[1:])
)


# --- documents as tsvectors ---------------------------------------------------------------


def lexeme(text: str) -> str:
    """``text`` as PostgreSQL can hold it in a lexeme: no NUL, at most 2047 bytes of UTF-8."""
    data = text.replace("\x00", "").encode("utf-8", "replace")
    if len(data) <= MAX_LEXEME_BYTES:
        return data.decode("utf-8")
    return data[:MAX_LEXEME_BYTES].decode("utf-8", "ignore")


def quote(text: str) -> str:
    """A lexeme quoted for tsvector and tsquery input: quotes and backslashes doubled."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(document: IndexDocument) -> str:
    """The document's terms as tsvector input text, with positions and weights."""
    lexemes: dict[str, dict[int, int]] = {}
    budget = MAX_LEXEME_BYTES_PER_DOCUMENT
    position = 0
    for terms, weight, marker in (
        (document.title, 3, ""),
        (document.organization, 2, ""),
        (document.body, 1, ""),
        (document.concepts, 1, CONCEPT_MARKER),
        (document.grams, 0, ""),
        (document.folded, 0, FOLDED_MARKER),
    ):
        for term in terms:
            position += 1
            text = marker + term
            positions = lexemes.get(text)
            if positions is None and (len(text) * 4 > MAX_LEXEME_BYTES or "\x00" in text):
                text = lexeme(text)
                if not text:
                    continue
                positions = lexemes.get(text)
            if positions is None:
                size = len(text) if text.isascii() else len(text.encode("utf-8"))
                if size > budget:
                    continue
                budget -= size
                positions = lexemes[text] = {}
            at = position if position < MAX_POSITION else MAX_POSITION
            if at in positions:
                if weight > positions[at]:
                    positions[at] = weight
            elif len(positions) < MAX_POSITIONS_PER_LEXEME:
                positions[at] = weight
        position += 1  # a gap: no phrase runs from one field into the next
    letters = _WEIGHT_LETTERS
    return " ".join(
        (quote(text) if "'" in text or "\\" in text else "'" + text + "'")
        + ":"
        + ",".join([str(at) + letters[w] for at, w in positions.items()])
        for text, positions in lexemes.items()
    )


# --- queries as tsqueries -----------------------------------------------------------------


def _operand(term: str, weights: str = "", prefix: bool = False) -> str:
    text = lexeme(term) or NOTHING
    suffix = ("*" if prefix else "") + weights
    return quote(text) + (":" + suffix if suffix else "")


def _any(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _phrase(tokens: Sequence[str], weights: str) -> str:
    operands = [_operand(token, weights) for token in tokens]
    return operands[0] if len(operands) == 1 else "(" + " <-> ".join(operands) + ")"


def _could_be_gram(text: str) -> bool:
    """Whether a document's grams could hold ``text`` (one or two clusters of a script
    written without spaces)."""
    return cluster_pairs(text) == [text]


def _word(word: Word) -> str:
    # Without a weight the word would also meet the grams (D); that is the same as the
    # embedded backend's fields unless the word could be a gram its own grams do not cover.
    exact = _could_be_gram(word.text) and word.grams != (word.text,)
    alternatives = [_operand(word.text, "ABC" if exact else "")]
    if word.parts:
        alternatives.append(_phrase(word.parts, "AC"))
    if word.grams and word.grams != (word.text,):  # (word.text,): met without a weight
        alternatives.append(_phrase(word.grams, "D"))
    if word.folded:
        alternatives.append(_operand(FOLDED_MARKER + word.folded))
    return _any(alternatives)


def operands(node: Node) -> int:
    """How many lexemes the node's tsquery holds (what ranking a document costs)."""
    if isinstance(node, Word):
        return 1 + len(node.parts) + len(node.grams) + (1 if node.folded else 0)
    if isinstance(node, Phrase):
        return len(node.tokens) + len(node.grams)
    if isinstance(node, Prefix):
        return 1
    if isinstance(node, Grams):
        return len(node.grams)
    if isinstance(node, Concept):
        return sum(operands(w) for w in node.words) + len(node.keys)
    if isinstance(node, All | Any_):
        return sum(operands(child) for child in node.children)
    return operands(node.child)


def rank_candidates(node: Node) -> int:
    """How many of the newest matches to rank: fewer for a bigger query, never fewer than
    the freshness re-rank needs."""
    return max(RERANK_WINDOW, min(RANK_CANDIDATES, RANK_BUDGET // max(operands(node), 1)))


def compile_query(node: Node) -> str:
    """The tsquery text of a parsed query (every lexeme quoted; never fails)."""
    if isinstance(node, Word):
        return _word(node)
    if isinstance(node, Phrase):
        alternatives = [_phrase(node.tokens, "AC")]
        if len(node.grams) > 1:
            alternatives.append(_phrase(node.grams, "D"))
        return _any(alternatives)
    if isinstance(node, Prefix):
        # Grams are the only lexemes below title, organization and body that a case-folded
        # prefix can begin; without such characters the prefix needs no weight.
        return _operand(node.text, "ABC" if has_unspaced(node.text) else "", prefix=True)
    if isinstance(node, Grams):
        return _any([_operand(gram, "D") for gram in node.grams])
    if isinstance(node, Concept):
        words = "(" + " & ".join(_word(w) for w in node.words) + ")"
        return _any([words, *(_operand(CONCEPT_MARKER + key) for key in node.keys)])
    if isinstance(node, All):
        return "(" + " & ".join(compile_query(child) for child in node.children) + ")"
    if isinstance(node, Any_):
        return _any([compile_query(child) for child in node.children])
    if isinstance(node, Not):
        return "!" + compile_query(node.child)
    raise TypeError(f"unknown query node {node!r}")


# --- the backend --------------------------------------------------------------------------


class PostgresBackend:
    name = "postgres"

    # --- writes ---------------------------------------------------------------------------

    def index(self, documents: list[IndexDocument], deleted: list[int]) -> None:
        if not documents and not deleted:
            return
        latest = {document.entry_id: document for document in documents}
        gone = sorted(set(deleted) - latest.keys())
        with transaction.atomic(), connection.cursor() as cursor:
            if gone:
                cursor.execute(f"DELETE FROM {TABLE} WHERE entry_id = ANY(%s)", [gone])  # noqa: S608
            for batch in _chunks(latest.values(), UPSERT_BATCH):
                cursor.executemany(_UPSERT, [_row(document) for document in batch])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def optimize(self) -> None:
        """After a rebuild: merge GIN's pending list and refresh the statistics that the
        planner's choices and the estimated totals rest on."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [f"{TABLE}_terms"])
            cursor.execute(f"ANALYZE {TABLE}")

    # --- reads ----------------------------------------------------------------------------

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [TABLE])
            return int(cursor.fetchone()[0])

    def search(self, request: SearchRequest) -> SearchResult:
        now = request.now or dt.datetime.now(tz=dt.UTC)
        scope, params = _scope(request.filters, request.viewer, now)
        return self._run(request, request.query.root, scope, params, now)

    def _run(
        self,
        request: SearchRequest,
        root: Node | None,
        scope: list[str],
        scope_params: list[Any],
        now: dt.datetime,
    ) -> SearchResult:
        """One statement: the newest matches once (``m``, at most a window of them), then
        their number, the page and the facet counts, as rows told apart by the first column."""
        # _SAFE_SQL: the statement is assembled from constants, the conditions of _scope
        # (constants and placeholders) and placeholders; every value is a parameter.
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
            " NULL::timestamptz AS published, NULL::float8 AS score FROM m",
        ]
        params: list[Any] = [*where_params, window]
        by_rank = request.sort != "date" and tsquery is not None
        if not by_rank:
            sql.append(
                "UNION ALL (SELECT 1, NULL, NULL, entry_id, published, 0 FROM m"
                " ORDER BY published DESC, entry_id DESC OFFSET %s LIMIT %s)"
            )
            params += [request.offset, request.limit]
        else:
            # The newest RANK_CANDIDATES matches, ranked; the rest after them, newest first.
            sql.append(
                "UNION ALL (SELECT 1, NULL, NULL, c.entry_id, c.published,"  # noqa: S608 (_SAFE_SQL)
                " ts_rank_cd(%s::float4[], d.terms, %s::tsquery)::float8 AS score"
                " FROM (SELECT entry_id, published FROM m"
                " ORDER BY published DESC, entry_id DESC LIMIT %s) c"
                f" JOIN {TABLE} d ON d.entry_id = c.entry_id"
                " ORDER BY score DESC, c.published DESC, c.entry_id DESC LIMIT %s)"
            )
            candidates = rank_candidates(root) if root is not None else RANK_CANDIDATES
            params += [RANK_WEIGHTS, tsquery, candidates, max(wanted, RERANK_WINDOW)]
            if wanted > candidates:
                sql.append(
                    "UNION ALL (SELECT 2, NULL, NULL, entry_id, published, 0 FROM m"
                    " ORDER BY published DESC, entry_id DESC OFFSET %s LIMIT %s)"
                )
                params += [candidates, wanted - candidates]
        if request.facets:
            for number, column in enumerate(_FACET_COLUMNS.values(), start=10):
                sql.append(
                    f"UNION ALL (SELECT {number}, key, count(*), NULL, NULL, NULL"  # noqa: S608 (_SAFE_SQL)
                    f" FROM (SELECT {column} AS key FROM m) f GROUP BY key"
                    " ORDER BY count(*) DESC, key LIMIT %s)"
                )
                params.append(FACET_SIZE)

        total = 0
        ranked: list[Hit] = []
        rest: list[Hit] = []
        names = list(_FACET_COLUMNS)
        facets: dict[str, list[tuple[str, int]]] = (
            {name: [] for name in names} if request.facets else {}
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {where}",  # noqa: S608
                where_params,
            )
            estimate = _plan_rows(cursor.fetchone()[0])
            bitmap = tsquery is not None and not _walk_published(estimate, window, cursor)
            if bitmap:
                # Through GIN's bitmap, whatever the planner thinks: it counts testing a row
                # against the tsquery as nearly free, but that reads the row's terms out of
                # TOAST (tens of microseconds), so walking the published index backwards
                # past many non-matching rows costs far more than it plans for.
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_seqscan = off")
            try:
                cursor.execute("\n".join(sql), params)
                rows = cursor.fetchall()
            finally:
                if bitmap:  # SET LOCAL lasts to the end of an enclosing transaction
                    cursor.execute("RESET enable_indexscan")
                    cursor.execute("RESET enable_seqscan")
        for part, key, n, entry_id, published, score in rows:
            if part == 0:
                total = int(n)
            elif part == 1:
                ranked.append(Hit(int(entry_id), float(score), published))
            elif part == 2:
                rest.append(Hit(int(entry_id), 0.0, published))
            elif key is not None:
                facets[names[part - 10]].append((str(key), int(n)))
        estimated = total >= window
        if estimated:
            # More matches than the window: their number as the planner estimates it.
            total = max(total, estimate)

        if not by_rank:
            hits = ranked
        elif wanted <= RERANK_WINDOW:
            hits = sorted(ranked, key=lambda hit: -hit.score * freshness(hit.published_at, now))
            hits = hits[request.offset : wanted]
        else:
            hits = [*ranked, *rest][request.offset : wanted]
        return SearchResult(hits, total, facets, total_is_estimate=estimated)


def _walk_published(estimate: int, window: int, cursor: Any) -> bool:
    """Whether the newest ``window`` matches are cheaper to find by walking the published
    index backwards (testing every row it passes) than through GIN's bitmap (every match).

    Walking tests about window x rows / matches rows at ~30 us each (the terms are read from
    TOAST); the bitmap visits every match at ~4 us: walk when matches^2 > 8 x window x rows.
    """
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
    rows = max(float(cursor.fetchone()[0]), 1.0)
    return float(estimate) ** 2 > WALK_FACTOR * window * rows


def _plan_rows(plan: Any) -> int:
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _row(document: IndexDocument) -> list[Any]:
    return [
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
        tsvector_literal(document),
    ]


def _chunks(items: Iterable[IndexDocument], size: int) -> Iterable[list[IndexDocument]]:
    chunk: list[IndexDocument] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
