"""The query syntax: forgiving, and the same analysis as the documents."""

from __future__ import annotations

import pytest

from infoharbor.search.query import All, Any_, Not, Phrase, Prefix, Word, parse


def words(node: object) -> list[str]:
    if isinstance(node, Word):
        return [node.text]
    if isinstance(node, All | Any_):
        return [w for child in node.children for w in words(child)]
    return []


def test_words_are_all_required() -> None:
    root = parse("rice export").root
    assert isinstance(root, All)
    assert words(root) == ["rice", "export"]


def test_operators() -> None:
    assert isinstance(parse("rice OR maize").root, Any_)
    root = parse("rice -maize").root
    assert isinstance(root, All)
    assert isinstance(root.children[1], Not)
    assert isinstance(parse('"rice export"').root, Phrase)
    assert parse("minis*").root == Prefix("minis")


def test_a_hyphen_inside_or_alone_is_not_an_operator() -> None:
    assert not any(isinstance(c, Not) for c in getattr(parse("mag-aaral").root, "children", ()))
    assert words(parse("Mekong - Lancang").root) == ["mekong", "lancang"]


def test_case_and_script_are_folded_like_documents() -> None:
    assert words(parse("RICE").root) == ["rice"]
    assert parse("臺灣").root == parse("台湾").root


def test_a_question_ranks_by_coverage() -> None:
    root = parse("which ministry published the new durian export rules").root
    assert isinstance(root, Any_)


@pytest.mark.parametrize("text", ["", "   ", "OR", "AND NOT", "()", "-", '"', "\x00"])
def test_nothing_to_search(text: str) -> None:
    assert parse(text).root is None


def test_long_queries_are_cut() -> None:
    parsed = parse("word " * 400)
    assert parsed.truncated
    assert len(words(parsed.root)) <= 48


def test_question_words_are_left_out_when_others_remain() -> None:
    # "Which ministry issued the durian rules?" asks about the ministry, not about "which"
    assert "which" not in words(parse("which ministry issued durian export rules").root)
    assert "อะไร" not in words(parse("ทุเรียน ส่งออก ไป ประเทศ อะไร").root)
    # Alone, a question word is what is searched for
    assert words(parse("what").root) == ["what"]


def test_a_repeated_word_counts_once() -> None:
    assert words(parse("rice rice export").root) == ["rice", "export"]


def test_long_queries_in_unspaced_scripts_rank_by_their_words() -> None:
    # A question cut into more words than are required: any of them, ranked by coverage
    root = parse("中国东盟自由贸易区升级议定书的主要内容是什么").root
    assert isinstance(root, Any_)
    assert all(isinstance(child, Word) for child in root.children)
    assert "什么" not in words(root)
    # A compound brings its parts: documents cut finer match them in a row
    compound = next(c for c in root.children if isinstance(c, Word) and "贸易" in c.text)
    assert "贸易" in compound.parts
    # Short queries require their words: no loose path
    assert not isinstance(parse("贸易").root, Any_)


def test_latin_words_are_also_searched_by_stem() -> None:
    # The language of a query is not known: "pelabuhan" as typed, or by its Indonesian stem
    root = parse("pelabuhan").root
    assert root == Any_((Word("pelabuhan", folded="pelabuhan"), Word("labuh")))
    # Within a phrase, the stems in a row
    phrase = parse('"pelabuhan baru"').root
    assert isinstance(phrase, Any_)
    assert Phrase(("labuh", "baru")) in phrase.children
    # Words without a stem, and other scripts, are searched as they are
    assert parse("rice").root == Word("rice", folded="rice")
    assert isinstance(parse("ท่าเรือ").root, Word)


def test_question_words_are_left_out_before_stems() -> None:
    # "Siapakah" (who) has a stem too, but it is a question word
    assert "siapakah" not in words(parse("siapakah presiden pertama dilantik tahun").root)
