"""The matching engine on its own (no database): the search's query semantics, filters,
anchors, incremental changes, expiry and visibility."""

from __future__ import annotations

import datetime as dt

import pytest

from infoharbor.search.query import parse
from infoharbor.subscriptions import matching
from infoharbor.text.analyze import analyze

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def entry(
    title: str,
    language: str = "en",
    body: str = "",
    *,
    entry_id: int = 1,
    country: str = "TH",
    sectors: tuple[str, ...] = (),
    kind: str = "information.news",
    organization_id: int = 7,
    visibility: str = "public",
    published_at: dt.datetime = NOW,
    expires_at: dt.datetime | None = None,
    stories: tuple[int, ...] = (),
) -> matching.EntryFacts:
    """An entry analysed the way the index document is (search/documents.py)."""
    analysed_title = analyze(title, language)
    analysed_body = analyze(body, language)
    return matching.EntryFacts(
        entry_id=entry_id,
        kind=kind,
        platform="information",
        country=country,
        language=language,
        organization_id=organization_id,
        visibility=visibility,
        sectors=sectors,
        published_at=published_at,
        expires_at=expires_at,
        title=tuple(analysed_title.tokens),
        body=tuple(analysed_body.stemmed),
        parts=tuple(analysed_body.parts),
        folded=tuple(analysed_title.folded + analysed_body.folded),
        concepts=(f"country:{country}",),
        stories=stories,
    ).prepare()


def index_of(*subscriptions: tuple[str, matching.Scope]) -> matching.MatchIndex:
    index = matching.MatchIndex()
    for pk, (text, scope) in enumerate(subscriptions, start=1):
        index.add(matching.compile_subscription(pk, 100 + pk, parse(text).root, scope))
    return index


def matched(text: str, facts: matching.EntryFacts, scope: matching.Scope | None = None) -> bool:
    index = index_of((text, scope or matching.Scope()))
    found = index.match(facts, now=NOW)
    assert found == index.scan(facts, now=NOW)
    return found == [1]


RICE = entry("Vietnam rice export rises", body="Rice exporters shipped more to China.")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rice", True),
        ("rice export", True),  # all words
        ("rice maize", False),
        ("rice OR maize", True),
        ("maize OR wheat", False),
        ('"rice export"', True),  # a phrase, in order
        ('"export rice"', False),
        ("rice -China", False),  # NOT, in the body
        ("rice -Japan", True),
        ("NOT Japan", True),
        ("-rice", False),
        ("expo*", True),  # prefix
        ("expa*", False),
        ("(maize OR rice) rises", True),
        ("(maize OR wheat) rises", False),
        ("RICE Export", True),  # case
    ],
)
def test_query_syntax(query: str, expected: bool) -> None:
    assert matched(query, RICE) is expected


def test_traditional_finds_simplified_and_back() -> None:
    simplified = entry("中国东盟自由贸易区升级", "zh-Hans")
    traditional = entry("臺灣捷運系統擴建計畫", "zh-Hant")
    assert matched("自由貿易區", simplified)
    assert matched("台湾捷运", traditional)
    assert not matched("自由貿易區", traditional)


def test_vietnamese_without_diacritics() -> None:
    vietnamese = entry("Lưu ý cho doanh nghiệp xuất khẩu nông sản", "vi")
    assert matched("nong san", vietnamese)
    assert matched("nông sản", vietnamese)
    # Typed with accents, an accented word matches only that spelling.
    assert not matched("nóng sân", vietnamese)


def test_thai_word_inside_running_text() -> None:
    thai = entry("กระทรวงพาณิชย์เปิดตลาดส่งออกทุเรียนไปจีน", "th")
    assert matched("ทุเรียน", thai)
    assert not matched("ที", thai)


def test_word_inside_a_compound_of_the_body() -> None:
    made = entry("研究报告", "zh-Hans", body="北京大学发布东盟研究报告")
    assert matched("大学", made)


def test_filters_or_within_a_field_and_across_fields() -> None:
    thai_trade = entry("Durian exports", country="TH", sectors=("trade", "agriculture"))
    assert matched("durian", thai_trade, matching.Scope(country=("VN", "TH")))
    assert not matched("durian", thai_trade, matching.Scope(country=("VN",)))
    assert matched("", thai_trade, matching.Scope(country=("TH",), sector=("agriculture",)))
    assert not matched("", thai_trade, matching.Scope(country=("TH",), sector=("health",)))
    assert matched("", thai_trade, matching.Scope(sector=("health", "trade")))
    assert not matched("", thai_trade, matching.Scope(kind=("information.policy",)))
    assert matched("", thai_trade, matching.Scope(organization=(7,)))
    assert not matched("", thai_trade, matching.Scope(organization=(8,)))


def test_published_range_as_the_search_page_has_it() -> None:
    made = entry("Durian exports", published_at=NOW)
    assert matched("durian", made, matching.Scope(published_from=NOW))
    assert not matched("durian", made, matching.Scope(published_to=NOW))  # exclusive
    assert matched("durian", made, matching.Scope(published_to=NOW + dt.timedelta(days=1)))


