"""The PostgreSQL backend's own traps: tsvector and tsquery text built by hand, PostgreSQL's
limits on lexemes and positions, and the bounded match window. The behaviour both backends
share is in test_search.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from infoharbor.accounts.choices import Role
from infoharbor.core.choices import Visibility
from infoharbor.core.permissions import ANONYMOUS, Actor
from infoharbor.search import indexer, service
from infoharbor.search.backends import postgres
from infoharbor.search.backends.base import SearchRequest
from infoharbor.search.backends.postgres import (
    MAX_LEXEME_BYTES,
    MAX_POSITION,
    PostgresBackend,
    compile_query,
    lexeme,
    tsvector_literal,
)
from infoharbor.search.documents import IndexDocument
from infoharbor.search.query import All, Any_, Not, ParsedQuery, Phrase, Prefix, Word, parse
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the PostgreSQL backend needs the PostgreSQL database (the suite's second run)",
    ),
]

HOSTILE_TERMS = [
    "it's",
    "''",
    "'",
    "back\\slash",
    "\\",
    "\\'",
    "a:b",
    "x:*",
    "word:1a",
    "&|!<->()",
    "mag-aaral",
    "iba't",
    "e\u0301",  # a combining mark of its own
    "ที่",  # Thai with a tone mark
    "ကျောင်းသား",  # Burmese with stacked signs
    "ពាណិជ្ជកម្ម",  # Khmer with a coeng
    "🙂",
    "𠮷野家",
    "a" * 3000,  # over PostgreSQL's 2047 bytes
    "ก" * 1000,  # 3000 bytes of UTF-8
    "nul\x00byte",
]


@pytest.fixture
def backend(settings: Any, db: None) -> PostgresBackend:
    settings.SEARCH_BACKEND = "postgres"
    found = PostgresBackend()
    found.clear()
    return found


def document(entry_id: int, **fields: Any) -> IndexDocument:
    values: dict[str, Any] = {
        "entry_id": entry_id,
        "kind": "information.news",
        "platform": "information",
        "country": "TH",
        "language": "en",
        "organization_id": 1,
        "visibility": "public",
        "sectors": [],
        "published_at": timezone.now(),
        "expires_at": None,
    }
    values.update(fields)
    return IndexDocument(**values)


def lexemes(literal: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(%s::tsvector)", [literal])
        return sorted(cursor.fetchone()[0])


def search(backend: PostgresBackend, node: Any, **kwargs: Any) -> list[int]:
    result = backend.search(SearchRequest(query=ParsedQuery("", node), **kwargs))
    return [hit.entry_id for hit in result.hits]


# --- documents as tsvectors ---------------------------------------------------------------


def test_hostile_terms_are_stored_exactly(backend: PostgresBackend) -> None:
    # Given terms full of tsvector syntax, marks and oversized words
    made = document(1, title=HOSTILE_TERMS)
    # When they become a tsvector
    stored = lexemes(tsvector_literal(made))
    # Then each is one lexeme, as it was (cut to PostgreSQL's limit, NUL dropped)
    expected = sorted({lexeme(term) for term in HOSTILE_TERMS})
    assert stored == expected
    assert "a" * MAX_LEXEME_BYTES in stored
    assert "ก" * (MAX_LEXEME_BYTES // 3) in stored  # cut at a character boundary
    assert "nulbyte" in stored


def test_each_hostile_term_finds_its_document(backend: PostgresBackend) -> None:
    backend.index([document(1, title=HOSTILE_TERMS), document(2, body=["other"])], [])
    for term in HOSTILE_TERMS:
        assert search(backend, Word(term)) == [1], term


def test_marks_are_kept_apart(backend: PostgresBackend) -> None:
    # ที่ and ที are different words; so are ကျောင်း and ကျောင
    backend.index([document(1, title=["ที่", "ကျောင်းသား"])], [])
    assert search(backend, Word("ที")) == []
    assert search(backend, Word("ကျောင")) == []
    assert search(backend, Word("ที่")) == [1]


def test_positions_beyond_postgresql_limits(backend: PostgresBackend) -> None:
    # A body longer than 16383 positions, one word repeated more than 256 times
    body = [f"w{i}" for i in range(20_000)] + ["tail"] + ["again"] * 400
    made = document(1, title=["head"], body=body)
    literal = tsvector_literal(made)
    with connection.cursor() as cursor:
        cursor.execute("SELECT length(%s::tsvector)", [literal])
        count = cursor.fetchone()[0]
    assert count == 20_000 + 3
    backend.index([made], [])
    # Words past the limit are still found, at the last position
    assert search(backend, Word("w19999")) == [1]
    assert search(backend, Word("tail")) == [1]
    # Phrases within the limit still work
    assert search(backend, Phrase(("w10", "w11"))) == [1]
    assert search(backend, Phrase(("w11", "w10"))) == []
    assert f":{MAX_POSITION}C" in literal


def test_fields_do_not_run_into_each_other(backend: PostgresBackend) -> None:
    # The last title word and the first body word are not a phrase
    backend.index([document(1, title=["rice", "export"], body=["rules", "apply"])], [])
    assert search(backend, Phrase(("rice", "export"))) == [1]
    assert search(backend, Phrase(("rules", "apply"))) == [1]
    assert search(backend, Phrase(("export", "rules"))) == []


def test_markers_keep_folded_forms_and_concepts_apart(backend: PostgresBackend) -> None:
    # An accent-free form or a concept key is not a word of the text
    backend.index(
        [document(1, title=["việt"], folded=["viet"], concepts=["country:VN", "sector:health"])],
        [],
    )
    assert search(backend, Word("viet")) == []  # typed with the accent-free form only...
    assert search(backend, Word("viet", folded="viet")) == [1]  # ...as the parser asks it
    assert search(backend, Word("sector:health")) == []
    assert search(backend, Prefix("sector")) == []


# --- queries as tsqueries -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "' OR 1=1 --",
        "\\' \\\" :* & | ! <->",
        "a:b c:* 'quoted' \\\\",
        "!!! ((( ))) <-> <2>",
        "rice* 'pre'* \\*",
        '"it\'s a \\phrase"',
        "-'x' NOT \\",
        "ร" * 3_000 + " 中" * 500,
        "a" * 10_000,
        "🙂* 𠮷*",
    ],
)
def test_hostile_queries_compile_to_valid_tsqueries(backend: PostgresBackend, text: str) -> None:
    parsed = parse(text)
    if parsed.root is None:
        return
    tsquery = compile_query(parsed.root)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery IS NOT NULL", [tsquery])
        assert cursor.fetchone()[0]
    backend.search(SearchRequest(query=parsed))


def test_hostile_nodes_compile(backend: PostgresBackend) -> None:
    nodes = [
        Word("'"),
        Word("\\"),
        Word("", parts=("",)),
        Prefix("'\\"),
        Phrase(("a'b", "c\\d")),
        All((Not(Word("x")), Not(Prefix("y")))),
        Any_((Word("x"), Not(Not(Word("y"))))),
    ]
    for node in nodes:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::tsquery IS NOT NULL", [compile_query(node)])
        backend.search(SearchRequest(query=ParsedQuery("", node)))


def test_prefix_does_not_reach_parts(backend: PostgresBackend) -> None:
    # Prefixes search title, body and organization names, as in the embedded index
    backend.index([document(1, title=["กรุงเทพ"]), document(2, body=["x"], parts=["กรุง"])], [])
    assert search(backend, Prefix("กร")) == [1]


# --- through the services ---------------------------------------------------------------


def entry(org: Any, **data: Any) -> Any:
    made = factories.make_entry(org, **data)
    indexer.drain()
    return made


def ids(text: str, actor: Actor = ANONYMOUS, **kwargs: Any) -> list[int]:
    return [result.entry.pk for result in service.search(actor, text, **kwargs).results]


def test_phrase_prefix_ranking_and_relaxed(backend: PostgresBackend) -> None:
    org = factories.make_org("ministry", name="Ministry of Commerce")
    rice = entry(org, title="Rice export rules", summary="Notes.")
    body = entry(org, title="Weekly notes", summary="Rules on rice export and more.")
    reverse = entry(org, title="Export of rice", summary="Other notes.")
    assert ids('"rice export"') == [rice.pk, body.pk]  # title above body
    assert set(ids("expo*")) == {rice.pk, body.pk, reverse.pk}
    assert set(ids("commer*")) == {rice.pk, body.pk, reverse.pk}
    page = service.search(ANONYMOUS, "rice zeppelin")
    assert page.relaxed
    assert set(ids("rice zeppelin")) == {rice.pk, body.pk, reverse.pk}


def test_facets_and_visibility_scope(backend: PostgresBackend) -> None:
    org = factories.make_org("ministry")
    public = entry(org, title="Port notice", sectors=["economy-finance"])
    entry(org, title="Port notice for members", visibility=Visibility.MEMBERS)
    own = entry(org, title="Port notice for staff", visibility=Visibility.ORGANIZATION)
    staff_user = factories.make_user()
    factories.add_member(staff_user, org, Role.MEMBER)
    staff = Actor.for_user(staff_user)
    assert ids("port") == [public.pk]
    assert len(ids("port", staff)) == 3
    page = service.search(ANONYMOUS, "port")
    assert {v.value: v.count for v in page.facets["sector"]} == {"economy-finance": 1}
    assert {v.value: v.count for v in page.facets["organization"]} == {str(org.pk): 1}
    staff_page = service.search(staff, "port")
    assert {v.value: v.count for v in staff_page.facets["organization"]} == {str(org.pk): 3}
    assert own.pk in ids("staff", staff)


def test_more_matches_than_candidates_gives_a_flagged_estimate(
    backend: PostgresBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given more matches than the postings read per list
    now = timezone.now()
    backend.index(
        [
            document(pk, title=["harbor"], published_at=now - dt.timedelta(hours=pk))
            for pk in range(1, 31)
        ],
        [],
    )
    monkeypatch.setattr(postgres, "CANDIDATES", 5)
    monkeypatch.setattr(postgres, "MAX_CANDIDATES", 5)
    monkeypatch.setattr(postgres, "MATCH_WINDOW", 10)
    monkeypatch.setattr(postgres, "RANK_CANDIDATES", 5)
    result = backend.search(SearchRequest(query=parse("harbor"), limit=3, now=now))
    # Then the total is flagged as an estimate, at least what was read, and the facets are
    # counted over the candidates and scaled to it
    assert result.total_is_estimate
    assert result.total >= 5
    assert result.facets["country"] == [("TH", result.total)]
    # Equal scores: the freshest first
    assert [hit.entry_id for hit in result.hits] == [1, 2, 3]
    # Pages past the candidates come from the newest matches, without gaps or repeats
    seen = []
    for offset in range(0, 15, 3):
        page = backend.search(SearchRequest(query=parse("harbor"), offset=offset, limit=3, now=now))
        assert page.total_is_estimate
        seen += [hit.entry_id for hit in page.hits]
    assert seen == list(range(1, 16))


def test_all_matches_read_gives_exact_totals(
    backend: PostgresBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.index([document(pk, title=["harbor"]) for pk in range(1, 31)], [])
    monkeypatch.setattr(postgres, "CANDIDATES", 30)
    result = backend.search(SearchRequest(query=parse("harbor"), limit=3))
    assert (result.total, result.total_is_estimate) == (30, False)
    assert result.facets["country"] == [("TH", 30)]


def lexicon() -> tuple[set[tuple[str, int, int]], dict[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme, field, df FROM search_lexicon")
        rows = {(str(x), int(f), int(n)) for x, f, n in cursor.fetchall()}
        cursor.execute("SELECT name, value FROM search_stats")
        return rows, {name: int(value) for name, value in cursor.fetchall()}


def test_lexicon_stays_exact_through_index_replace_delete_and_reindex(
    backend: PostgresBackend,
) -> None:
    # Given documents indexed, replaced and removed in several writes
    first = [
        document(1, title=["rice", "export"], body=["rice", "rules"], parts=["ri"]),
        document(2, title=["port"], body=["rice"], folded=["cang"], concepts=["country:th"]),
        document(3, title=["gone"], organization=["ministry"]),
    ]
    backend.index(first, [])
    backend.index([document(1, title=["rice"], body=["tariff", "tariff"])], [3])
    backend.index([document(4, body=["port", "port", "rules"])], [99])
    after_writes = lexicon()
    # Then the lexicon and statistics are those of the final documents indexed at once
    backend.clear()
    backend.index(
        [
            document(1, title=["rice"], body=["tariff", "tariff"]),
            first[1],
            document(4, body=["port", "port", "rules"]),
        ],
        [],
    )
    assert after_writes == lexicon()
    rows, stats = after_writes
    assert ("rice", postgres.terms.TITLE, 1) in rows  # document 1's title
    assert ("rice", postgres.terms.BODY, 1) in rows  # document 2's body
    assert ("rice", postgres.terms.ANY_FIELD, 2) in rows
    assert ("port", postgres.terms.BODY, 1) in rows
    assert ("port", postgres.terms.TITLE, 1) in rows
    assert not any(text in {"gone", "export", "ministry", "P:ri"} for text, _f, _n in rows)
    assert stats["documents"] == 3
    assert stats["terms:body"] == 2 + 1 + 3
    # And removing everything empties them
    backend.index([], [1, 2, 4])
    assert lexicon() == (set(), dict.fromkeys(stats, 0))


def test_bulk_load_with_deferred_indexes(backend: PostgresBackend) -> None:
    backend.defer_indexes()
    backend.index(
        [document(pk, title=["harbor"], body=["rules", *["notes"] * pk]) for pk in range(1, 6)], []
    )
    assert search(backend, Word("harbor"), limit=2) != []  # slower, but searchable
    backend.optimize()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(postgres.DEFERRED_INDEXES)],
        )
        assert cursor.fetchone()[0] == len(postgres.DEFERRED_INDEXES)
    # Shorter bodies rank first for the body's word (BM25's length normalization)
    assert search(backend, Word("rules"), limit=5) == [1, 2, 3, 4, 5]


def test_documents_are_replaced_and_removed(backend: PostgresBackend) -> None:
    backend.index([document(1, title=["old"]), document(2, title=["kept"])], [])
    backend.index([document(1, title=["new"]), document(1, title=["newest"])], [2])
    assert backend.count() == 1
    assert search(backend, Word("old")) == []
    assert search(backend, Word("newest")) == [1]
    assert backend.size_bytes() > 0
    backend.optimize()
    backend.clear()
    assert backend.count() == 0


def test_database_classifies_characters_as_utf8(db: None) -> None:
    # text-stack.md: with a C locale PostgreSQL mistreats non-ASCII letters
    with connection.cursor() as cursor:
        cursor.execute("SHOW lc_ctype")
        assert "utf" in cursor.fetchone()[0].lower().replace("-", "")
