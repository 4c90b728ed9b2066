from __future__ import annotations

import pytest

from infoharbor.text.scripts import dominant_script, letter_counts, script_of


@pytest.mark.parametrize(
    ("char", "script"),
    [
        ("a", "Latin"),
        ("Đ", "Latin"),
        ("中", "Han"),
        ("𠮷", "Han"),  # CJK Extension B, outside the BMP
        ("々", "Han"),
        ("ひ", "Hiragana"),
        ("カ", "Katakana"),
        ("한", "Hangul"),
        ("ท", "Thai"),
        ("\u0e48", "Thai"),  # a Thai tone mark belongs to Thai, not to "Inherited"
        ("ລ", "Lao"),
        ("ក", "Khmer"),
        ("မ", "Myanmar"),
        ("1", "Common"),
        (" ", "Common"),
        ("。", "Common"),
        ("😀", "Common"),
        ("\u0301", "Inherited"),
    ],
)
def test_script_of_names_the_unicode_script(char: str, script: str) -> None:
    # given one character / when asked / then ICU's long script name
    assert script_of(char) == script


def test_script_of_rejects_more_than_one_character() -> None:
    with pytest.raises(ValueError, match="one character"):
        script_of("ab")


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Hello, world!", "Latin"),
        ("ราคา iPhone 15 Pro Max ที่ร้านนี้", "Thai"),  # Thai marks count with its letters
        ("北京大学 PKU 北京大学", "Han"),
        ("北京大学 Peking University", "Latin"),  # by letters: one Han character is one
        ("ສະບາຍດີ", "Lao"),
        ("ភ្នំពេញ", "Khmer"),
        ("မြန်မာ", "Myanmar"),
        ("", None),
        ("123 ... !!! 😀", None),  # digits, punctuation and emoji are no script's letters
        ("\u0301\u0301", None),
    ],
)
def test_dominant_script_counts_letters(text: str, script: str | None) -> None:
    assert dominant_script(text) == script


def test_dominant_script_tie_goes_to_the_script_seen_first() -> None:
    # given as many Latin as Thai letters
    # when / then the first one in the text wins, whatever the hashing order
    assert dominant_script("abc กขค") == "Latin"
    assert dominant_script("กขค abc") == "Thai"


def test_letter_counts_ignore_common_and_inherited() -> None:
    counts = letter_counts("Việt Nam 2025 — 中文!")
    assert counts == {"Latin": 7, "Han": 2}
