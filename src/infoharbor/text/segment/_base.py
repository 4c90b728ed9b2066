"""What every segmenter shares: spans, scripts, runs, and offsets through normalization."""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable
from typing import NamedTuple


class Span(NamedTuple):
    """One word (or, for search, one part of a word) as offsets into the input string."""

    start: int  # offsets into the input str, in Python code points (never UTF-16 units)
    end: int
    part: bool = False  # a piece of a longer word, emitted only for search recall


HAN = "han"
THAI = "thai"
LAO = "lao"
KHMER = "khmer"
MYANMAR = "myanmar"
LATIN = "latin"
OTHER = "other"


def script_of(cp: int) -> str:
    """The script class of a letter's code point (only letters are asked)."""
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF or 0x2C60 <= cp <= 0x2C7F or 0xA720 <= cp <= 0xA7FF:
        return LATIN
    if 0x0E00 <= cp <= 0x0E7F:
        return THAI
    if 0x0E80 <= cp <= 0x0EFF:
        return LAO
    if 0x1000 <= cp <= 0x109F or 0xA9E0 <= cp <= 0xA9FF or 0xAA60 <= cp <= 0xAA7F:
        return MYANMAR
    if 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF:
        return KHMER
    if (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or 0x2E80 <= cp <= 0x2FDF
        or cp in (0x3005, 0x3007)
    ):
        return HAN
    if 0xFF21 <= cp <= 0xFF5A:  # full-width Latin, common in Chinese text
        return LATIN
    return OTHER


def token_script(token: str) -> str | None:
    """The script of a token's first letter; None for digits, punctuation, spaces, symbols."""
    for ch in token:
        if ch.isalpha():
            return script_of(ord(ch))
    return None


# Whitespace and the zero-width characters that separate words in Khmer and Burmese text.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
STRIP = string.whitespace + "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
STRIP += "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" + ZERO_WIDTH

# Khmer coeng, Myanmar virama and asat-less stacker, Thai and Lao vowels written before
# their consonant: a word never ends on one of these.
NO_CUT_AFTER = frozenset("្္เแโใไເແໂໃໄ")


_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum() is true for, found in C


def is_word(text: str) -> bool:
    """A word has a letter or a digit; spans of spaces, punctuation or symbols are not words."""
    return _ALNUM.search(text) is not None


class Run(NamedTuple):
    script: str | None  # None: no letters at all (numbers, punctuation)
    start: int
    end: int
    tokens: list[tuple[int, int, str | None]]  # ICU tokens: start, end, script


# Each segmenter takes the text, a run, and whether search parts are wanted, and returns
# absolute spans. Spans may still hold spaces at their edges or be punctuation: the caller
# cleans them.
Segmenter = Callable[[str, Run, bool], list[Span]]


def aligner(changed: str, original: str) -> Callable[[int], int]:
    """Map offsets in a normalized copy of ``original`` back to ``original``.

    Normalizers reorder marks (Burmese dot below and asat), compose (U+1025 U+102E to U+1026)
    or drop zero-width characters; boundaries inside a changed stretch snap to its start.
    """
    mapping = [0] * (len(changed) + 1)
    matcher = difflib.SequenceMatcher(None, changed, original, autojunk=False)
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        for i in range(i1, i2):
            mapping[i] = j1 + (i - i1) if tag == "equal" else j1
    mapping[len(changed)] = len(original)
    return mapping.__getitem__
