"""Stems of Indonesian and Malay words: the forms of one root meet, other languages do not
change."""

from __future__ import annotations

import pytest

from infoharbor.text.analyze import analyze
from infoharbor.text.stem import query_stems, stem


@pytest.mark.parametrize(
    ("forms", "root"),
    [
        (("pelabuhan", "berlabuh"), "labuh"),  # harbour, to berth
        (("perdagangan", "berdagang", "dagang"), "dagang"),  # trade
        (("kebudayaan", "budaya"), "budaya"),  # culture
    ],
)
@pytest.mark.parametrize("lang", ["id", "ms"])
def test_forms_of_a_root_share_its_stem(forms: tuple[str, ...], root: str, lang: str) -> None:
    assert {stem(form, lang) or form for form in forms} == {root}


def test_other_languages_and_words_are_left_as_written() -> None:
    assert stem("harbours", "en") is None
    assert stem("pelabuhan", None) is None
    # Words the algorithm does not know: digits, other scripts, accented Latin
    for word in ("2025", "pelabuhan2", "ท่าเรือ", "cảng"):
        assert stem(word, "id") is None


def test_a_typed_word_is_also_searched_by_its_stem() -> None:
    assert query_stems("pelabuhan") == ("labuh",)
    assert query_stems("labuh") == ()
    assert query_stems("ท่าเรือ") == ()


def test_analysis_keeps_the_words_and_gives_their_stems() -> None:
    analyzed = analyze("Kapal berlabuh di Pelabuhan Tanjung Priok.", "id")
    assert analyzed.words == ["kapal", "berlabuh", "di", "pelabuhan", "tanjung", "priok"]
    assert analyzed.stemmed == ["kapal", "labuh", "di", "labuh", "tanjung", "priok"]
    # Offsets are those of the words as written
    berlabuh = analyzed.terms[1]
    assert "Kapal berlabuh di"[berlabuh.start : berlabuh.end] == "berlabuh"
    # English is not stemmed
    assert analyze("Ships berthed at harbours", "en").stemmed == [
        "ships",
        "berthed",
        "at",
        "harbours",
    ]