def test_follow_of_a_story_cluster() -> None:
    assert matched("", entry("Anything", stories=(42,)), matching.Scope(story=(42,)))
    assert not matched("", entry("Anything", stories=(41,)), matching.Scope(story=(42,)))
    assert not matched("", entry("Anything"), matching.Scope(story=(42,)))


def test_expired_entries_match_nothing() -> None:
    expired = entry("Typhoon warning", expires_at=NOW - dt.timedelta(minutes=1))
    index = index_of(("typhoon", matching.Scope()))
    assert index.match(expired, now=NOW) == []
    live = entry("Typhoon warning", expires_at=NOW + dt.timedelta(hours=1))
    assert index.match(live, now=NOW) == [1]


def test_visibility_decides_per_subscriber() -> None:
    index = index_of(("typhoon", matching.Scope()), ("typhoon", matching.Scope()))
    members_only = entry("Typhoon warning", visibility="organization")
    # Subscription 2 belongs to owner 102, who may see it; 101 may not.
    assert index.match(members_only, now=NOW, may_see=lambda owner: owner == 102) == [2]


def test_anchors_are_the_rarest_required_key() -> None:
    compiled = matching.compile_subscription(
        1, 1, parse("rice exporters").root, matching.Scope(country=("VN",))
    )
    # Of two words, the longer one (rarer as a rule), paired with the country: filed where
    # an entry with both finds it. (A plain Latin word also matches its accent-free form.)
    assert compiled.anchor == frozenset(
        {("t|country", "exporters\x1fVN"), ("f|country", "exporters\x1fVN")}
    )
    phrase = matching.compile_subscription(5, 1, parse('"rice export"').root, matching.Scope())
    assert phrase.anchor == frozenset({("b", "rice export")})
    assert phrase.exact
    filters_only = matching.compile_subscription(
        2, 1, None, matching.Scope(country=("VN", "TH"), organization=(3,))
    )
    assert filters_only.anchor == frozenset({("organization", "3")})
    negative = matching.compile_subscription(3, 1, parse("-draft").root, matching.Scope())
    assert negative.anchor is None  # on the match-all list
    either = matching.compile_subscription(4, 1, parse("rice OR maize").root, matching.Scope())
    assert either.anchor == frozenset(
        {("t", "rice"), ("f", "rice"), ("t", "maize"), ("f", "maize")}
    )


def test_measured_frequencies_choose_the_anchor() -> None:
    cost = matching.with_frequencies(
        {("t", "exporters"): 0.5, ("f", "exporters"): 0.5, ("t", "rice"): 0.001}
    )
    compiled = matching.compile_subscription(
        1, 1, parse("rice exporters").root, matching.Scope(), cost
    )
    assert compiled.anchor == frozenset({("t", "rice"), ("f", "rice")})


def test_incremental_add_replace_and_remove() -> None:
    index = index_of(("rice", matching.Scope()), ("-maize", matching.Scope()))
    assert index.match(RICE, now=NOW) == [1, 2]
    index.add(matching.compile_subscription(1, 101, parse("maize").root, matching.Scope()))
    assert index.match(RICE, now=NOW) == [2]
    index.remove(2)
    assert index.match(RICE, now=NOW) == []
    assert index.stats() == {"subscriptions": 1, "match_all": 0, "keys": 2, "exact": 1, "never": 0}
    index.remove(99)  # unknown: nothing happens
    assert len(index) == 1


def test_single_words_and_follows_need_no_verification() -> None:
    def exact(text: str, scope: matching.Scope | None = None) -> bool:
        root = parse(text).root
        return matching.compile_subscription(1, 1, root, scope or matching.Scope()).exact

    assert exact("rice")
    assert exact("rice OR maize")
    assert exact("ex*")
    assert exact("", matching.Scope(country=("VN", "TH")))
    assert exact("expo*")
    assert not exact("expor*")  # longer than its key: verified
    assert not exact("rice export")
    assert exact('"rice export"')  # filed under the pair of words
    assert not exact('"rice export rises"')
    assert exact("rice", matching.Scope(country=("VN",)))  # filed under its pairs
    assert not exact("rice", matching.Scope(country=("VN",), sector=("trade",)))
    assert not exact("", matching.Scope(country=("VN",), sector=("trade",)))
    assert not exact("", matching.Scope(country=("VN",), published_from=NOW))
    assert not exact("北京大学")  # may match as its parts in a row: verified


def test_paired_keys_are_removed_too() -> None:
    index = index_of(("rice", matching.Scope(country=("VN", "TH"))))
    assert index.match(entry("Rice prices", country="TH"), now=NOW) == [1]
    assert index.match(entry("Rice prices", country="JP"), now=NOW) == []
    index.remove(1)
    assert index.stats()["keys"] == 0
    assert index.match(entry("Rice prices", country="TH"), now=NOW) == []
