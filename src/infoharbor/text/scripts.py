"""Which writing system a character or a text is in.

Script decides most of language identification in the harbor (Thai, Lao, Khmer and Myanmar
script each belong to one of our languages) and tells the analyzer which runs are written
without spaces. Names are ICU's long Unicode script names (``"Han"``, ``"Latin"``, ``"Thai"``,
``"Lao"``, ``"Khmer"``, ``"Myanmar"``, ``"Hangul"``, ``"Hiragana"``, ``"Katakana"``...), with
``"Common"`` for characters shared by all scripts (digits, punctuation, spaces) and
``"Inherited"`` for combining marks that take the script of their base.

ICU (77, Unicode 16) rather than :mod:`unicodedata` (Unicode 14 on Python 3.11, and it has no
script property at all): the answers agree with the ICU segmenters used downstream.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import icu

COMMON = "Common"
INHERITED = "Inherited"
UNKNOWN = "Unknown"  # unassigned code points
# Scripts that say nothing about the language: they are never "dominant".
NEUTRAL = frozenset({COMMON, INHERITED, UNKNOWN})

# One dictionary, filled on first sight of each character: a lookup is a dict hit after that.
# Real text has a few tens of thousands of distinct characters; the limit only stops hostile
# input (every unassigned code point) from growing it without bound.
_CACHE_LIMIT = 200_000
_SCRIPT: dict[str, str] = {}
# The script a character counts as a letter of, or None when it is not a letter or a mark of
# a particular script (digits, punctuation, symbols, Inherited marks). Marks count: Thai, Lao,
# Khmer and Burmese write vowels and tones as marks, and a Thai word would otherwise weigh
# half as much as a Latin word of the same length.
_LETTER_SCRIPT: dict[str, str | None] = {}


def script_of(char: str) -> str:
    """The Unicode script of one character (ICU's long name), e.g. ``"Thai"`` or ``"Common"``."""
    try:
        return _SCRIPT[char]
    except KeyError:
        pass
    if len(char) != 1:
        raise ValueError(f"script_of() takes one character, got {len(char)}")
    name = str(icu.Script.getScript(ord(char)).getName())
    if len(_SCRIPT) < _CACHE_LIMIT:
        _SCRIPT[char] = name
    return name


def _letter_script(char: str) -> str | None:
    try:
        return _LETTER_SCRIPT[char]
    except KeyError:
        pass
    script = script_of(char)
    category = unicodedata.category(char)
    # "Cn": assigned after Python's Unicode 14 data but known to ICU; counted as a letter.
    letter = script not in NEUTRAL and (category[0] in "LM" or category == "Cn")
    result = script if letter else None
    if len(_LETTER_SCRIPT) < _CACHE_LIMIT:
        _LETTER_SCRIPT[char] = result
    return result


def letter_counts(text: str) -> Counter[str]:
    """Letters (and marks) per script in ``text``; Common and Inherited ones are not counted.

    Counts distinct characters first (C speed), then looks each up once: a 200-character text
    costs a few microseconds.
    """
    counts: dict[str, int] = {}
    table = _LETTER_SCRIPT
    for char, n in Counter(text).items():
        script = table[char] if char in table else _letter_script(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + n
    return Counter(counts)


def dominant_script(text: str) -> str | None:
    """The script with the most letters and marks in ``text``, or None when it has none."""
    counts = letter_counts(text)
    if not counts:
        return None
    # Ties go to the script seen first in the text, so the answer never depends on hashing.
    best = max(counts.values())
    for char in text:
        script = _letter_script(char)
        if script is not None and counts[script] == best:
            return script
    return None  # pragma: no cover - unreachable: some letter has the best count
